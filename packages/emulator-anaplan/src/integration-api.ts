/**
 * api.anaplan.com/2/0: workspaces, models, files (chunked upload), imports, processes, tasks
 * and failure dumps. Model-scoped routes answer under `/2/0/workspaces/{ws}/models/{m}/…`
 * and under the short form `/2/0/models/{m}/…`. Both `AnaplanAuthToken` and `Bearer` are
 * accepted (OAS integration README, "Auth Scheme Confirmation").
 */
import { bytes, empty, integrationError, objectEnvelope, pagedList, type EmulatorResponse } from './envelope';
import { parseCsvRecords } from './csv-rows';
import type { EmulatorUrls } from './emulator-urls';
import { splitIntoChunks } from './failure-dumps';
import { runImport, type ImportRunResult } from './import-engine';
import { fileJson, type FileRecord, type ModelCatalog, type ModelRecord } from './model-catalog';
import type { ImportRowRule, ResolvedOptions } from './options';
import { CHUNK_PUT_ROUTE, type RequestLog } from './request-log';
import type { Route, RouteContext } from './router';
import type { TaskBoard, TaskOutcome, TaskRecord } from './task-board';
import { guidFor, humanReason, parseAuthorization, type IssuedToken, type TokenStore } from './token-store';
import { decodeChunkBody, tooLarge } from './upload-store';

/** A model-scoped handler gets the resolved model and the caller's token. */
type ModelHandler = (ctx: RouteContext, model: ModelRecord, caller: IssuedToken) => EmulatorResponse | Promise<EmulatorResponse>;

const MODEL_PREFIXES = ['/2/0/workspaces/:ws/models/:model', '/2/0/models/:model'];
const JSON_BODY_LIMIT = 1024 * 1024;

export interface ImportRulesHolder {
  rules: ImportRowRule[];
  /** See `AnaplanEmulatorOptions.successfulWithFailedRows`. */
  successfulWithFailedRows: boolean;
}

export class IntegrationApi {
  constructor(
    private readonly catalog: ModelCatalog,
    private readonly tokens: TokenStore,
    private readonly tasks: TaskBoard,
    private readonly importRules: ImportRulesHolder,
    private readonly options: Pick<ResolvedOptions, 'limits' | 'log'>,
    private readonly log: RequestLog,
    private readonly urls: EmulatorUrls,
  ) {}

  routes(): Route[] {
    const { maxChunkBytes } = this.options.limits;
    const chunkBodyLimit = maxChunkBytes + Math.ceil(maxChunkBytes / 100) + 1024; // gzip may grow incompressible data a little
    return [
      this.authed('GET', '/2/0/users/me', 'users.me', (_ctx, caller) => this.me(caller)),
      this.authed('GET', '/2/0/workspaces', 'workspaces.list', (ctx) => this.listWorkspaces(ctx)),
      this.authed('GET', '/2/0/workspaces/:ws', 'workspaces.get', (ctx) => this.getWorkspace(ctx)),
      this.authed('GET', '/2/0/workspaces/:ws/models', 'models.list', (ctx) => this.listModels(ctx, ctx.params['ws'])),
      this.authed('GET', '/2/0/models', 'models.list', (ctx) => this.listModels(ctx, undefined)),
      ...this.modelRoutes('GET', '', 'models.get', (_ctx, model) => objectEnvelope('model', modelJson(model), this.schema('model'))),

      ...this.modelRoutes('GET', '/files', 'files.list', (ctx, model) =>
        pagedList('files', [...model.files.values()].map(fileJson), ctx.query, this.schema(`models/${model.id}/objects/file`)),
      ),
      ...this.modelRoutes('POST', '/files/:fileId', 'files.chunkCount', (ctx, model) => this.setChunkCount(ctx, model)),
      ...this.modelRoutes('PUT', '/files/:fileId', 'files.upload', (ctx, model) => this.uploadWhole(ctx, model), maxChunkBytes + 1),
      ...this.modelRoutes('GET', '/files/:fileId', 'files.download', (ctx, model) => this.download(ctx, model)),
      ...this.modelRoutes('DELETE', '/files/:fileId', 'files.delete', (ctx, model) => this.deleteContent(ctx, model)),
      ...this.modelRoutes('PUT', '/files/:fileId/chunks/:chunkId', CHUNK_PUT_ROUTE, (ctx, model) => this.putChunk(ctx, model), chunkBodyLimit),
      ...this.modelRoutes('GET', '/files/:fileId/chunks', 'files.chunks.list', (ctx, model) => this.listChunks(ctx, model)),
      ...this.modelRoutes('GET', '/files/:fileId/chunks/:chunkId', 'files.chunk.get', (ctx, model) => this.getChunk(ctx, model)),
      ...this.modelRoutes('POST', '/files/:fileId/complete', 'files.complete', (ctx, model) => this.complete(ctx, model)),

      ...this.modelRoutes('GET', '/imports', 'imports.list', (ctx, model) =>
        pagedList('imports', [...model.imports.values()].map(importJson), ctx.query, this.schema(`models/${model.id}/objects/import`)),
      ),
      ...this.modelRoutes('GET', '/imports/:actionId', 'imports.get', (ctx, model) => this.importMetadata(ctx, model)),
      ...this.modelRoutes('POST', '/imports/:actionId/tasks', 'imports.tasks.start', (ctx, model, caller) => this.startTask(ctx, model, caller, 'import')),
      ...this.modelRoutes('GET', '/imports/:actionId/tasks', 'imports.tasks.list', (ctx, model) => this.listTasks(ctx, model, 'import')),
      ...this.modelRoutes('GET', '/imports/:actionId/tasks/:taskId', 'imports.tasks.get', (ctx, model) => this.getTask(ctx, model, 'import')),
      ...this.modelRoutes('DELETE', '/imports/:actionId/tasks/:taskId', 'imports.tasks.cancel', (ctx, model) => this.cancelTask(ctx, model, 'import')),
      ...this.modelRoutes('GET', '/imports/:actionId/tasks/:taskId/dump', 'imports.dump', (ctx, model) => this.dump(ctx, model, 'import', 'whole')),
      ...this.modelRoutes('GET', '/imports/:actionId/tasks/:taskId/dump/chunks', 'imports.dump.chunks', (ctx, model) =>
        this.dump(ctx, model, 'import', 'list'),
      ),
      ...this.modelRoutes('GET', '/imports/:actionId/tasks/:taskId/dump/chunks/:chunkId', 'imports.dump.chunk', (ctx, model) =>
        this.dump(ctx, model, 'import', 'chunk'),
      ),

      ...this.modelRoutes('GET', '/processes', 'processes.list', (ctx, model) =>
        pagedList(
          'processes',
          [...model.processes.values()].map((p) => ({ id: p.id, name: p.name })),
          ctx.query,
          this.schema(`models/${model.id}/objects/process`),
        ),
      ),
      ...this.modelRoutes('GET', '/processes/:actionId', 'processes.get', (ctx, model) => this.processMetadata(ctx, model)),
      ...this.modelRoutes('POST', '/processes/:actionId/tasks', 'processes.tasks.start', (ctx, model, caller) => this.startTask(ctx, model, caller, 'process')),
      ...this.modelRoutes('GET', '/processes/:actionId/tasks', 'processes.tasks.list', (ctx, model) => this.listTasks(ctx, model, 'process')),
      ...this.modelRoutes('GET', '/processes/:actionId/tasks/:taskId', 'processes.tasks.get', (ctx, model) => this.getTask(ctx, model, 'process')),
      ...this.modelRoutes('DELETE', '/processes/:actionId/tasks/:taskId', 'processes.tasks.cancel', (ctx, model) => this.cancelTask(ctx, model, 'process')),
      ...this.modelRoutes('GET', '/processes/:actionId/tasks/:taskId/dumps/:objectId', 'processes.dump', (ctx, model) =>
        this.dump(ctx, model, 'process', 'whole'),
      ),
      ...this.modelRoutes('GET', '/processes/:actionId/tasks/:taskId/dumps/:objectId/chunks', 'processes.dump.chunks', (ctx, model) =>
        this.dump(ctx, model, 'process', 'list'),
      ),
      ...this.modelRoutes('GET', '/processes/:actionId/tasks/:taskId/dumps/:objectId/chunks/:chunkId', 'processes.dump.chunk', (ctx, model) =>
        this.dump(ctx, model, 'process', 'chunk'),
      ),
    ];
  }

  // --- plumbing ---------------------------------------------------------------------------

  private authed(
    method: string,
    pattern: string,
    name: string,
    handler: (ctx: RouteContext, caller: IssuedToken) => EmulatorResponse | Promise<EmulatorResponse>,
    maxBodyBytes = JSON_BODY_LIMIT,
  ): Route {
    return {
      method,
      pattern,
      name,
      maxBodyBytes,
      handler: (ctx) => {
        const caller = this.authenticate(ctx);
        return 'tokenId' in caller ? handler(ctx, caller) : caller;
      },
    };
  }

  private modelRoutes(method: string, suffix: string, name: string, handler: ModelHandler, maxBodyBytes = JSON_BODY_LIMIT): Route[] {
    return MODEL_PREFIXES.map((prefix) =>
      this.authed(
        method,
        prefix + suffix,
        name,
        (ctx, caller) => {
          const modelId = ctx.params['model'];
          const wsId = ctx.params['ws'];
          const model = wsId === undefined ? this.catalog.modelById(modelId) : this.catalog.model(wsId, modelId);
          // Model-scoped calls mask "no access" as 404 too (OAS NotFoundOrNoAccess).
          if (model === undefined) return integrationError(404, ctx.path, 'Not Found');
          return handler(ctx, model, caller);
        },
        maxBodyBytes,
      ),
    );
  }

  private authenticate(ctx: RouteContext): IssuedToken | EmulatorResponse {
    const auth = parseAuthorization(ctx.headers.authorization);
    const scheme = auth?.scheme.toLowerCase();
    if (auth === undefined || (scheme !== 'anaplanauthtoken' && scheme !== 'bearer')) {
      return integrationError(401, ctx.path, 'Authorization: AnaplanAuthToken {token} or Bearer {token} is required');
    }
    const check = this.tokens.check(auth.credentials);
    return check.ok ? check.token : integrationError(401, ctx.path, humanReason(check.reason));
  }

  private schema(suffix: string): string {
    return `${this.urls.apiUrl}/${suffix.startsWith('models/') ? suffix : `objects/${suffix}`}`;
  }

  private say(line: string): void {
    this.options.log(line);
  }

  // --- users, workspaces, models ----------------------------------------------------------

  private me(caller: IssuedToken): EmulatorResponse {
    return objectEnvelope(
      'user',
      {
        id: guidFor(`user:${caller.userId}`),
        active: true,
        email: caller.userId,
        emailOptIn: false,
        firstName: caller.userId.split('@')[0],
        lastName: 'Emulated',
      },
      this.schema('user'),
    );
  }

  private listWorkspaces(ctx: RouteContext): EmulatorResponse {
    const list = [...this.catalog.workspaces.values()].map((ws) => ({ id: ws.id, name: ws.name, active: true, sizeAllowance: 1073741824, currentSize: 0 }));
    return pagedList('workspaces', list, ctx.query, this.schema('workspace'));
  }

  private getWorkspace(ctx: RouteContext): EmulatorResponse {
    const ws = this.catalog.workspaces.get(ctx.params['ws']);
    if (ws === undefined) return integrationError(404, ctx.path, 'Not Found');
    return objectEnvelope('workspace', { id: ws.id, name: ws.name, active: true, sizeAllowance: 1073741824, currentSize: 0 }, this.schema('workspace'));
  }

  private listModels(ctx: RouteContext, wsId: string | undefined): EmulatorResponse {
    if (wsId !== undefined && !this.catalog.workspaces.has(wsId)) return integrationError(404, ctx.path, 'Not Found');
    const models = this.catalog.allModels().filter((m) => wsId === undefined || m.workspaceId === wsId);
    return pagedList('models', models.map(modelJson), ctx.query, this.schema('model'));
  }

  // --- files ------------------------------------------------------------------------------

  private setChunkCount(ctx: RouteContext, model: ModelRecord): EmulatorResponse {
    const body = parseJsonObject(ctx);
    if (body === undefined) return integrationError(400, ctx.path, 'Body must be a JSON object with chunkCount');
    const chunkCount = body['chunkCount'];
    if (typeof chunkCount !== 'number' || !Number.isInteger(chunkCount) || chunkCount < -1) {
      return integrationError(400, ctx.path, 'chunkCount must be an integer >= -1');
    }
    if (chunkCount > this.options.limits.maxChunks) {
      return integrationError(400, ctx.path, `chunkCount ${chunkCount} exceeds the limit of ${this.options.limits.maxChunks} chunks per file`);
    }
    const requested = ctx.params['fileId'];
    let file = model.files.get(requested);
    if (file === undefined) {
      file = this.catalog.createPrivateFile(model, requested);
      this.say(`files: POST for unknown file "${requested}" created private file ${file.id}`);
    }
    file.upload.reset(chunkCount);
    return objectEnvelope('file', fileJson(file), this.schema(`models/${model.id}/objects/file`));
  }

  private async putChunk(ctx: RouteContext, model: ModelRecord): Promise<EmulatorResponse> {
    const file = this.file(ctx, model);
    if (file === undefined) return integrationError(404, ctx.path, 'Not Found');
    const index = chunkIndex(ctx.params['chunkId']);
    if (index === undefined) return integrationError(400, ctx.path, 'Chunk id must be a non-negative integer');
    const { maxChunkBytes } = this.options.limits;
    const decoded = ctx.bodyTooLarge ? tooLarge(maxChunkBytes) : await decodeChunkBody(ctx.headers['content-type'], ctx.bodyParts, maxChunkBytes);
    if (!decoded.ok) return integrationError(decoded.status, ctx.path, decoded.message);
    const stored = file.upload.put(index, decoded.data);
    if (!stored.ok) return integrationError(stored.status, ctx.path, stored.message);
    return empty(204);
  }

  private complete(ctx: RouteContext, model: ModelRecord): EmulatorResponse {
    const file = this.file(ctx, model);
    if (file === undefined) return integrationError(404, ctx.path, 'Not Found');
    const result = file.upload.complete();
    if (!result.ok) return integrationError(result.status, ctx.path, result.message);
    this.log.counters.completedCount += 1;
    return objectEnvelope('file', fileJson(file), this.schema(`models/${model.id}/objects/file`));
  }

  private uploadWhole(ctx: RouteContext, model: ModelRecord): EmulatorResponse {
    const file = this.file(ctx, model);
    if (file === undefined) return integrationError(404, ctx.path, 'Not Found');
    const type = (ctx.headers['content-type'] ?? '').toLowerCase();
    if (type.includes('gzip')) return integrationError(400, ctx.path, 'You cannot compress a file that you are uploading as a single file');
    // Guess: the single-file limit is undocumented; the chunk limit is applied.
    if (ctx.bodyTooLarge) return integrationError(400, ctx.path, `File exceeds the limit of ${this.options.limits.maxChunkBytes} bytes`);
    file.upload.replaceWhole(ctx.body);
    return empty(204);
  }

  private download(ctx: RouteContext, model: ModelRecord): EmulatorResponse {
    const file = this.file(ctx, model);
    if (file === undefined) return integrationError(404, ctx.path, 'Not Found');
    return bytes(200, file.upload.content(), 'application/octet-stream');
  }

  /** Content goes, metadata (including a stale chunkCount, as observed live) stays. */
  private deleteContent(ctx: RouteContext, model: ModelRecord): EmulatorResponse {
    const file = this.file(ctx, model);
    if (file === undefined) return integrationError(404, ctx.path, 'Not Found');
    const staleCount = file.upload.chunkCount;
    file.upload.reset(staleCount);
    return empty(204);
  }

  private listChunks(ctx: RouteContext, model: ModelRecord): EmulatorResponse {
    const file = this.file(ctx, model);
    if (file === undefined) return integrationError(404, ctx.path, 'Not Found');
    const chunks = file.upload.chunkIds().map((i) => ({ id: String(i), name: `Chunk ${i}` }));
    return pagedList('chunks', chunks, ctx.query);
  }

  private getChunk(ctx: RouteContext, model: ModelRecord): EmulatorResponse {
    const file = this.file(ctx, model);
    const index = chunkIndex(ctx.params['chunkId']);
    const chunk = file === undefined || index === undefined ? undefined : file.upload.chunk(index);
    if (chunk === undefined) return integrationError(404, ctx.path, 'Not Found');
    return bytes(200, chunk, 'application/octet-stream');
  }

  private file(ctx: RouteContext, model: ModelRecord): FileRecord | undefined {
    return model.files.get(ctx.params['fileId']);
  }

  // --- imports, processes, tasks ----------------------------------------------------------

  private importMetadata(ctx: RouteContext, model: ModelRecord): EmulatorResponse {
    const def = model.imports.get(ctx.params['actionId']);
    if (def === undefined) return integrationError(404, ctx.path, 'Not Found');
    const file = model.files.get(def.fileId);
    const headerNames = file === undefined ? [] : headerOf(file);
    return objectEnvelope(
      'importMetadata',
      {
        ...importJson(def),
        type: 'FILE',
        source: {
          textEncoding: file?.encoding ?? 'UTF-8',
          columnSeparator: file?.separator ?? ',',
          textDelimiter: file?.delimiter ?? '"',
          headerRow: file?.headerRow ?? 1,
          firstDataRow: file?.firstDataRow ?? 2,
          decimalSeparator: '.',
          headerNames,
          columnCount: headerNames.length,
        },
      },
      this.schema(`models/${model.id}/objects/import`),
    );
  }

  private processMetadata(ctx: RouteContext, model: ModelRecord): EmulatorResponse {
    const def = model.processes.get(ctx.params['actionId']);
    if (def === undefined) return integrationError(404, ctx.path, 'Not Found');
    const actions = def.importIds.map((id) => ({ id, name: model.imports.get(id)?.name ?? id, actionType: 'IMPORT' }));
    return objectEnvelope('processMetadata', { name: def.name, actions }, this.schema(`models/${model.id}/objects/process`));
  }

  private startTask(ctx: RouteContext, model: ModelRecord, caller: IssuedToken, kind: 'import' | 'process'): EmulatorResponse {
    const actionId = ctx.params['actionId'];
    const action = kind === 'import' ? model.imports.get(actionId) : model.processes.get(actionId);
    if (action === undefined) return integrationError(404, ctx.path, 'Not Found');
    const body = parseJsonObject(ctx);
    if (body === undefined) return integrationError(400, ctx.path, 'Body must be a JSON object such as {"localeName":"en_US"}');
    const localeName = body['localeName'];
    if (typeof localeName !== 'string' || localeName.length === 0) return integrationError(400, ctx.path, 'localeName is required');
    const mapping = body['mappingParameters'];
    if (mapping !== undefined && !isMappingParameters(mapping)) {
      return integrationError(400, ctx.path, 'mappingParameters must be an array of {"entityType","entityName"} strings');
    }
    const evaluate = kind === 'import' ? () => this.evaluateImport(model, actionId) : () => this.evaluateProcess(model, actionId);
    const task = this.tasks.create({
      kind,
      scope: scopeOf(model, kind, actionId),
      objectName: action.name,
      userId: caller.userId,
      localeName,
      ...(mapping === undefined ? {} : { mappingParameters: mapping }),
      evaluate,
    });
    if (kind === 'import') this.log.counters.importTasksStarted += 1;
    else this.log.counters.processTasksStarted += 1;
    this.say(`tasks: ${kind} ${actionId} task ${task.taskId} created`);
    // The start answer is always the HELP example's shape, even when taskDurationMs is 0.
    const started = { taskId: task.taskId, taskState: 'NOT_STARTED', creationTime: task.creationTime };
    return objectEnvelope('task', started, this.schema(`models/${model.id}/objects/task`));
  }

  private evaluateImport(model: ModelRecord, importId: string): TaskOutcome {
    const def = model.imports.get(importId);
    if (def === undefined) throw new Error(`import ${importId} vanished`);
    const outcome = runImport(def, model.files.get(def.fileId), this.importRules.rules, this.importRules);
    const dumps = new Map<string, Buffer>();
    if (outcome.dump !== undefined) dumps.set(importId, outcome.dump);
    return { result: outcome.result, dumps };
  }

  /** Guess: every import runs in order even after a failure; the process is successful only if all were. */
  private evaluateProcess(model: ModelRecord, processId: string): TaskOutcome {
    const def = model.processes.get(processId);
    if (def === undefined) throw new Error(`process ${processId} vanished`);
    const nested: ImportRunResult[] = [];
    const dumps = new Map<string, Buffer>();
    for (const importId of def.importIds) {
      const importDef = model.imports.get(importId);
      if (importDef === undefined) {
        nested.push({ objectId: importId, objectName: importId, successful: false, failureDumpAvailable: false, details: [] });
        continue;
      }
      const outcome = runImport(importDef, model.files.get(importDef.fileId), this.importRules.rules, this.importRules);
      nested.push(outcome.result);
      if (outcome.dump !== undefined) dumps.set(importId, outcome.dump);
    }
    return {
      result: {
        objectId: processId,
        objectName: def.name,
        successful: nested.every((r) => r.successful),
        failureDumpAvailable: nested.some((r) => r.failureDumpAvailable),
        details: [],
        nestedResults: nested,
      },
      dumps,
    };
  }

  private listTasks(ctx: RouteContext, model: ModelRecord, kind: 'import' | 'process'): EmulatorResponse {
    const actionId = ctx.params['actionId'];
    if (!(kind === 'import' ? model.imports.has(actionId) : model.processes.has(actionId))) return integrationError(404, ctx.path, 'Not Found');
    const list = this.tasks.list(scopeOf(model, kind, actionId));
    // `sort` is accepted but its field name is not validated (OAS README); a leading "-" means newest first.
    if ((ctx.query.get('sort') ?? '').startsWith('-')) list.reverse();
    return pagedList(
      'tasks',
      list.map((t) => this.tasks.summaryJson(t)),
      ctx.query,
      this.schema(`models/${model.id}/objects/task`),
    );
  }

  private getTask(ctx: RouteContext, model: ModelRecord, kind: 'import' | 'process'): EmulatorResponse {
    const task = this.task(ctx, model, kind);
    if (task === undefined) return integrationError(404, ctx.path, 'Not Found');
    return objectEnvelope('task', this.tasks.toJson(task), this.schema(`models/${model.id}/objects/task`));
  }

  private cancelTask(ctx: RouteContext, model: ModelRecord, kind: 'import' | 'process'): EmulatorResponse {
    const task = this.task(ctx, model, kind);
    if (task === undefined) return integrationError(404, ctx.path, 'Not Found');
    this.tasks.cancel(task);
    return objectEnvelope('task', this.tasks.toJson(task), this.schema(`models/${model.id}/objects/task`));
  }

  private dump(ctx: RouteContext, model: ModelRecord, kind: 'import' | 'process', form: 'whole' | 'list' | 'chunk'): EmulatorResponse {
    const task = this.task(ctx, model, kind);
    if (task === undefined) return integrationError(404, ctx.path, 'Not Found');
    const objectId = kind === 'import' ? ctx.params['actionId'] : ctx.params['objectId'];
    const data = this.tasks.dump(task, objectId);
    if (data === 'not-ready') return integrationError(404, ctx.path, 'The task has not completed');
    if (data === 'none') return integrationError(404, ctx.path, 'No failure dump for this task');
    if (data === 'replaced') return integrationError(404, ctx.path, 'The failure dump has expired or was replaced by a newer run');
    if (form === 'whole') return bytes(200, data, 'text/plain');
    const chunks = splitIntoChunks(data, this.options.limits.dumpChunkBytes);
    if (form === 'list')
      return pagedList(
        'chunks',
        chunks.map((_, i) => ({ id: String(i), name: `Chunk ${i}` })),
        ctx.query,
      );
    const index = chunkIndex(ctx.params['chunkId']);
    const chunk = index === undefined ? undefined : chunks[index];
    if (chunk === undefined) return integrationError(404, ctx.path, 'Not Found');
    return bytes(200, chunk, 'application/octet-stream');
  }

  private task(ctx: RouteContext, model: ModelRecord, kind: 'import' | 'process'): TaskRecord | undefined {
    return this.tasks.get(scopeOf(model, kind, ctx.params['actionId']), ctx.params['taskId']);
  }
}

function scopeOf(model: ModelRecord, kind: 'import' | 'process', actionId: string): string {
  return `${model.workspaceId}/${model.id}/${kind}/${actionId}`;
}

function modelJson(model: ModelRecord): Record<string, unknown> {
  return {
    id: model.id,
    activeState: 'UNLOCKED',
    name: model.name,
    currentWorkspaceId: model.workspaceId,
    currentWorkspaceName: model.workspaceName,
    modelUrl: `https://us1a.app.anaplan.com/anaplan/framework.jsp?selectedWorkspaceId=${model.workspaceId}&selectedModelId=${model.id}`,
    categoryValues: [],
  };
}

function importJson(def: { id: string; name: string; fileId: string; importType?: string }): Record<string, unknown> {
  return { id: def.id, name: def.name, importDataSourceId: def.fileId, importType: def.importType ?? 'MODULE_DATA' };
}

/** Header names for import metadata, read from the start of the uploaded file. */
function headerOf(file: FileRecord): string[] {
  if (!file.upload.completed || file.headerRow < 1) return [];
  const head = file.upload
    .content()
    .subarray(0, 64 * 1024)
    .toString('utf8');
  return parseCsvRecords(head, { separator: file.separator || ',', quote: file.delimiter })[file.headerRow - 1] ?? [];
}

function chunkIndex(raw: string | undefined): number | undefined {
  return raw !== undefined && /^\d{1,9}$/.test(raw) ? Number(raw) : undefined;
}

function parseJsonObject(ctx: RouteContext): Record<string, unknown> | undefined {
  if (ctx.body.length === 0) return {};
  try {
    const value: unknown = JSON.parse(ctx.body.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function isMappingParameters(value: unknown): value is { entityType: string; entityName: string }[] {
  return (
    Array.isArray(value) &&
    value.every(
      (p) =>
        typeof p === 'object' &&
        p !== null &&
        typeof (p as Record<string, unknown>)['entityType'] === 'string' &&
        typeof (p as Record<string, unknown>)['entityName'] === 'string',
    )
  );
}
