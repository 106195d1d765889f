/**
 * What every Anaplan call shares: core's HttpClient (one keep-alive undici Agent), the retry policy
 * from the config, and the run's abort signal. Which failures are worth another try is decided
 * here once: 429 (after Retry-After when given), 408, 5xx, resets and timeouts; never other 4xx.
 */
import { HttpStatusError, isTransientNetworkError, retry, type HttpClient, type HttpRequest, type RetryDecision, type RetryPolicy } from '@pipe/core';

export interface RetryNotice {
  readonly attempt: number;
  readonly delayMs: number;
  readonly reason: string;
  readonly error: unknown;
}

export interface AnaplanTransport {
  readonly http: HttpClient;
  readonly retry: RetryPolicy;
  readonly signal: AbortSignal;
  /** Called before each retry sleep (progress counters, a warning line). */
  readonly onRetry?: (notice: RetryNotice) => void;
}

export function retryDecision(error: unknown): RetryDecision {
  if (error instanceof HttpStatusError) {
    if (error.status === 429) return { retry: true, delayMs: error.retryAfterMs, reason: `${error.status} too many requests` };
    if (error.status === 408 || error.status >= 500) return { retry: true, delayMs: error.retryAfterMs, reason: `${error.status} from server` };
    return { retry: false };
  }
  if (isTransientNetworkError(error)) return { retry: true, reason: networkReason(error) };
  return { retry: false };
}

/** Run `work` under the transport's retry policy; `signal` overrides the run's (used to cancel a task after Ctrl-C). */
export function withRetries<T>(transport: AnaplanTransport, work: (attempt: number) => Promise<T>, signal = transport.signal): Promise<T> {
  return retry(work, { ...transport.retry, signal, classify: retryDecision, onRetry: transport.onRetry });
}

/** A JSON request body with its headers. */
export function jsonRequest(method: HttpRequest['method'], url: string, body?: unknown, headers: Record<string, string> = {}): HttpRequest {
  return {
    method,
    url,
    headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  };
}

/** Parse a JSON body, saying what was expected when the server sent something else. */
export function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new SyntaxError(`${what}: expected JSON, got ${JSON.stringify(text.slice(0, 200))}`);
  }
}

/** One line for a failure: `HTTP 503: body` or `ECONNRESET: read ECONNRESET`. */
export function describeFailure(error: unknown): string {
  if (error instanceof HttpStatusError) return `HTTP ${error.status}${error.body ? `: ${error.body}` : ''}`;
  return networkReason(error);
}

function networkReason(error: unknown): string {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string') return `${code}: ${String(message)}`;
  }
  return String((error as { message?: unknown })?.message ?? error);
}

/** `base` and `path` joined with exactly one slash. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
