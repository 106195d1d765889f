/**
 * The tenant's objects at run time (workspaces, models, files, imports, processes), built
 * from seed data. Files carry their upload state; tasks live in `task-board.ts`.
 */
import type { ResolvedOptions, SeedImport, SeedProcess, SeedWorkspace } from './options';
import { UploadState } from './upload-store';

export interface FileRecord {
  id: string;
  name: string;
  separator: string;
  delimiter: string;
  encoding: string;
  format: string;
  headerRow: number;
  firstDataRow: number;
  upload: UploadState;
}

export interface ModelRecord {
  id: string;
  name: string;
  workspaceId: string;
  workspaceName: string;
  files: Map<string, FileRecord>;
  imports: Map<string, SeedImport>;
  processes: Map<string, SeedProcess>;
}

export interface WorkspaceRecord {
  id: string;
  name: string;
  models: Map<string, ModelRecord>;
}

/** Prefix of import data source file IDs. */
const FILE_ID_PREFIX = 113_000_000_000;

export class ModelCatalog {
  readonly workspaces = new Map<string, WorkspaceRecord>();

  constructor(
    private readonly options: Pick<ResolvedOptions, 'limits' | 'duplicateChunks'>,
    seed: SeedWorkspace[],
  ) {
    for (const ws of seed) {
      const workspace: WorkspaceRecord = { id: ws.id, name: ws.name, models: new Map() };
      for (const m of ws.models) {
        const model: ModelRecord = {
          id: m.id,
          name: m.name,
          workspaceId: ws.id,
          workspaceName: ws.name,
          files: new Map(),
          imports: new Map((m.imports ?? []).map((i) => [i.id, { ...i }])),
          processes: new Map((m.processes ?? []).map((p) => [p.id, { ...p, importIds: [...p.importIds] }])),
        };
        for (const f of m.files ?? []) {
          const file = this.newFile(f.id, f.name);
          if (f.separator !== undefined) file.separator = f.separator;
          if (f.delimiter !== undefined) file.delimiter = f.delimiter;
          if (f.encoding !== undefined) file.encoding = f.encoding;
          if (f.format !== undefined) file.format = f.format;
          if (f.headerRow !== undefined) file.headerRow = f.headerRow;
          if (f.firstDataRow !== undefined) file.firstDataRow = f.firstDataRow;
          if (f.content !== undefined) file.upload.replaceWhole(Buffer.from(f.content));
          model.files.set(file.id, file);
        }
        workspace.models.set(model.id, model);
      }
      this.workspaces.set(workspace.id, workspace);
    }
  }

  model(workspaceId: string, modelId: string): ModelRecord | undefined {
    return this.workspaces.get(workspaceId)?.models.get(modelId);
  }

  /** For the `/2/0/models/{modelId}/…` short paths that omit the workspace. */
  modelById(modelId: string): ModelRecord | undefined {
    for (const ws of this.workspaces.values()) {
      const model = ws.models.get(modelId);
      if (model !== undefined) return model;
    }
    return undefined;
  }

  allModels(): ModelRecord[] {
    return [...this.workspaces.values()].flatMap((ws) => [...ws.models.values()]);
  }

  /**
   * What the real service does for `POST …/files/{unknown}`: a new private file named after
   * the path segment, with the next free 113… ID. No action references it.
   */
  createPrivateFile(model: ModelRecord, name: string): FileRecord {
    let next = FILE_ID_PREFIX;
    for (const id of model.files.keys()) {
      const n = Number(id);
      if (Number.isSafeInteger(n) && n >= next) next = n + 1;
    }
    const file = this.newFile(String(next), name);
    model.files.set(file.id, file);
    return file;
  }

  private newFile(id: string, name: string): FileRecord {
    return {
      id,
      name,
      separator: ',',
      delimiter: '"',
      encoding: 'UTF-8',
      format: 'txt',
      headerRow: 1,
      firstDataRow: 2,
      upload: new UploadState(this.options.limits.maxChunks, this.options.duplicateChunks),
    };
  }
}

/** The file object as the Integration API prints it. */
export function fileJson(file: FileRecord): Record<string, unknown> {
  return {
    id: file.id,
    name: file.name,
    chunkCount: file.upload.chunkCount,
    delimiter: file.delimiter,
    encoding: file.encoding,
    firstDataRow: file.firstDataRow,
    format: file.format,
    headerRow: file.headerRow,
    separator: file.separator,
  };
}
