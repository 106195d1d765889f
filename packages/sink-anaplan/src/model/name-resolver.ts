/**
 * Turns the ids or names a user writes (`workspace: Sales Planning`, `file: Opportunities.csv`)
 * into Anaplan ids through the list calls. Lists are cached (lru-cache, a few minutes) so several
 * pipelines of one run into the same model ask once. A name that matches nothing, or several
 * objects, is an error listing what exists.
 */
import { LRUCache } from 'lru-cache';
import { AnaplanNameError } from '../errors';
import type { AnaplanApi } from '../http/anaplan-api';
import { listAll } from '../http/paged-list';

export interface AnaplanObject {
  readonly id: string;
  readonly name: string;
  /** Imports only: the file the import reads. */
  readonly importDataSourceId?: string;
}

export type ObjectKind = 'workspace' | 'model' | 'file' | 'import' | 'process';

const LIST_KEY: Record<ObjectKind, string> = {
  workspace: 'workspaces',
  model: 'models',
  file: 'files',
  import: 'imports',
  process: 'processes',
};

const lists = new LRUCache<string, readonly AnaplanObject[]>({ max: 500, ttl: 5 * 60_000 });

export class NameResolver {
  /** `identity` keeps one user's lists from answering another's (different access rights). */
  constructor(
    private readonly api: AnaplanApi,
    private readonly identity: string,
  ) {}

  workspace(value: string): Promise<AnaplanObject> {
    return this.resolve('workspace', 'workspaces', value, 'your workspaces');
  }

  model(workspaceId: string, value: string): Promise<AnaplanObject> {
    return this.resolve('model', `workspaces/${workspaceId}/models`, value, `workspace ${workspaceId}`);
  }

  file(workspaceId: string, modelId: string, value: string): Promise<AnaplanObject> {
    return this.resolve('file', `${modelPath(workspaceId, modelId)}/files`, value, `model ${modelId}`);
  }

  import(workspaceId: string, modelId: string, value: string): Promise<AnaplanObject> {
    return this.resolve('import', `${modelPath(workspaceId, modelId)}/imports`, value, `model ${modelId}`);
  }

  process(workspaceId: string, modelId: string, value: string): Promise<AnaplanObject> {
    return this.resolve('process', `${modelPath(workspaceId, modelId)}/processes`, value, `model ${modelId}`);
  }

  private async resolve(kind: ObjectKind, path: string, value: string, scope: string): Promise<AnaplanObject> {
    const objects = await this.list(kind, path);
    const byId = objects.find((o) => o.id === value);
    if (byId) return byId;
    let matches = objects.filter((o) => o.name === value);
    if (matches.length === 0) matches = objects.filter((o) => o.name.toLowerCase() === value.toLowerCase());
    if (matches.length === 1) return matches[0];
    if (matches.length > 1) {
      throw new AnaplanNameError(`${kind} "${value}" is ambiguous in ${scope}: ${describeAll(matches)}; use the id`);
    }
    const existing = objects.length ? `${LIST_KEY[kind]} there: ${describeAll(objects)}` : `there are no ${LIST_KEY[kind]} there`;
    throw new AnaplanNameError(`no ${kind} with id or name "${value}" in ${scope}; ${existing}`);
  }

  private async list(kind: ObjectKind, path: string): Promise<readonly AnaplanObject[]> {
    const key = `${this.identity} ${this.api.url(path)}`;
    const cached = lists.get(key);
    if (cached) return cached;
    const objects = (await listAll<Record<string, unknown>>(this.api, path, LIST_KEY[kind])).map(toObject);
    lists.set(key, objects);
    return objects;
  }
}

export function modelPath(workspaceId: string, modelId: string): string {
  return `workspaces/${workspaceId}/models/${modelId}`;
}

export function describeObject(o: AnaplanObject): string {
  return `${o.id} (${o.name})`;
}

function describeAll(objects: readonly AnaplanObject[]): string {
  const shown = objects.slice(0, 25).map(describeObject).join(', ');
  return objects.length > 25 ? `${shown} and ${objects.length - 25} more` : shown;
}

function toObject(item: Record<string, unknown>): AnaplanObject {
  const source = item.importDataSourceId;
  return {
    id: String(item.id),
    name: String(item.name ?? item.id),
    ...(source === undefined || source === null ? {} : { importDataSourceId: String(source) }),
  };
}

/** Forget cached lists (tests that change the emulator's model between runs). */
export function clearNameCache(): void {
  lists.clear();
}
