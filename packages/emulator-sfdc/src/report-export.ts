/**
 * The classic UI export servlet, GET /{reportId}?export=1&enc=UTF-8&xf=csv with the session in
 * the sid cookie (sfdc.md (a) Option 1): every row streamed with chunked transfer encoding, then
 * the footer. Without a valid sid the UI redirects to the login page, as a browser would see.
 */
import { destroyConnection, streamChunks } from './body-stream';
import { htmlPage, sendHtml, sendRedirect, type Exchange } from './http-io';
import { reportBodyChunks, reportFooter, type ReportSpec } from './report-generator';
import { canRunReport, findReport, type EmulatorState } from './state';
import { handleUnknownPage, loginRedirectUrl, uiSession } from './ui-pages';

/** Content type of the CSV export (a Guess, see sfdc.md open question 3). */
export const EXPORT_CONTENT_TYPE = 'text/csv; charset=UTF-8';

/** Export formats the emulator serves: xf=csv and xf=localecsv (grouped numbers). */
const FORMATS = { csv: 'export-csv', localecsv: 'export-localecsv' } as const;

function* bodyThenFooter(body: Iterable<Buffer>, footer: Buffer): Generator<Buffer> {
  yield* body;
  if (footer.length > 0) yield footer;
}

/** The report page the UI shows when the URL has no export parameter. */
function reportPage(ex: Exchange, report: ReportSpec): void {
  sendHtml(ex, 200, htmlPage(`${report.name} ~ Salesforce`, `<h1>${report.name}</h1>`), { 'cache-control': 'private' });
}

/** GET /{reportId}[?export=...&enc=...&xf=...] */
export async function handleReportExport(state: EmulatorState, ex: Exchange, reportId: string): Promise<void> {
  const session = uiSession(state, ex);
  if (session === undefined) return sendRedirect(ex, loginRedirectUrl(state, ex));
  const report = findReport(state, reportId);
  if (report === undefined) return handleUnknownPage(ex);
  if (!canRunReport(report, session.username)) {
    // The UI renders an error page with status 200 (a Guess): a client must check the content type.
    return sendHtml(
      ex,
      200,
      htmlPage('Insufficient Privileges', '<p>You do not have the level of access necessary to perform the operation you requested.</p>'),
    );
  }
  const q = ex.url.searchParams;
  if (!q.has('export')) return reportPage(ex, report);
  const xf = (q.get('xf') ?? 'csv').toLowerCase();
  const enc = (q.get('enc') ?? 'UTF-8').toUpperCase();
  if (!(xf in FORMATS)) return sendHtml(ex, 400, htmlPage('Error', `<p>The emulator exports xf=csv and xf=localecsv, not "${xf}".</p>`));
  if (enc !== 'UTF-8' && enc !== 'UTF8') return sendHtml(ex, 400, htmlPage('Error', `<p>The emulator exports enc=UTF-8 only, not "${enc}".</p>`));

  const target = { surface: 'export' as const, method: ex.req.method ?? 'GET', path: ex.url.pathname, reportId };
  const drop = state.faults.take('drop-connection', target);
  const noFooter = state.faults.take('missing-footer', target);
  const short = state.faults.take('short-export', target);
  const throttle = state.faults.take('throttle', target);
  for (const [kind, fault] of [
    ['drop-connection', drop],
    ['missing-footer', noFooter],
    ['short-export', short],
    ['throttle', throttle],
  ] as const) {
    if (fault !== undefined) ex.record.faults.push(kind);
  }

  const user = state.users.get(session.username.toLowerCase());
  const generatedAt = new Date(state.now());
  const footer =
    noFooter === undefined
      ? reportFooter(report, { orgName: state.orgName, generatedBy: user?.displayName ?? session.username, generatedAt })
      : Buffer.alloc(0);
  ex.record.status = 200;
  ex.res.writeHead(200, {
    'content-type': EXPORT_CONTENT_TYPE,
    'content-disposition': `attachment; filename="report${generatedAt.getTime()}.csv"`,
    'cache-control': 'private',
  });
  // Headers go out before the first row, as a real server that starts rendering would send them.
  ex.res.flushHeaders();

  const format = FORMATS[xf as keyof typeof FORMATS];
  const served = short === undefined ? report : { ...report, rows: Math.max(0, report.rows - (short.missingRows ?? 1)) };
  const body = served === report ? state.bodyCache.chunks(report, format, () => reportBodyChunks(report, { format })) : reportBodyChunks(served, { format });
  const outcome = await streamChunks(
    ex,
    ex.res,
    bodyThenFooter(body, footer),
    { dropAfterBytes: drop?.afterBytes, bytesPerSecond: throttle?.bytesPerSecond },
    state.shutdown.signal,
  );
  if (outcome === 'aborted') return;
  if (outcome === 'dropped' && drop?.clean !== true) return destroyConnection(ex);
  if (noFooter?.hang === true && outcome === 'completed') {
    // Keep the response open until the client gives up or the emulator stops.
    await new Promise<void>((resolve) => {
      ex.res.once('close', resolve);
      state.shutdown.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    if (!ex.res.destroyed) destroyConnection(ex);
    return;
  }
  ex.res.end();
}

/** Export-only fault: 302 back to the very same URL, for clients that follow redirects forever. */
export function sendRedirectLoop(state: EmulatorState, ex: Exchange): void {
  sendRedirect(ex, `${state.baseUrl}${ex.url.pathname}${ex.url.search}`);
}
