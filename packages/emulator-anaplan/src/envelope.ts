/**
 * Response shapes of the three Anaplan hosts. Each host has its own error envelope, so every
 * error is rendered through the helper of the family its path belongs to.
 */
import { STATUS_CODES } from 'node:http';

/** A fully rendered response; the server decides how (or whether) to put it on the wire. */
export interface EmulatorResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Which real host a path imitates; decides the error envelope. */
export type HostFamily = 'auth' | 'oauth' | 'integration' | 'page' | 'control';

export function familyOf(path: string): HostFamily {
  if (path.startsWith('/token/')) return 'auth';
  if (path.startsWith('/oauth/')) return 'oauth';
  if (path === '/2/0' || path.startsWith('/2/0/')) return 'integration';
  if (path.startsWith('/__emulator')) return 'control';
  return 'page';
}

export const SUCCESS_STATUS = { code: 200, message: 'Success' } as const;

export function json(status: number, value: unknown, headers: Record<string, string> = {}): EmulatorResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.from(JSON.stringify(value), 'utf8'),
  };
}

/** 204 and friends: no body and, like the real chunk PUT, no Content-Type. */
export function empty(status: number, headers: Record<string, string> = {}): EmulatorResponse {
  return { status, headers, body: Buffer.alloc(0) };
}

export function bytes(status: number, body: Buffer, contentType: string): EmulatorResponse {
  return { status, headers: { 'content-type': contentType }, body };
}

export function html(status: number, markup: string): EmulatorResponse {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8' }, body: Buffer.from(markup, 'utf8') };
}

export function statusText(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

/** Integration API error envelope (OAS `ErrorResponse`, live-observed field names). */
export function integrationError(status: number, path: string, message?: string): EmulatorResponse {
  return json(status, {
    status: { code: status, message: message ?? statusText(status) },
    path,
    timestamp: new Date().toISOString(),
  });
}

export type AuthFailureCode = 'FAILURE_BAD_CREDENTIAL' | 'FAILURE_BAD_HEADER' | 'FAILURE_BAD_REQUEST' | 'FAILURE';

/** Auth-service error body (OAS auth spec `ErrorResponse`). */
export function authError(status: number, code: AuthFailureCode, statusMessage: string): EmulatorResponse {
  return json(status, { status: code, statusMessage });
}

/** RFC 6749 / RFC 8628 error body, as the OAuth host answers. */
export function oauthError(status: number, error: string, description: string): EmulatorResponse {
  return json(status, { error, error_description: description });
}

/** An error in the envelope of whichever host `path` belongs to. */
export function errorFor(path: string, status: number, message?: string): EmulatorResponse {
  switch (familyOf(path)) {
    case 'auth':
      return authError(status, status === 401 ? 'FAILURE_BAD_CREDENTIAL' : 'FAILURE', message ?? statusText(status));
    case 'oauth':
      return oauthError(status, oauthErrorCodeFor(status), message ?? statusText(status));
    case 'page':
      return html(status, `<!doctype html><title>${status}</title><p>${escapeHtml(message ?? statusText(status))}</p>`);
    default:
      return integrationError(status, path, message);
  }
}

function oauthErrorCodeFor(status: number): string {
  if (status === 401) return 'invalid_token';
  if (status === 429 || status === 503) return 'temporarily_unavailable';
  if (status >= 500) return 'server_error';
  return 'invalid_request';
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface PageQuery {
  offset: number;
  limit: number;
}

/** `offset`/`limit` as the Integration API reads them; the observed default page size is 5000. */
export function pageQuery(query: URLSearchParams): PageQuery {
  const offset = Number.parseInt(query.get('offset') ?? '0', 10);
  const limit = Number.parseInt(query.get('limit') ?? '5000', 10);
  return {
    offset: Number.isFinite(offset) && offset > 0 ? offset : 0,
    limit: Number.isFinite(limit) && limit > 0 ? limit : 5000,
  };
}

/** A list answer with `meta.paging`, e.g. `{"meta":{"paging":…,"schema":…},"status":…,"files":[…]}`. */
export function pagedList<T>(key: string, items: readonly T[], query: URLSearchParams, schema?: string): EmulatorResponse {
  const { offset, limit } = pageQuery(query);
  const page = items.slice(offset, offset + limit);
  const meta: Record<string, unknown> = { paging: { currentPageSize: page.length, offset, totalSize: items.length } };
  if (schema !== undefined) meta['schema'] = schema;
  return json(200, { meta, status: SUCCESS_STATUS, [key]: page });
}

/** A single-object answer, e.g. `{"meta":{"schema":…},"status":…,"file":{…}}`. */
export function objectEnvelope(key: string, value: unknown, schema: string): EmulatorResponse {
  return json(200, { meta: { schema }, status: SUCCESS_STATUS, [key]: value });
}
