/**
 * The report export servlet, GET {instance}/{reportId}?isdtp=p1&export=1&enc=UTF-8&xf=csv with the
 * session as the `sid` cookie (sfdc.md (a) Option 1): undocumented, so nothing is trusted. Only a
 * 200 with a CSV content type is opened as data; the detour to the login page means the session
 * expired; any other page (HTML error, maintenance, "Insufficient Privileges") is an error.
 */
import { HttpStatusError, type HttpRequest, type HttpResponse } from '@pipe/core';
import { SfdcError } from './errors';
import type { SalesforceClient, ResponseVerdict } from './salesforce-client';

const CSV_TYPE = /^\s*(text\/csv|application\/csv|text\/comma-separated-values|application\/vnd\.ms-excel)\b/i;

export function exportUrl(instanceUrl: string, reportId: string): string {
  return `${instanceUrl}/${reportId}?isdtp=p1&export=1&enc=UTF-8&xf=csv`;
}

function header(response: HttpResponse, name: string): string {
  const value = response.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/** A login page, where the servlet sends a request whose session is gone. */
function isLoginLocation(location: string): boolean {
  try {
    const url = new URL(location, 'https://x.invalid');
    return url.pathname === '/' || /login|startURL/i.test(url.pathname + url.search);
  } catch {
    return false;
  }
}

function pageTitle(html: string): string {
  return /<title>([^<]*)<\/title>/i.exec(html)?.[1]?.trim() ?? html.slice(0, 120).replace(/\s+/g, ' ');
}

export async function inspectExportResponse(
  response: HttpResponse,
  request: HttpRequest,
  reportId: string,
  client: SalesforceClient,
): Promise<ResponseVerdict> {
  const status = response.statusCode;
  const type = header(response, 'content-type');
  if (status >= 300 && status < 400) {
    await response.body.dump();
    const location = header(response, 'location');
    if (isLoginLocation(location)) return { kind: 'expired', why: 'the export redirected to the login page' };
    throw new SfdcError(
      'SFDC_NOT_CSV',
      `the export of report ${reportId} redirected (${status}) to ${location.replace(/[?#].*$/, '')} instead of answering CSV`,
    );
  }
  if (status === 200 && CSV_TYPE.test(type)) return { kind: 'ok' };
  const text = await response.body.text();
  if (status >= 500) throw client.http.statusError(request, status, text, response.headers);
  const title = pageTitle(text);
  if (status === 200 && /login/i.test(title)) return { kind: 'expired', why: 'the export answered the login page' };
  if (status === 404) throw new SfdcError('SFDC_REPORT_NOT_FOUND', `the export of report ${reportId} answered 404 (${title})`);
  throw new SfdcError(
    'SFDC_NOT_CSV',
    `the export of report ${reportId} answered ${status} ${type || 'without a content type'} ("${title}") instead of CSV; nothing of it was passed on`,
    { cause: status >= 400 ? new HttpStatusError(request.method, request.url, status, '') : undefined },
  );
}

/** Opens the export; the body is unread (a stream) and must be consumed or destroyed by the caller. */
export async function openReportExport(client: SalesforceClient, reportId: string, signal: AbortSignal): Promise<HttpResponse> {
  const { response } = await client.send(
    (session) => ({
      method: 'GET',
      url: exportUrl(session.instanceUrl, reportId),
      headers: { cookie: `sid=${session.accessToken}`, accept: 'text/csv' },
    }),
    (res, req) => inspectExportResponse(res, req, reportId, client),
    signal,
  );
  return response;
}
