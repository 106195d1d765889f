/** Tiny undici wrapper for the emulator tests: real HTTP, whole bodies, parsed JSON on demand. */
import { request } from 'undici';
import type { AnaplanEmulator } from '../src';
import { DEFAULT_MODEL_ID, DEFAULT_WORKSPACE_ID } from '../src';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

export interface CallOptions {
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Serialised as JSON with Content-Type application/json. */
  json?: unknown;
  headersTimeout?: number;
}

export async function call(url: string, method: string, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  let body = options.body;
  if (options.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(options.json);
  }
  const res = await request(url, {
    method: method as 'GET',
    headers,
    body,
    ...(options.headersTimeout === undefined ? {} : { headersTimeout: options.headersTimeout }),
  });
  const buffer = Buffer.from(await res.body.arrayBuffer());
  const text = buffer.toString('utf8');
  return {
    status: res.statusCode,
    headers: res.headers,
    body: buffer,
    text,
    json: <T>() => JSON.parse(text) as T,
  };
}

export function basicHeader(username = 'ops@acme.com', password = 'demo-password'): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** Basic login; returns the token value. */
export async function login(emulator: AnaplanEmulator): Promise<string> {
  const answer = await call(`${emulator.authUrl}/token/authenticate`, 'POST', { headers: { authorization: basicHeader() } });
  if (answer.status !== 201) throw new Error(`login failed: ${answer.status} ${answer.text}`);
  return answer.json<{ tokenInfo: { tokenValue: string } }>().tokenInfo.tokenValue;
}

export function auth(token: string): Record<string, string> {
  return { authorization: `AnaplanAuthToken ${token}` };
}

/** `apiUrl/workspaces/{ws}/models/{m}` + suffix, for the default seed. */
export function modelUrl(emulator: AnaplanEmulator, suffix: string): string {
  return `${emulator.apiUrl}/workspaces/${DEFAULT_WORKSPACE_ID}/models/${DEFAULT_MODEL_ID}${suffix}`;
}

export { sleep } from '@pipe/core';
