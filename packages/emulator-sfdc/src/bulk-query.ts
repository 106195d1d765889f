/**
 * Bulk API 2.0 query jobs (sfdc.md (a) Option 5): create from SOQL over a configured dataset,
 * poll UploadComplete -> InProgress -> JobComplete, then page CSV result sets by locator. Each set
 * is a standalone CSV with its own header row; Sforce-Locator is the literal "null" on the last.
 */
import { createGzip } from 'node:zlib';
import { destroyConnection, streamChunks } from './body-stream';
import { csvLine } from './csv-format';
import { NOT_FOUND, type RestErrorItem } from './errors';
import { readBody, sendJson, sendRestError, type Exchange } from './http-io';
import { makeId, toId18 } from './ids';
import type { BulkDatasetSpec, BulkField } from './options';
import { formatCell, generateCell } from './report-generator';
import type { Session } from './sessions';
import type { EmulatorState } from './state';

export type BulkJobState = 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

const DELIMITERS = { BACKQUOTE: '`', CARET: '^', COMMA: ',', PIPE: '|', SEMICOLON: ';', TAB: '\t' } as const;
type DelimiterName = keyof typeof DELIMITERS;
const LINE_ENDINGS = { LF: '\n', CRLF: '\r\n' } as const;
type LineEndingName = keyof typeof LINE_ENDINGS;

export interface BulkQueryJob {
  readonly id: string;
  readonly operation: 'query' | 'queryAll';
  readonly object: string;
  readonly dataset: BulkDatasetSpec;
  /** Selected fields with their index in the dataset, so a record's values do not depend on the SELECT order. */
  readonly fields: readonly { readonly field: BulkField; readonly index: number }[];
  readonly totalRecords: number;
  readonly columnDelimiter: DelimiterName;
  readonly lineEnding: LineEndingName;
  readonly createdById: string;
  readonly createdDate: string;
  readonly apiVersion: number;
  state: BulkJobState;
  polls: number;
  /** Set when a bulk-job-failed fault was armed at creation. */
  readonly failWith?: string;
  errorMessage?: string;
}

/** Jobs per emulator, with a counter so ids stay unique after deletes. */
const jobStores = new WeakMap<EmulatorState, { readonly byId: Map<string, BulkQueryJob>; created: number }>();

function jobStore(state: EmulatorState): { readonly byId: Map<string, BulkQueryJob>; created: number } {
  let store = jobStores.get(state);
  if (store === undefined) jobStores.set(state, (store = { byId: new Map(), created: 0 }));
  return store;
}

/** Salesforce's JSON datetime form in job info: "2024-03-05T13:07:00.000+0000". */
function sfDateTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

class SoqlError extends Error {
  constructor(readonly item: RestErrorItem) {
    super(item.message);
  }
}

/** Fields after "SELECT" must be plain field names: Bulk 2.0 rejects aggregates, FIELDS(), TYPEOF and subqueries (B2-JOB). */
function parseSoql(state: EmulatorState, soql: string): { dataset: BulkDatasetSpec; fields: BulkQueryJob['fields']; limit?: number } {
  const match = /^\s*SELECT\s+([\s\S]+?)\s+FROM\s+([A-Za-z_][A-Za-z0-9_]*)\b([\s\S]*)$/i.exec(soql);
  if (match === null) throw new SoqlError({ errorCode: 'MALFORMED_QUERY', message: `unexpected token in query: ${soql.trim().slice(0, 80)}` });
  const [, fieldList, object, tail] = match as unknown as [string, string, string, string];
  if (/\(|\bTYPEOF\b/i.test(fieldList) || /\bGROUP\s+BY\b|\bOFFSET\b/i.test(tail)) {
    throw new SoqlError({
      errorCode: 'MALFORMED_QUERY',
      message: 'Aggregate functions, FIELDS(), TYPEOF, subqueries, GROUP BY and OFFSET are not supported by Bulk API 2.0 query',
    });
  }
  const dataset = state.datasets.get(object.toLowerCase());
  if (dataset === undefined) throw new SoqlError({ errorCode: 'INVALID_TYPE', message: `sObject type '${object}' is not supported.` });
  const available = dataset.fields ?? [];
  const fields = fieldList.split(',').map((raw) => {
    const name = raw.trim();
    const index = available.findIndex((f) => f.name.toLowerCase() === name.toLowerCase());
    if (index < 0) {
      throw new SoqlError({
        errorCode: 'INVALID_FIELD',
        message: `No such column '${name}' on entity '${dataset.object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.`,
      });
    }
    return { field: available[index], index };
  });
  // WHERE and ORDER BY are accepted but not evaluated: the rows are synthetic. LIMIT is applied.
  const limit = /\bLIMIT\s+(\d+)\s*$/i.exec(tail);
  return { dataset, fields, limit: limit === null ? undefined : Number(limit[1]) };
}

function jobInfo(job: BulkQueryJob, detailed: boolean): Record<string, unknown> {
  const base: Record<string, unknown> = {
    id: job.id,
    operation: job.operation,
    object: job.dataset.object,
    createdById: job.createdById,
    createdDate: job.createdDate,
    systemModstamp: job.createdDate,
    state: job.state,
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: job.apiVersion,
    lineEnding: job.lineEnding,
    columnDelimiter: job.columnDelimiter,
  };
  if (!detailed) return base;
  return {
    ...base,
    ...(job.errorMessage === undefined ? {} : { errorMessage: job.errorMessage }),
    jobType: 'V2Query',
    numberRecordsProcessed: job.state === 'JobComplete' ? job.totalRecords : 0,
    retries: 0,
    totalProcessingTime: job.state === 'JobComplete' ? 250 : 0,
    isPkChunkingSupported: true,
  };
}

async function createJob(state: EmulatorState, ex: Exchange, session: Session, version: string): Promise<void> {
  let request: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse((await readBody(ex.req)).toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    request = parsed as Record<string, unknown>;
  } catch {
    return sendRestError(ex, 400, { errorCode: 'JSON_PARSER_ERROR', message: 'The request body is not a JSON object' });
  }
  const operation = request.operation ?? 'query';
  if (operation !== 'query' && operation !== 'queryAll') {
    return sendRestError(ex, 400, { errorCode: 'INVALIDJOB', message: `Invalid operation: ${String(operation)}` });
  }
  if ((request.contentType ?? 'CSV') !== 'CSV') return sendRestError(ex, 400, { errorCode: 'INVALIDJOB', message: 'contentType must be CSV' });
  const delimiter = String(request.columnDelimiter ?? 'COMMA');
  const lineEnding = String(request.lineEnding ?? 'LF');
  if (!(delimiter in DELIMITERS)) return sendRestError(ex, 400, { errorCode: 'INVALIDJOB', message: `Invalid columnDelimiter: ${delimiter}` });
  if (!(lineEnding in LINE_ENDINGS)) return sendRestError(ex, 400, { errorCode: 'INVALIDJOB', message: `Invalid lineEnding: ${lineEnding}` });
  if (typeof request.query !== 'string') return sendRestError(ex, 400, { errorCode: 'INVALIDJOB', message: 'query is required' });
  let parsed: ReturnType<typeof parseSoql>;
  try {
    parsed = parseSoql(state, request.query);
  } catch (error) {
    if (error instanceof SoqlError) return sendRestError(ex, 400, error.item);
    throw error;
  }
  const failure = state.faults.take('bulk-job-failed', { surface: 'rest', method: 'POST', path: ex.url.pathname });
  if (failure !== undefined) ex.record.faults.push('bulk-job-failed');
  const store = jobStore(state);
  const job: BulkQueryJob = {
    id: makeId('750', ++store.created),
    operation,
    object: parsed.dataset.object,
    dataset: parsed.dataset,
    fields: parsed.fields,
    totalRecords: Math.min(parsed.dataset.rows, parsed.limit ?? Infinity),
    columnDelimiter: delimiter as DelimiterName,
    lineEnding: lineEnding as LineEndingName,
    createdById: state.users.get(session.username.toLowerCase())?.userId ?? '',
    createdDate: sfDateTime(state.now()),
    apiVersion: Number(version),
    state: 'UploadComplete',
    polls: 0,
    failWith: failure === undefined ? undefined : (failure.errorMessage ?? 'InternalServerError : Retried more than 15 times'),
  };
  store.byId.set(job.id, job);
  sendJson(ex, 200, jobInfo(job, false));
}

/** Each status poll moves the job one step on, so a client's polling loop is exercised. */
function advance(state: EmulatorState, job: BulkQueryJob): void {
  if (job.state !== 'UploadComplete' && job.state !== 'InProgress') return;
  job.polls += 1;
  if (job.polls < state.bulkPollsUntilComplete) job.state = 'InProgress';
  else if (job.failWith !== undefined) {
    job.state = 'Failed';
    job.errorMessage = job.failWith;
  } else job.state = 'JobComplete';
}

/** Locators are opaque to clients; here base64url of the next record offset. */
function encodeLocator(offset: number): string {
  return Buffer.from(String(offset), 'utf8').toString('base64url');
}

function decodeLocator(locator: string): number | undefined {
  const text = Buffer.from(locator, 'base64url').toString('utf8');
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

function* resultSetChunks(job: BulkQueryJob, from: number, to: number): Generator<Buffer> {
  const delimiter = DELIMITERS[job.columnDelimiter];
  const eol = LINE_ENDINGS[job.lineEnding];
  const seed = job.dataset.seed ?? 1;
  let pending = csvLine(
    job.fields.map((f) => f.field.name),
    delimiter,
    eol,
  );
  for (let row = from; row < to; row++) {
    const values = job.fields.map(({ field, index }) => formatCell(generateCell(seed, row, index, field), field.type, 'bulk'));
    pending += csvLine(values, delimiter, eol);
    if (pending.length >= 64 * 1024) {
      yield Buffer.from(pending, 'utf8');
      pending = '';
    }
  }
  if (pending.length > 0) yield Buffer.from(pending, 'utf8');
}

/** What a result set's bytes depend on besides the dataset. */
function resultSetVariant(job: BulkQueryJob, from: number, to: number): string {
  return [job.fields.map((f) => f.index).join(','), job.columnDelimiter, job.lineEnding, from, to].join(' ');
}

async function sendResults(state: EmulatorState, ex: Exchange, job: BulkQueryJob): Promise<void> {
  if (job.state !== 'JobComplete') {
    return sendRestError(ex, 400, {
      errorCode: 'INVALIDJOBSTATE',
      message: `Query job ${job.id} is in state ${job.state}; results are available once it is JobComplete`,
    });
  }
  const q = ex.url.searchParams;
  const locator = q.get('locator');
  const from = locator === null || locator === '' ? 0 : decodeLocator(locator);
  if (from === undefined || from > job.totalRecords) return sendRestError(ex, 400, { errorCode: 'INVALID_QUERY_LOCATOR', message: 'invalid query locator' });
  const maxRaw = q.get('maxRecords');
  const max = maxRaw === null ? state.bulkDefaultPageSize : Number(maxRaw);
  if (!Number.isInteger(max) || max <= 0) return sendRestError(ex, 400, { errorCode: 'INVALIDJOB', message: `Invalid maxRecords: ${maxRaw}` });
  const to = Math.min(job.totalRecords, from + max);
  const gzip = /\bgzip\b/i.test(String(ex.req.headers['accept-encoding'] ?? ''));
  const target = { surface: 'rest' as const, method: 'GET', path: ex.url.pathname };
  const drop = state.faults.take('drop-connection', target);
  const throttle = state.faults.take('throttle', target);
  if (drop !== undefined) ex.record.faults.push('drop-connection');
  if (throttle !== undefined) ex.record.faults.push('throttle');

  ex.record.status = 200;
  ex.res.writeHead(200, {
    'content-type': 'text/csv',
    'sforce-locator': to < job.totalRecords ? encodeLocator(to) : 'null',
    'sforce-numberofrecords': String(to - from),
    ...(gzip ? { 'content-encoding': 'gzip', vary: 'Accept-Encoding' } : {}),
  });
  ex.res.flushHeaders();
  const sink = gzip ? createGzip() : ex.res;
  if (gzip) sink.pipe(ex.res);
  const outcome = await streamChunks(
    ex,
    sink,
    state.bodyCache.chunks(job.dataset, resultSetVariant(job, from, to), () => resultSetChunks(job, from, to)),
    { dropAfterBytes: drop?.afterBytes, bytesPerSecond: throttle?.bytesPerSecond },
    state.shutdown.signal,
  );
  if (outcome === 'aborted') return void (gzip && sink.destroy());
  if (outcome === 'dropped' && drop?.clean !== true) return destroyConnection(ex);
  sink.end();
}

/** Routes /services/data/vNN.0/jobs/query{rest}. */
export async function handleBulkQuery(state: EmulatorState, ex: Exchange, session: Session, version: string, rest: string): Promise<void> {
  const method = ex.req.method ?? 'GET';
  const store = jobStore(state).byId;
  if (rest === '' || rest === '/') {
    if (method === 'POST') return createJob(state, ex, session, version);
    if (method === 'GET') return sendJson(ex, 200, { done: true, records: [...store.values()].map((j) => jobInfo(j, false)), nextRecordsUrl: null });
    return sendRestError(ex, 405, { errorCode: 'METHOD_NOT_ALLOWED', message: `HTTP Method '${method}' not allowed. Allowed are GET,POST` });
  }
  const match = /^\/([A-Za-z0-9]{15}|[A-Za-z0-9]{18})(\/results)?\/?$/.exec(rest);
  const job = match === null ? undefined : store.get(toId18(match[1]));
  if (match === null || job === undefined) return sendRestError(ex, 404, NOT_FOUND);
  if (match[2] === '/results') {
    if (method !== 'GET') return sendRestError(ex, 405, { errorCode: 'METHOD_NOT_ALLOWED', message: `HTTP Method '${method}' not allowed. Allowed are GET` });
    return sendResults(state, ex, job);
  }
  if (method === 'GET') {
    advance(state, job);
    return sendJson(ex, 200, jobInfo(job, true));
  }
  if (method === 'DELETE') {
    store.delete(job.id);
    ex.record.status = 204;
    ex.res.writeHead(204).end();
    return;
  }
  if (method === 'PATCH') {
    const body = (await readBody(ex.req)).toString('utf8');
    if (!/"state"\s*:\s*"Aborted"/.test(body)) return sendRestError(ex, 400, { errorCode: 'INVALIDJOB', message: 'Only {"state":"Aborted"} is accepted' });
    if (job.state === 'UploadComplete' || job.state === 'InProgress') job.state = 'Aborted';
    return sendJson(ex, 200, jobInfo(job, false));
  }
  sendRestError(ex, 405, { errorCode: 'METHOD_NOT_ALLOWED', message: `HTTP Method '${method}' not allowed. Allowed are GET,PATCH,DELETE` });
}
