/** The default tenant, matching the example IDs and names. */
import type { SeedWorkspace } from './options';

export const DEFAULT_WORKSPACE_ID = '8a868cd9837162ef0183cd4d7ba842c0';
export const DEFAULT_MODEL_ID = '295D98F37F1B4682BE7A29035CBFB924';
export const DEFAULT_FILE_ID = '113000000000';
export const DEFAULT_IMPORT_ID = '112000000000';
export const DEFAULT_PROCESS_ID = '118000000000';

export function defaultWorkspaces(): SeedWorkspace[] {
  return [
    {
      id: DEFAULT_WORKSPACE_ID,
      name: 'FP&A',
      models: [
        {
          id: DEFAULT_MODEL_ID,
          name: 'Sales Forecast',
          // A comma-separated UTF-8 text file with a header row: the catalog's defaults.
          files: [{ id: DEFAULT_FILE_ID, name: 'Opportunities.csv' }],
          imports: [
            {
              id: DEFAULT_IMPORT_ID,
              name: 'Import Opportunities',
              fileId: DEFAULT_FILE_ID,
              importType: 'MODULE_DATA',
              targetName: 'Opportunities',
            },
          ],
          processes: [{ id: DEFAULT_PROCESS_ID, name: 'Load Opportunities', importIds: [DEFAULT_IMPORT_ID] }],
        },
      ],
    },
  ];
}
