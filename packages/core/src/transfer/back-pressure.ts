/**
 * Which failures mean "the other side has too much": 429, 503 (and the other overload statuses
 * 408, 502, 504), connection resets and timeouts. These lower an adaptive concurrency limit; other
 * failures (400, 401, 404...) say nothing about load.
 */
import { HttpStatusError, isTransientNetworkError } from '../http/http-error';

export const OVERLOAD_STATUSES = new Set([408, 429, 502, 503, 504]);

export interface BackPressure {
  /** The server's Retry-After, when it sent one. */
  readonly retryAfterMs?: number;
  /** A 429: the server refuses more requests than it takes at once, rather than struggling. */
  readonly tooManyRequests?: boolean;
}

/** What `error` says of the other side's load, or undefined when it is not back pressure. */
export function backPressureOf(error: unknown): BackPressure | undefined {
  if (error instanceof HttpStatusError)
    return OVERLOAD_STATUSES.has(error.status) ? { retryAfterMs: error.retryAfterMs, tooManyRequests: error.status === 429 } : undefined;
  return isTransientNetworkError(error) ? {} : undefined;
}
