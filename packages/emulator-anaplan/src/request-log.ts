/**
 * What the emulator saw: one record per request plus counters, so tests can assert ordering,
 * concurrency, auth header form and Content-Type per chunk without a proxy.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { FaultKind } from './faults';

export interface RecordedRequest {
  /** 1-based arrival order. */
  seq: number;
  method: string;
  /** Path without the query string. */
  path: string;
  /** Query string without the leading `?` ("" when none); values of secret-looking parameters are `***`. */
  query: string;
  /** Route name (e.g. `files.chunk.put`) or undefined for unknown paths. */
  route?: string;
  /** Request headers, lower-case names; `authorization` is reduced to its scheme. */
  headers: Readonly<Record<string, string>>;
  /** `AnaplanAuthToken`, `Bearer`, `Basic`, `CACertificate`, … */
  authScheme?: string;
  contentType?: string;
  /** Bytes of request body actually received. */
  bodyBytes: number;
  /** Status sent; 0 when the connection was dropped or the request hung. */
  status: number;
  /** Epoch ms when the headers arrived / when the answer was finished (or dropped). */
  startedAt: number;
  endedAt?: number;
  /** The injected fault that shaped this answer, if any. */
  fault?: FaultKind;
}

export type LoginMode = 'basic' | 'certificate' | 'deviceCode' | 'refreshToken' | 'tokenRefresh';

export interface EmulatorStats {
  requestCount: number;
  /** Successful logins per mode: auth-service basic/certificate, OAuth device and refresh grants, `/token/refresh`. */
  logins: Record<LoginMode, number>;
  /** Chunk PUTs received (all outcomes). */
  chunkPuts: number;
  /** Chunk PUTs in flight right now. */
  inFlightChunkPuts: number;
  /** Highest number of chunk PUTs in flight at the same time. */
  maxConcurrentChunkPuts: number;
  /** Successful `POST …/files/{id}/complete` calls. */
  completedCount: number;
  importTasksStarted: number;
  processTasksStarted: number;
  faultsFired: number;
}

export const CHUNK_PUT_ROUTE = 'files.chunk.put';

export class RequestLog {
  readonly entries: RecordedRequest[] = [];
  private seq = 0;
  private inFlightChunks = 0;
  readonly counters = {
    logins: { basic: 0, certificate: 0, deviceCode: 0, refreshToken: 0, tokenRefresh: 0 } as Record<LoginMode, number>,
    chunkPuts: 0,
    maxConcurrentChunkPuts: 0,
    completedCount: 0,
    importTasksStarted: 0,
    processTasksStarted: 0,
  };

  begin(method: string, rawUrl: string, headers: IncomingHttpHeaders): RecordedRequest {
    const q = rawUrl.indexOf('?');
    const record: RecordedRequest = {
      seq: ++this.seq,
      method,
      path: q === -1 ? rawUrl : rawUrl.slice(0, q),
      query: q === -1 ? '' : redactQuery(rawUrl.slice(q + 1)),
      headers: redactHeaders(headers),
      bodyBytes: 0,
      status: 0,
      startedAt: Date.now(),
    };
    const scheme = schemeOf(headers.authorization);
    if (scheme !== undefined) record.authScheme = scheme;
    const contentType = headers['content-type'];
    if (contentType !== undefined) record.contentType = contentType;
    this.entries.push(record);
    return record;
  }

  chunkPutStarted(): void {
    this.counters.chunkPuts += 1;
    this.inFlightChunks += 1;
    if (this.inFlightChunks > this.counters.maxConcurrentChunkPuts) this.counters.maxConcurrentChunkPuts = this.inFlightChunks;
  }

  chunkPutEnded(): void {
    this.inFlightChunks -= 1;
  }

  login(mode: LoginMode): void {
    this.counters.logins[mode] += 1;
  }

  snapshot(faultsFired: number): EmulatorStats {
    return {
      requestCount: this.entries.length,
      logins: { ...this.counters.logins },
      chunkPuts: this.counters.chunkPuts,
      inFlightChunkPuts: this.inFlightChunks,
      maxConcurrentChunkPuts: this.counters.maxConcurrentChunkPuts,
      completedCount: this.counters.completedCount,
      importTasksStarted: this.counters.importTasksStarted,
      processTasksStarted: this.counters.processTasksStarted,
      faultsFired,
    };
  }
}

function schemeOf(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const scheme = authorization.trim().split(/\s+/, 1)[0];
  return scheme === undefined || scheme.length === 0 ? undefined : scheme;
}

/** Names of query parameters that carry credentials (`access_token`, `refresh_token`, `password`, `client_secret`, ...). */
const SECRET_PARAMETER = /token|secret|password|passwd|assertion|session|signature|api[-_]?key|^sid$|^code$|^code_verifier$/i;

/** A client that puts a token in the URL must not have it kept: such values become `***`. */
export function redactQuery(query: string): string {
  const params = new URLSearchParams(query);
  let masked = false;
  for (const [name] of params) {
    if (SECRET_PARAMETER.test(name)) {
      params.set(name, '***');
      masked = true;
    }
  }
  return masked ? params.toString() : query;
}

/** Secrets never reach the log: Authorization keeps only its scheme, cookies are dropped. */
function redactHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name === 'cookie') continue;
    if (name === 'authorization') {
      const scheme = schemeOf(Array.isArray(value) ? value[0] : value);
      if (scheme !== undefined) out[name] = scheme;
      continue;
    }
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
