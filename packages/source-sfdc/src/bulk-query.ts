/**
 * `soql` mode: a Bulk API 2.0 query job (sfdc.md (a) Option 5). Create the job, poll it until
 * JobComplete, then read the CSV result sets one after the other, following `Sforce-Locator`
 * until it is the string "null". Every set starts with the header row; it is kept once. The rows
 * summed over the sets must equal the job's `numberRecordsProcessed`.
 *
 * Result sets can be fetched again by locator, so a set cut mid-body is fetched again and the
 * bytes already passed on are skipped: the stream downstream continues without a seam.
 *
 * Pieces pass on as they arrive (no copy); rows are counted with core's CSV scanner, which finds
 * line ends with indexOf and keeps the quote parity a word at a time.
 */
import {
  BufferPool,
  bodyPieces,
  countRecords,
  dataPiece,
  docEnd,
  firstRecordEnd,
  isTransientNetworkError,
  noteRecordScan,
  once,
  sleep,
  type Doc,
  type HttpResponse,
  type Logger,
  type Piece,
  type ProgressReporter,
} from '@pipe/core';
import { SfdcError } from './errors';
import { inspectRestResponse, type SalesforceClient } from './salesforce-client';

export interface BulkQueryContext {
  readonly client: SalesforceClient;
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly progress: ProgressReporter;
  readonly pollIntervalMs: number;
  /** Tries per result set when its body breaks off. */
  readonly attempts: number;
}

interface JobInfo {
  id: string;
  state: 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';
  object?: string;
  errorMessage?: string;
  numberRecordsProcessed?: number;
}

const MAX_POLL_INTERVAL_MS = 30_000;
/** The body's small pieces are passed on joined to at least this size: fewer steps downstream, fewer writes in a file sink. */
const PIECE_BYTES = 256 * 1024;
/** Joining buffers kept for reuse: as many pieces as are usually on their way downstream at once. */
const IDLE_PIECE_BUFFERS = 8;

/** The queried object, as the default document name: "SELECT Id FROM Opportunity" -> "Opportunity". */
export function soqlObject(soql: string): string | undefined {
  return /\bFROM\s+([A-Za-z_][A-Za-z0-9_]*)/i.exec(soql)?.[1];
}

async function waitForJob(ctx: BulkQueryContext, jobId: string): Promise<JobInfo> {
  let delay = ctx.pollIntervalMs;
  for (;;) {
    const job = await ctx.client.restJson<JobInfo>('GET', `/jobs/query/${jobId}`, ctx.signal);
    if (job.state === 'JobComplete') return job;
    if (job.state === 'Failed' || job.state === 'Aborted') {
      throw new SfdcError('SFDC_BULK_JOB_FAILED', `Bulk API query job ${jobId} ended ${job.state}${job.errorMessage ? `: ${job.errorMessage}` : ''}`);
    }
    await sleep(delay, ctx.signal);
    delay = Math.min(MAX_POLL_INTERVAL_MS, delay * 2);
  }
}

function header(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export async function* bulkQuery(soql: string, name: string | undefined, ctx: BulkQueryContext): AsyncGenerator<Piece> {
  const started = Date.now();
  const created = await ctx.client.restJson<JobInfo>('POST', '/jobs/query', ctx.signal, {
    operation: 'query',
    query: soql,
    contentType: 'CSV',
    columnDelimiter: 'COMMA',
    lineEnding: 'LF',
  });
  const doc: Doc = { id: created.id, name: name ?? soqlObject(soql) ?? created.id };
  const log = ctx.log.child({ job: created.id });
  log.info(`Bulk API query job ${created.id} created`);
  const job = await waitForJob(ctx, created.id);

  let rows = 0;
  let locator: string | undefined;
  // Each piece's `release` gives its joining buffer back (see bodyPieces).
  const pool = new BufferPool(PIECE_BYTES, IDLE_PIECE_BUFFERS);
  for (let first = true; ; first = false) {
    const set = yield* resultSet(ctx, doc, job.id, locator, first, pool);
    rows += set.rows;
    if (!set.nextLocator || set.nextLocator === 'null') break;
    locator = set.nextLocator;
  }
  if (job.numberRecordsProcessed !== undefined && rows !== job.numberRecordsProcessed) {
    throw new SfdcError(
      'SFDC_ROW_COUNT_MISMATCH',
      `Bulk API query job ${job.id}: the result sets hold ${rows} rows but the job processed ${job.numberRecordsProcessed}`,
    );
  }
  log.info(`Bulk API query job ${job.id}: ${rows} rows`);
  yield docEnd(doc, rows, Date.now() - started);
}

/**
 * One result set: yields its bytes (without the header row after the first set) and returns its
 * data rows and the next locator. A body that breaks off is fetched again, skipping what was read.
 */
async function* resultSet(
  ctx: BulkQueryContext,
  doc: Doc,
  jobId: string,
  locator: string | undefined,
  keepHeader: boolean,
  pool: BufferPool,
): AsyncGenerator<Piece, { rows: number; nextLocator: string | undefined }> {
  const path = `/jobs/query/${jobId}/results${locator ? `?${new URLSearchParams({ locator }).toString()}` : ''}`;
  /** Records ended so far (the header row included), the quote state, and bytes since the last record end. */
  let records = 0;
  let inQuote = false;
  let openRecordBytes = 0;
  let headerDone = false;
  /** Raw bytes of this set already processed, so a re-fetch can skip them. */
  let consumed = 0;
  for (let attempt = 1; ; attempt++) {
    const { response } = await ctx.client.send(
      (session) => ({ method: 'GET', url: ctx.client.restUrl(session, path), headers: { authorization: `Bearer ${session.accessToken}`, accept: 'text/csv' } }),
      (res, req) => inspectRestResponse(res, req, ctx.client.http),
      ctx.signal,
    );
    const nextLocator = header(response, 'sforce-locator');
    let skip = consumed;
    try {
      for await (const raw of bodyPieces(response.body, PIECE_BYTES, pool)) {
        let chunk = raw; // `raw` or a part of it, never a copy
        const giveBack = once(() => pool.give(raw));
        if (skip > 0) {
          const dropped = Math.min(skip, chunk.length);
          skip -= dropped;
          chunk = chunk.subarray(dropped);
          if (chunk.length === 0) {
            giveBack();
            continue;
          }
        }
        consumed += chunk.length;
        let rest = chunk;
        if (!headerDone) {
          // Find the header row's end (quote-aware; it may span chunks). Later sets repeat the
          // header: drop it there, keep it in the first.
          const headerEnd = firstRecordEnd(chunk, 0, inQuote);
          inQuote = headerEnd.inQuote;
          if (headerEnd.end !== -1) {
            headerDone = true;
            records += 1;
            openRecordBytes = 0;
          } else openRecordBytes += chunk.length;
          rest = chunk.subarray(headerEnd.end === -1 ? chunk.length : headerEnd.end);
          if (!keepHeader) chunk = rest;
        }
        const startsInQuote = inQuote;
        const scan = countRecords(rest, 0, rest.length, inQuote);
        records += scan.records;
        inQuote = scan.inQuote;
        openRecordBytes = scan.lastBoundary === -1 ? openRecordBytes + rest.length : rest.length - scan.lastBoundary;
        ctx.progress.add({ records: scan.records });
        if (chunk.length === 0) {
          giveBack();
          continue;
        }
        ctx.progress.add({ bytes: chunk.length });
        // Every byte of it was scanned: chunk-lines after this source need not scan it again.
        if (rest === chunk) noteRecordScan(chunk, { startsInQuote, endsInQuote: scan.inQuote, lastBoundary: scan.lastBoundary });
        yield dataPiece(doc, chunk, undefined, giveBack);
      }
      if (inQuote) throw new SfdcError('SFDC_EXPORT_TRUNCATED', `Bulk API result set of job ${jobId} ended inside a quoted value`);
      // Every set has one header row; a last record without a line end still counts.
      return { rows: records + (openRecordBytes > 0 ? 1 : 0) - 1, nextLocator };
    } catch (error) {
      if (ctx.signal.aborted) throw ctx.signal.reason ?? error;
      const broken = isTransientNetworkError(error) || (error instanceof Error && /terminated|other side closed|socket/i.test(error.message));
      if (!broken || attempt >= ctx.attempts) throw error;
      ctx.log.warn(`Bulk API result set broke off after ${consumed} bytes (${(error as Error).message}); fetching it again from there`);
      ctx.progress.add({ retries: 1 });
    } finally {
      if (!response.body.destroyed) response.body.destroy();
    }
  }
}
