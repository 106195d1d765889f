/** A response whose status says the call failed. Holds the server's message (never request headers). */
import { PipeError } from '../errors';

export class HttpStatusError extends PipeError {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    /** The response body as text, cut to a readable length. */
    readonly body: string,
    readonly headers: Readonly<Record<string, string | string[] | undefined>> = {},
  ) {
    super(`${method} ${url} answered ${status}${body ? `: ${body}` : ''}`, { code: `HTTP_${status}` });
  }

  /** The `Retry-After` header in milliseconds, when present. */
  get retryAfterMs(): number | undefined {
    return retryAfterMs(this.headers['retry-after']);
  }
}

/** Parse `Retry-After` (seconds or an HTTP date) to milliseconds from now. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Network-level failures worth another try: resets, refused or timed-out connections. */
export const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

export function isTransientNetworkError(error: unknown): boolean {
  // Duck-typed, not instanceof: Node's own errors may come from another realm (vm contexts, jest).
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 10; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && TRANSIENT_NETWORK_CODES.has(code)) return true;
  }
  return false;
}
