/**
 * Small HTTP helpers shared by the handlers: one request/response pair with its log record,
 * body reading, cookies, and senders that keep the record's byte count honest.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { RestErrorItem } from './errors';
import type { RequestRecordDraft } from './request-log';

/** One request being answered. */
export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly record: RequestRecordDraft;
}

/** Thrown by readBody when a body exceeds the limit; answered as 413. */
export class BodyTooLargeError extends Error {
  constructor(limit: number) {
    super(`request body exceeds ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

export async function readBody(req: IncomingMessage, limit = 1024 * 1024): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new BodyTooLargeError(limit);
    parts.push(buf);
  }
  return Buffer.concat(parts);
}

export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new URLSearchParams((await readBody(req)).toString('utf8'));
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    cookies.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return cookies;
}

/** The token of "Authorization: Bearer x" (Salesforce also accepts the older "OAuth x"). */
export function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^(?:Bearer|OAuth)\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

/** Writes a complete response and counts its body bytes. */
export function send(ex: Exchange, status: number, headers: OutgoingHttpHeaders, body: string | Buffer = ''): void {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  ex.record.status = status;
  ex.record.bodyBytes += buf.length;
  ex.res.writeHead(status, { ...headers, 'content-length': buf.length });
  ex.res.end(buf);
}

export function sendJson(ex: Exchange, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  send(ex, status, { 'content-type': 'application/json;charset=UTF-8', ...headers }, JSON.stringify(body));
}

export function sendRestError(ex: Exchange, status: number, error: RestErrorItem, headers: OutgoingHttpHeaders = {}): void {
  sendJson(ex, status, [error], headers);
}

export function sendHtml(ex: Exchange, status: number, html: string, headers: OutgoingHttpHeaders = {}): void {
  send(ex, status, { 'content-type': 'text/html;charset=UTF-8', 'cache-control': 'no-cache,must-revalidate,max-age=0,no-store,private', ...headers }, html);
}

export function sendRedirect(ex: Exchange, location: string, headers: OutgoingHttpHeaders = {}): void {
  send(ex, 302, { location, 'content-type': 'text/html;charset=UTF-8', ...headers });
}

/** Minimal HTML page, used for the login page and the UI's error pages. */
export function htmlPage(title: string, body: string): string {
  return `<!DOCTYPE html>\n<html><head><meta charset="UTF-8"><title>${title}</title></head><body>${body}</body></html>\n`;
}

/** Resolves after ms, or early (without rejecting) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
