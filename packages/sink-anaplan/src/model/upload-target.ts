/**
 * Where a run's data goes, as ids: the workspace, model and file, and the import or process to
 * run afterwards. Checks up front what would otherwise fail late or silently: an import that reads
 * another file would load nothing of what was just uploaded.
 */
import { ExitCode } from '@pipe/core';
import type { AnaplanSinkConfig } from '../config';
import { AnaplanError } from '../errors';
import type { TaskKind } from '../task/task-runner';
import { describeObject, modelPath, type AnaplanObject, type NameResolver } from './name-resolver';

export interface UploadTarget {
  readonly workspace: AnaplanObject;
  readonly model: AnaplanObject;
  readonly file: AnaplanObject;
  /** `workspaces/{w}/models/{m}`. */
  readonly modelPath: string;
  readonly action?: { readonly kind: TaskKind; readonly object: AnaplanObject };
}

export async function resolveUploadTarget(names: NameResolver, config: AnaplanSinkConfig): Promise<UploadTarget> {
  if (config.import !== undefined && config.process !== undefined) {
    throw new AnaplanError('set either import or process, not both', { code: 'INVALID_CONFIG', exitCode: ExitCode.Usage });
  }
  const workspace = await names.workspace(String(config.workspace));
  const model = await names.model(workspace.id, String(config.model));
  const file = await names.file(workspace.id, model.id, String(config.file));
  let action: UploadTarget['action'];
  if (config.import !== undefined) {
    const found = await names.import(workspace.id, model.id, String(config.import));
    if (found.importDataSourceId !== undefined && found.importDataSourceId !== file.id) {
      throw new AnaplanError(
        `import ${describeObject(found)} reads file ${found.importDataSourceId}, not ${describeObject(file)}; ` +
          `upload to file ${found.importDataSourceId} or pick the import that reads ${file.id}`,
        { code: 'INVALID_CONFIG', exitCode: ExitCode.Usage },
      );
    }
    action = { kind: 'import', object: found };
  } else if (config.process !== undefined) {
    action = { kind: 'process', object: await names.process(workspace.id, model.id, String(config.process)) };
  }
  return { workspace, model, file, modelPath: modelPath(workspace.id, model.id), action };
}
