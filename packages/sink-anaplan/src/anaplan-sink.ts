/**
 * The `anaplan` sink: upload one document to an Anaplan import data source file, many chunks at a
 * time, then run the import (or process) and report what Anaplan says happened.
 *
 * Reading order: limits are checked before anything is sent (chunk-limits), we log in (auth/),
 * resolve names to ids (model/), stream the chunks (upload/), then run the task (task/).
 */
import {
  concurrencyLimit,
  CredentialStore,
  CredentialUrlGuard,
  credentialUrlProblems,
  defineSink,
  formatByteSize,
  HttpClient,
  PipeError,
  secretValues,
  type Piece,
  type ConcurrencyLimit,
  type PluginContext,
  type SinkPlugin,
  type SinkResult,
} from '@pipe/core';
import { issuerForConfig, identityOf } from './auth/issuer-for-config';
import { TokenProvider } from './auth/token-provider';
import { anaplanSinkSchema, credentialUrls, type AnaplanSinkConfig } from './config';
import { AnaplanTaskFailedError } from './errors';
import { AnaplanApi } from './http/anaplan-api';
import type { AnaplanTransport } from './http/transport';
import { configuredFileTarget, resolvedFileTarget } from './model/file-target';
import { describeObject, NameResolver } from './model/name-resolver';
import { resolveUploadTarget, type UploadTarget } from './model/upload-target';
import { describeCounts } from './task/task-result';
import { runTask, type TaskOutcome } from './task/task-runner';
import { judgeTask, type FailedRowsSetting, type TaskVerdict } from './task/task-verdict';
import { AutoCompression } from './upload/auto-compression';
import { BodiesAhead } from './upload/bodies-ahead';
import { chunkBodies, compressionThreads, type ChunkCompression } from './upload/chunk-bodies';
import { planChunks } from './upload/chunk-limits';
import { DocumentChunks, type UploadChunk } from './upload/document-chunks';
import { startingWith, type ReadAhead } from './upload/starting-with';
import { AnaplanUploadSession, type UploadSummary } from './upload/upload-session';

export interface AnaplanSinkOptions {
  /** The credential store for saved logins; default: the user's (`$PIPE_HOME` or ~/.pipe). */
  readonly credentials?: () => CredentialStore;
}

const description = `Uploads the stream to an Anaplan import data source file through the Integration API v2
(\`POST files/{id}\` with chunkCount -1, concurrent \`PUT …/chunks/{n}\`, \`POST …/complete\`), then runs the
import or process and waits for its result. Chunks end at CSV record boundaries (cut by chunk-lines, or here);
each may be gzipped. Fails before sending anything when the input cannot fit 1000 chunks. An unsuccessful
import, or one with failed rows (more than \`acceptFailedRows\`), fails the pipeline; its failure dump is saved
to the run directory and its path shown either way. Pipelines that load the same file take turns, from the
first chunk to the end of the import. Credentials go only to https URLs (or this machine).

Login: \`basic\` (username/password), \`certificate\` (CA certificate + private key), or \`oauth\` (device grant:
run \`pipe auth login anaplan --client-id ...\` once).`;

export function createAnaplanSink(options: AnaplanSinkOptions = {}): SinkPlugin<typeof anaplanSinkSchema> {
  const credentials = options.credentials ?? (() => new CredentialStore());
  return defineSink({
    name: 'anaplan',
    summary: 'Upload to an Anaplan file in concurrent chunks, then run its import.',
    description,
    config: anaplanSinkSchema,
    checkConfig: (config) => credentialUrlProblems(credentialUrls(config), config.allowInsecureHttp),
    targets: (config) => [configuredFileTarget(config)],
    consume: (input, config, ctx) => consume(input, config, ctx, credentials),
  });
}

export const anaplanSink = createAnaplanSink();

async function consume(input: AsyncIterable<Piece>, config: AnaplanSinkConfig, ctx: PluginContext, credentials: () => CredentialStore): Promise<SinkResult> {
  // The engine registers these too; a plugin run on its own (tests, scripts) must not leak them either.
  for (const secret of secretValues(anaplanSinkSchema, config)) ctx.secrets.add(secret);
  // Validation checked these too, but a plugin run on its own skips it; here the allowInsecureHttp warning is logged.
  const urls = new CredentialUrlGuard({ allowInsecureHttp: config.allowInsecureHttp, log: ctx.log });
  for (const { path, url } of credentialUrls(config)) if (url !== undefined) urls.check(url, path.join('.'));

  // Before the first byte: a run that cannot fit Anaplan's limits fails now.
  const plan = planChunks(ctx.shape, config.chunkSize);
  if (plan.minimumChunks !== undefined) ctx.progress.expect({ chunks: plan.minimumChunks, bytes: ctx.shape.expectedBytes });

  const limit = concurrencyLimit(config.concurrency, config.maxConcurrency, (change) =>
    ctx.log.debug(`concurrency auto: ${change.from} -> ${change.to} chunk uploads at once (${change.reason})`),
  );
  const http = new HttpClient({
    connections: limit.maximum + 2,
    timeoutMs: config.timeoutMs,
    log: ctx.log,
    verbose: config.verbose,
    secrets: ctx.secrets,
  });
  const transport: AnaplanTransport = {
    http,
    retry: config.retry,
    signal: ctx.signal,
    onRetry: ({ attempt, delayMs, reason }) => {
      ctx.progress.add({ retries: 1 });
      ctx.log.warn(`Anaplan call failed (${reason}); try ${attempt + 1} of ${config.retry.attempts} in ${delayMs} ms`);
    },
  };
  const threads = compressionThreads(limit);
  const compression: ChunkCompression =
    config.compress === 'auto'
      ? new AutoCompression({ threads, log: ctx.log, expectedBytes: ctx.shape.expectedBytes })
      : config.compress === 'gzip'
        ? config.gzipLevel
        : 'none';
  const chunks = new DocumentChunks(input, plan.chunkSize);
  const { bodies, firstChunkRead } = bodiesAhead(chunks, compression, { parallel: threads, chunkSize: plan.chunkSize });
  let lease: { release(): Promise<void> } | undefined;
  try {
    const connect = async () => {
      const tokens = new TokenProvider(await issuerForConfig(config, ctx, transport, credentials, urls), {
        ttlMs: config.tokenTtlSeconds * 1000,
        secrets: ctx.secrets,
        log: ctx.log,
      });
      const api = new AnaplanApi(transport, config.apiUrl, tokens);
      return { api, target: await resolveUploadTarget(new NameResolver(api, identityOf(config)), config) };
    };
    let api: AnaplanApi;
    let target: UploadTarget;
    try {
      // The first chunk is read before anything is sent: a document that fails or is empty before
      // it then leaves the file in Anaplan as it was (starting an upload drops the file's chunks).
      [, { api, target }] = await Promise.all([firstChunkRead, connect()]);
      // By id, so a pipeline that names the same file differently still waits; held to the end of the import.
      lease = await ctx.exclusive(resolvedFileTarget(config.apiUrl, target));
    } catch (error) {
      await bodies.discard((body) => body.release?.());
      throw error;
    }
    ctx.log.info(`uploading to Anaplan file ${describeObject(target.file)} in model ${describeObject(target.model)}`);

    const session = new AnaplanUploadSession({
      api,
      modelPath: target.modelPath,
      file: target.file,
      concurrency: limit,
      compression,
      signal: ctx.signal,
      progress: ctx.progress,
      log: ctx.log,
      attempts: config.retry.attempts,
    });
    let upload: UploadSummary;
    try {
      // Opens the upload in Anaplan, then sends every chunk.
      upload = await session.uploadAll(bodies);
    } finally {
      // What the transfer settings came to, for the run summary and --json; a failed upload too.
      ctx.progress.report(transferFacts(limit, compression, session.summary()));
    }
    await session.complete();
    ctx.log.info(`Anaplan file ${target.file.id} complete: ${upload.chunks} chunks, ${formatByteSize(upload.bytes)}`);

    const doc = chunks.doc;
    if (!doc) throw new PipeError('the input held no document');
    const fileLine = `Anaplan file ${target.file.id} (${target.file.name}), ${upload.chunks} chunks`;
    const base = uploadDetails(target, upload, config);
    if (!target.action) {
      return { outputs: [fileLine], documents: [{ doc, outputs: [fileLine], rows: chunks.rows }], details: base };
    }

    const outcome = await runTask({
      api,
      modelPath: target.modelPath,
      kind: target.action.kind,
      action: target.action.object,
      localeName: config.localeName,
      mappingParameters: config.mappingParameters,
      pollIntervalMs: config.pollIntervalMs,
      signal: ctx.signal,
      runDir: ctx.runDir,
      log: ctx.log,
      progress: ctx.progress,
    });
    const verdict = judgeTask(outcome, config.acceptFailedRows);
    if (!verdict.ok) throw taskFailure(outcome, verdict, config.acceptFailedRows);
    const details = { ...base, [outcome.kind]: { ...taskDetails(outcome), acceptedFailedRows: verdict.accepted?.allowed } };
    const accepted = verdict.accepted ? ` (accepted: ${verdict.accepted.text})` : '';
    const taskLine = `Anaplan ${outcome.kind} ${describeObject(target.action.object)}: ${describeCounts(outcome.rows, accepted)}${dumpNote(outcome, 'failure dump: ')}`;
    if (verdict.accepted) ctx.log.warn(taskLine);
    else ctx.log.info(taskLine);
    return { outputs: [fileLine, taskLine], documents: [{ doc, outputs: [fileLine], rows: outcome.rows?.succeeded ?? chunks.rows }], details };
  } finally {
    await lease?.release();
    await http.close();
  }
}

/**
 * The upload's bodies, the first one made at once (auto's probes cut, the first chunks at a fixed
 * gzip level compressed) so that it is made while the sink logs in, with CPU the wait leaves idle
 * (auto's gzipped probe waits for the upload's opening request: upload-session.ts); and a
 * promise kept once the first chunk is read, resolving to nothing: one holding chunk 0 would pin
 * it for the whole upload.
 */
function bodiesAhead(
  chunks: DocumentChunks,
  compression: ChunkCompression,
  options: { parallel: number; chunkSize: number },
): { bodies: BodiesAhead; firstChunkRead: Promise<void> } {
  const reader = chunks[Symbol.asyncIterator]();
  const head: ReadAhead<UploadChunk> = { result: reader.next() };
  const firstChunkRead = Promise.resolve(head.result).then(() => undefined);
  return { bodies: new BodiesAhead(chunkBodies(startingWith(head, reader), compression, options)), firstChunkRead };
}

function transferFacts(limit: ConcurrencyLimit, compression: ChunkCompression, upload: UploadSummary): Record<string, string | number> {
  if (typeof compression !== 'object') {
    const name = compression === 'none' ? 'none' : `gzip-${compression}`;
    return { concurrency: limit.limit, http429: upload.http429, compress: name, [`chunks ${name}`]: upload.chunks };
  }
  const chunks = Object.fromEntries(Object.entries(compression.chunksByEncoding).map(([name, n]) => [`chunks ${name}`, n]));
  return { concurrency: limit.limit, http429: upload.http429, compress: compression.encoding?.name ?? 'none', ...chunks };
}

function uploadDetails(target: UploadTarget, upload: UploadSummary, config: AnaplanSinkConfig): Record<string, unknown> {
  return {
    workspaceId: target.workspace.id,
    modelId: target.model.id,
    fileId: target.file.id,
    fileName: target.file.name,
    chunks: upload.chunks,
    bytes: upload.bytes,
    sentBytes: upload.sentBytes,
    compress: config.compress,
  };
}

function taskDetails(outcome: TaskOutcome): Record<string, unknown> {
  return {
    id: outcome.actionId,
    name: outcome.actionName,
    taskId: outcome.taskId,
    taskState: outcome.taskState,
    successful: outcome.successful,
    rowsProcessed: outcome.rows?.processed,
    rowsSucceeded: outcome.rows?.succeeded,
    rowsFailed: outcome.rows?.failed,
    rowsIgnored: outcome.rows?.ignored,
    messages: outcome.messages,
    failureDump: outcome.failureDumps[0],
    failureDumps: outcome.failureDumps,
  };
}

/** Where the failure dump went (`; failure dump saved to …`), or why it could not be saved; empty without one. */
function dumpNote(outcome: TaskOutcome, saved: string): string {
  if (outcome.failureDumps.length) return `; ${saved}${outcome.failureDumps.join(', ')}`;
  if (outcome.dumpErrors.length) return `; the failure dump could not be saved (${outcome.dumpErrors.join('; ')})`;
  return '';
}

function taskFailure(outcome: TaskOutcome, verdict: Extract<TaskVerdict, { ok: false }>, setting: FailedRowsSetting): AnaplanTaskFailedError {
  const task = `Anaplan ${outcome.kind} "${outcome.actionName}" (${outcome.actionId}), task ${outcome.taskId}`;
  const said = outcome.messages.length ? `; Anaplan says: ${outcome.messages.join(' | ')}` : '';
  const limit = !verdict.allowance
    ? ''
    : setting === 0
      ? '; acceptFailedRows is 0: set it (e.g. to 50, or "0.5%" of the rows) to accept some failed rows'
      : `; acceptFailedRows accepts ${verdict.allowance.text}`;
  return new AnaplanTaskFailedError(
    `${task} ${verdict.what}: ${describeCounts(outcome.rows)}${dumpNote(outcome, 'failure dump saved to ')}${said}${limit}`,
    outcome.failureDumps,
  );
}
