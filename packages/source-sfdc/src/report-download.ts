/**
 * One report, start to end: describe (id and access), export (streamed CSV, footer removed,
 * truncation detected) beside the record count (rows received must equal the report's count), then
 * `end`. The count is a run of the report without details, asked for as the export starts: on
 * Salesforce a run takes seconds, which pass while the body streams instead of after it, and a
 * count taken as the export's own run starts races a data change less than one taken at the end.
 *
 * Pull-based: each data piece is yielded as it arrives (the body's pieces, small ones joined into
 * a reused buffer that each piece's `release` gives back), and the next network read happens only
 * when downstream asks for the next piece, so undici's socket backpressure holds the sender.
 * When an attempt fails before any byte was passed on, the whole report is tried once more from
 * the first byte; after that, failing is the only honest outcome (the sink discards the document).
 */
import {
  BufferPool,
  HttpStatusError,
  bodyPieces,
  dataPiece,
  docEnd,
  isTransientNetworkError,
  noteRecordScan,
  once,
  type Doc,
  type Logger,
  type Piece,
  type ProgressReporter,
} from '@pipe/core';
import { SfdcError } from './errors';
import { FooterDetector } from './footer-detector';
import { countReportRows } from './report-count';
import { describeReport } from './report-describe';
import { openReportExport } from './report-export';
import type { SalesforceClient } from './salesforce-client';
import type { ReportRef } from './config';

export interface ReportDownloadContext {
  readonly client: SalesforceClient;
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly progress: ProgressReporter;
}

const WHOLE_REPORT_ATTEMPTS = 2;
/** The body's small pieces are passed on joined to at least this size: fewer steps downstream, fewer writes in a file sink. */
const PIECE_BYTES = 256 * 1024;
/** Joining buffers kept for reuse: as many pieces as are usually on their way downstream at once. */
const IDLE_PIECE_BUFFERS = 8;

/** Failures a fresh attempt may cure: the export cut or garbled, the count racing a data change, the network. */
function worthAnotherAttempt(error: unknown): boolean {
  if (error instanceof SfdcError) return ['SFDC_EXPORT_TRUNCATED', 'SFDC_ROW_COUNT_MISMATCH', 'SFDC_NOT_CSV'].includes(error.code);
  if (error instanceof HttpStatusError) return error.status >= 500;
  return isTransientNetworkError(error) || (error instanceof Error && /terminated|other side closed|socket/i.test(error.message));
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** HTML sent with a CSV content type is still HTML. */
function assertLooksLikeCsv(first: Buffer, reportId: string): void {
  const start = first.subarray(0, UTF8_BOM.length).equals(UTF8_BOM) ? first.subarray(UTF8_BOM.length) : first;
  const head = start.subarray(0, 64).toString('utf8').trimStart().toLowerCase();
  if (head.startsWith('<!doctype') || head.startsWith('<html') || head.startsWith('<?xml')) {
    throw new SfdcError('SFDC_NOT_CSV', `the export of report ${reportId} sent an HTML page labelled as CSV; nothing of it was passed on`);
  }
}

export async function* downloadReport(ref: ReportRef, ctx: ReportDownloadContext): AsyncGenerator<Piece> {
  const started = Date.now();
  const description = await describeReport(ctx.client, ref.id, ctx.signal);
  const doc: Doc = { id: ref.id, name: ref.name ?? description.name };
  const log = ctx.log.child({ report: ref.id, name: doc.name });
  const pool = new BufferPool(PIECE_BYTES, IDLE_PIECE_BUFFERS);

  for (let attempt = 1; ; attempt++) {
    let passedBytes = 0;
    const count = new PendingCount(ctx.client, ref.id, ctx.signal);
    let response: Awaited<ReturnType<typeof openReportExport>>;
    try {
      response = await openReportExport(ctx.client, ref.id, ctx.signal);
    } catch (error) {
      count.cancel();
      throw error;
    }
    const detector = new FooterDetector();
    try {
      let countedRows = 0;
      for await (const chunk of bodyPieces(response.body, PIECE_BYTES, pool)) {
        if (passedBytes === 0 && detector.heldBytes === 0) assertLooksLikeCsv(chunk, ref.id);
        const data = detector.push(chunk); // the chunk itself or a part of it, or a copy (the detector copies what it holds)
        const giveBack = once(() => pool.give(chunk));
        if (data.length === 0 || data.buffer !== chunk.buffer) giveBack();
        if (data.length === 0) continue;
        // The detector read every byte of it: chunk-lines after this source need not read them again.
        if (data === chunk) noteRecordScan(data, detector.lastChunkScan());
        passedBytes += data.length;
        ctx.progress.add({ bytes: data.length, records: detector.rows - countedRows });
        countedRows = detector.rows;
        yield dataPiece(doc, data, undefined, giveBack);
      }
      const end = detector.finish();
      if (end.rows !== countedRows) ctx.progress.add({ records: end.rows - countedRows });
      if (
        detector.headerFields !== undefined &&
        description.format === 'TABULAR' &&
        description.detailColumns.length > 0 &&
        detector.headerFields !== description.detailColumns.length
      ) {
        log.warn(`the export's header has ${detector.headerFields} columns, the report describes ${description.detailColumns.length}`);
      }
      log.debug(`footer removed: ${end.footerLines.join(' | ')}`);
      const expected = await count.rows;
      if (expected !== end.rows) {
        throw new SfdcError(
          'SFDC_ROW_COUNT_MISMATCH',
          `report ${ref.id} ("${doc.name}"): the export has ${end.rows} data rows but the report counts ${expected}. ` +
            'The data may have changed during the download; run again (a pipeline-level `retries:` starts over from the first byte).',
        );
      }
      // The per-report line of the summary the Python tool wrote; the engine keeps rows and bytes too.
      const durationMs = Date.now() - started;
      log.info(`report downloaded: ${end.rows} rows, ${passedBytes} bytes in ${durationMs} ms`);
      yield docEnd(doc, end.rows, durationMs);
      return;
    } catch (error) {
      if (ctx.signal.aborted) throw ctx.signal.reason ?? error;
      if (passedBytes === 0 && attempt < WHOLE_REPORT_ATTEMPTS && worthAnotherAttempt(error)) {
        log.warn(`report attempt ${attempt} failed before any data was passed on (${(error as Error).message}); starting over`);
        ctx.progress.add({ retries: 1 });
        continue;
      }
      if (passedBytes > 0 && !(error instanceof SfdcError)) {
        throw new SfdcError(
          'SFDC_EXPORT_TRUNCATED',
          `the export of report ${ref.id} ("${doc.name}") broke off after ${passedBytes} bytes: ${(error as Error).message}`,
          { cause: error },
        );
      }
      throw error;
    } finally {
      // Early return (downstream stopped) or failure: free the connections now.
      count.cancel();
      if (!response.body.destroyed) response.body.destroy();
    }
  }
}

/** The report's record count, asked for now and awaited later. */
class PendingCount {
  readonly rows: Promise<number>;
  private readonly abort = new AbortController();

  constructor(client: SalesforceClient, reportId: string, signal: AbortSignal) {
    this.rows = countReportRows(client, reportId, AbortSignal.any([signal, this.abort.signal]));
    // Awaited only once the body is through: a failure before then is not an unhandled rejection.
    this.rows.catch(() => undefined);
  }

  /** Stop asking (nothing waits for the answer any more); harmless once answered. */
  cancel(): void {
    this.abort.abort();
  }
}
