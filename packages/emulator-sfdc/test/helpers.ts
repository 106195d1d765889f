/** Shared helpers for the emulator tests: HTTP calls through undici, JWT signing, CSV record counting. */
import { request, type Dispatcher } from 'undici';
import { signJwtAssertion, type SfdcEmulator } from '../src';

export interface HttpResult {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
  readonly text: string;
  json<T = unknown>(): T;
}

export interface CallOptions {
  readonly method?: Dispatcher.HttpMethod;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  readonly token?: string;
  readonly sid?: string;
  readonly dispatcher?: Dispatcher;
}

/** One HTTP exchange, body read in full. Redirects are not followed, so 302s stay visible. */
export async function call(url: string, options: CallOptions = {}): Promise<HttpResult> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.sid !== undefined) headers.cookie = `sid=${options.sid}`;
  const response = await request(url, { method: options.method ?? 'GET', headers, body: options.body, dispatcher: options.dispatcher });
  const body = Buffer.from(await response.body.arrayBuffer());
  const text = body.toString('utf8');
  return { status: response.statusCode, headers: response.headers, body, text, json: <T>() => JSON.parse(text) as T };
}

/** POST application/x-www-form-urlencoded, as every OAuth token request is sent. */
export function postForm(url: string, fields: Record<string, string>): Promise<HttpResult> {
  return call(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}

export function postJson(url: string, body: unknown, token?: string): Promise<HttpResult> {
  return call(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), token });
}

export interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  instance_url: string;
  id: string;
  token_type: string;
  issued_at: string;
  signature: string;
  scope?: string;
}

/** A JWT bearer grant for ops@acme.com through the seeded app. */
export async function jwtLogin(emulator: SfdcEmulator): Promise<TokenResponse> {
  const assertion = signJwtAssertion(emulator.jwtPrivateKeyPem, { iss: emulator.jwtClientId, sub: 'ops@acme.com', aud: emulator.url });
  const res = await postForm(`${emulator.url}/services/oauth2/token`, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion });
  if (res.status !== 200) throw new Error(`JWT login failed: ${res.status} ${res.text}`);
  return res.json<TokenResponse>();
}

export function restUrl(emulator: SfdcEmulator, path: string): string {
  return `${emulator.url}/services/data/v${emulator.apiVersion}${path}`;
}

export function exportUrl(emulator: SfdcEmulator, reportId: string): string {
  return `${emulator.url}/${reportId}?isdtp=p1&export=1&enc=UTF-8&xf=csv`;
}

/** Parses RFC 4180 CSV (quoted fields may hold delimiters, quotes and line breaks) into records. */
export function parseCsv(text: string, delimiter = ',', lineEnding = '\n'): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (ch === '"') {
        quoted = false;
        i += 1;
      } else {
        field += ch;
        i += 1;
      }
    } else if (ch === '"') {
      quoted = true;
      i += 1;
    } else if (ch === delimiter) {
      record.push(field);
      field = '';
      i += 1;
    } else if (text.startsWith(lineEnding, i)) {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += lineEnding.length;
    } else {
      field += ch;
      i += 1;
    }
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}
