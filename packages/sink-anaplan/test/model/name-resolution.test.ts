import * as testing from '@pipe/core/testing';
import { clearNameCache } from '../../src/model/name-resolver';
import { configFor, IDS, opportunitiesCsv, runAnaplanSink, startEmulator, type AnaplanEmulator } from '../support/anaplan-fixture';

let emulator: AnaplanEmulator;

beforeAll(async () => {
  emulator = await startEmulator({
    workspaces: [
      {
        id: IDS.workspace,
        name: 'FP&A',
        models: [
          {
            id: IDS.model,
            name: 'Sales Forecast',
            files: [
              { id: IDS.file, name: 'Opportunities.csv' },
              { id: '113000000001', name: 'Accounts.csv' },
              { id: '113000000002', name: 'Accounts.csv' },
            ],
            imports: [
              { id: IDS.import, name: 'Import Opportunities', fileId: IDS.file },
              { id: '112000000001', name: 'Import Accounts', fileId: '113000000001' },
            ],
          },
        ],
      },
      { id: '8a868cd9837162ef0183cd4d7ba84999', name: 'Sandbox', models: [] },
    ],
  });
});
afterAll(async () => {
  await emulator.stop();
});
beforeEach(() => clearNameCache());

const byName = { workspace: 'FP&A', model: 'Sales Forecast', file: 'Opportunities.csv', import: 'Import Opportunities' };

describe('names resolved to ids', () => {
  it('workspace, model, file and import given by name go to the same ids as given by id', async () => {
    const before = emulator.requests.length;
    const run = await runAnaplanSink(configFor(emulator, byName), testing.documentPieces(opportunitiesCsv(20)));
    expect(run.error).toBeUndefined();
    expect(run.result?.details).toMatchObject({ workspaceId: IDS.workspace, modelId: IDS.model, fileId: IDS.file, import: { id: IDS.import } });
    const paths = emulator.requests.filter((r) => r.seq > before).map((r) => r.path);
    expect(paths).toContain(`/2/0/workspaces/${IDS.workspace}/models/${IDS.model}/files/${IDS.file}/chunks/0`);
    expect(paths).toContain(`/2/0/workspaces/${IDS.workspace}/models/${IDS.model}/imports/${IDS.import}/tasks`);
  });

  it('lists are fetched once and cached across runs', async () => {
    await runAnaplanSink(configFor(emulator, byName), testing.documentPieces(opportunitiesCsv(20)));
    const before = emulator.requests.length;
    const run = await runAnaplanSink(configFor(emulator, byName), testing.documentPieces(opportunitiesCsv(20)));
    expect(run.error).toBeUndefined();
    expect(emulator.requests.filter((r) => r.seq > before && r.method === 'GET' && /\/(workspaces|models|files|imports)$/.test(r.path))).toHaveLength(0);
  });

  it('an unknown name is an error that lists what exists, and nothing is uploaded', async () => {
    const before = emulator.requests.length;
    const run = await runAnaplanSink(configFor(emulator, { ...byName, file: 'Opportunity.csv' }), testing.documentPieces('a\n'));
    expect(run.error?.message).toBe(
      `no file with id or name "Opportunity.csv" in model ${IDS.model}; files there: ${IDS.file} (Opportunities.csv), 113000000001 (Accounts.csv), 113000000002 (Accounts.csv)`,
    );
    expect(emulator.requests.filter((r) => r.seq > before && r.method !== 'GET' && r.path.startsWith('/2/0'))).toHaveLength(0);
  });

  it('an unknown workspace lists the workspaces', async () => {
    const run = await runAnaplanSink(configFor(emulator, { ...byName, workspace: 'Finance' }), testing.documentPieces('a\n'));
    expect(run.error?.message).toBe(
      `no workspace with id or name "Finance" in your workspaces; workspaces there: ${IDS.workspace} (FP&A), 8a868cd9837162ef0183cd4d7ba84999 (Sandbox)`,
    );
  });

  it('an ambiguous name lists the candidates', async () => {
    const run = await runAnaplanSink(configFor(emulator, { ...byName, file: 'Accounts.csv', import: undefined }), testing.documentPieces('a\n'));
    expect(run.error?.message).toBe(
      `file "Accounts.csv" is ambiguous in model ${IDS.model}: 113000000001 (Accounts.csv), 113000000002 (Accounts.csv); use the id`,
    );
  });

  it('an import that reads another file is refused before the upload', async () => {
    const run = await runAnaplanSink(configFor(emulator, { ...byName, import: 'Import Accounts' }), testing.documentPieces('a\n'));
    expect(run.error?.message).toMatch(/^import 112000000001 \(Import Accounts\) reads file 113000000001, not 113000000000 \(Opportunities.csv\)/);
  });
});
