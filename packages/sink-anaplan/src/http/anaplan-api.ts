/**
 * Authorised calls to the Integration API v2 (`https://api.anaplan.com/2/0/...`).
 *
 * Every call carries `Authorization: AnaplanAuthToken <token>` from the shared TokenProvider. A
 * 401 gets exactly one re-login (shared with every other request that saw the same token) and one
 * resend; transient failures are retried by the transport's policy, resending the whole body.
 */
import type { HttpMethod } from '@pipe/core';
import { AnaplanAuthError } from '../errors';
import type { TokenProvider } from '../auth/token-provider';
import { joinUrl, parseJson, withRetries, type AnaplanTransport, type RetryNotice } from './transport';

export interface ApiRequest {
  readonly method: HttpMethod;
  /** Relative to the API base, e.g. `workspaces/{w}/models/{m}/files`. */
  readonly path: string;
  readonly body?: Buffer | string;
  readonly contentType?: string;
  readonly accept?: string;
  /** Instead of the run's signal (cancelling a task after Ctrl-C must still reach Anaplan). */
  readonly signal?: AbortSignal;
  /** Told before each retry of this request, after the transport's own `onRetry` (a chunk reports back pressure). */
  readonly onRetry?: (notice: RetryNotice) => void;
  /** Awaited after each retry's wait, just before the request goes again (a chunk takes back its upload slot). */
  readonly beforeResend?: (signal: AbortSignal) => Promise<void>;
}

export interface ApiResponse {
  readonly status: number;
  readonly body: Buffer;
}

export class AnaplanApi {
  constructor(
    readonly transport: AnaplanTransport,
    readonly baseUrl: string,
    private readonly tokens: TokenProvider,
  ) {}

  url(path: string): string {
    return joinUrl(this.baseUrl, path);
  }

  /** Send with retries; statuses >= 400 (after retries) throw HttpStatusError. */
  send(request: ApiRequest): Promise<ApiResponse> {
    const signal = request.signal ?? this.transport.signal;
    const { onRetry } = request;
    const transport: AnaplanTransport = onRetry
      ? {
          ...this.transport,
          onRetry: (notice) => {
            this.transport.onRetry?.(notice);
            onRetry(notice);
          },
        }
      : this.transport;
    const { beforeResend } = request;
    const attempt = beforeResend
      ? async (n: number) => {
          if (n > 1) await beforeResend(signal);
          return this.sendOnce(request, signal);
        }
      : () => this.sendOnce(request, signal);
    return withRetries(transport, attempt, signal);
  }

  async json<T>(method: HttpMethod, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    return parseAnswer<T>(method, path, await this.send(apiJsonRequest(method, path, body, signal)));
  }

  /**
   * One attempt, no retries (a 401 still gets its one re-login): for calls that must not be
   * repeated blindly, such as starting a task, whose caller decides what a failure means.
   */
  async jsonOnce<T>(method: HttpMethod, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const request = apiJsonRequest(method, path, body, signal);
    return parseAnswer<T>(method, path, await this.sendOnce(request, request.signal ?? this.transport.signal));
  }

  private async sendOnce(request: ApiRequest, signal: AbortSignal): Promise<ApiResponse> {
    const url = this.url(request.path);
    const headers: Record<string, string> = { accept: request.accept ?? '*/*' };
    if (request.contentType) headers['content-type'] = request.contentType;
    const attempt = async (token: string) => {
      const response = await this.transport.http.request({
        method: request.method,
        url,
        headers: { ...headers, authorization: `AnaplanAuthToken ${token}` },
        body: request.body,
        signal,
      });
      if (response.statusCode === 401) {
        await response.body.dump();
        return undefined;
      }
      const body = Buffer.from(await response.body.arrayBuffer());
      // A redirect is a failure, never followed: the token must not go on to another host, and
      // a chunk answered with one was not stored.
      if (response.statusCode >= 300) {
        throw this.transport.http.statusError({ method: request.method, url }, response.statusCode, body.toString('utf8'), response.headers);
      }
      return { status: response.statusCode, body };
    };
    const token = await this.tokens.token(signal);
    const first = await attempt(token);
    if (first) return first;
    const renewed = await this.tokens.afterRejection(token, signal);
    const second = await attempt(renewed);
    if (second) return second;
    throw new AnaplanAuthError(`Anaplan answered 401 to ${request.method} ${url} even with a fresh token: the user may lack access to this model`);
  }
}

function apiJsonRequest(method: HttpMethod, path: string, body: unknown, signal: AbortSignal | undefined): ApiRequest {
  return {
    method,
    path,
    body: body === undefined ? undefined : JSON.stringify(body),
    contentType: body === undefined ? undefined : 'application/json',
    accept: 'application/json',
    signal,
  };
}

function parseAnswer<T>(method: HttpMethod, path: string, response: ApiResponse): T {
  const text = response.body.toString('utf8');
  return (text ? parseJson<T>(text, `${method} ${path}`) : {}) as T;
}
