/**
 * Which failures mean "the other side has too much": 429, 503 (and the other overload statuses
 * 408, 502, 504), connection resets and timeouts. These lower an adaptive concurrency limit; other
 * failures (400, 401, 404...) say nothing about load.
 */
import { HttpStatusError, isTransientNetworkError } from '../http/http-error';

export const OVERLOAD_STATUSES = new Set([408, 429, 502, 503, 504]);

/** `{ retryAfterMs }` when `error` is back pressure (the server's Retry-After, when it sent one), else undefined. */
export function backPressureOf(error: unknown): { readonly retryAfterMs?: number } | undefined {
  if (error instanceof HttpStatusError) return OVERLOAD_STATUSES.has(error.status) ? { retryAfterMs: error.retryAfterMs } : undefined;
  return isTransientNetworkError(error) ? {} : undefined;
}
