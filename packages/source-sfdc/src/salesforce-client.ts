/**
 * Every authorised call to the org goes through here, so the rules hold everywhere:
 * - the current session is attached (REST: bearer token; export: the `sid` cookie);
 * - an expired session (401 INVALID_SESSION_ID, or the export's detour to the login page) is
 *   renewed once through the configured flow and the request sent again: never a loop, and the
 *   "not valid for use with the REST API" 401 is not an expiry, so it is never renewed;
 * - REQUEST_LIMIT_EXCEEDED, 5xx and network failures back off and retry (core `retry`);
 * - every request has the configured timeout (core `HttpClient`).
 */
import {
  HttpClient,
  HttpStatusError,
  isTransientNetworkError,
  redactUrl,
  retry,
  type HttpRequest,
  type HttpResponse,
  type Logger,
  type ProgressReporter,
  type RetryDecision,
  type RetryPolicy,
} from '@pipe/core';
import type { SalesforceSession } from './auth/auth-flow';
import type { SessionManager } from './auth/session-manager';
import { SfdcError, describeRestErrors, parseRestErrors } from './errors';

/** What a response means, decided by the caller's inspector before the body is read further. */
export type ResponseVerdict = { readonly kind: 'ok' } | { readonly kind: 'expired'; readonly why: string };

/**
 * Looks at a response: returns ok (the caller reads the body), expired (renew and resend), or
 * throws (after consuming the body). Throw HttpStatusError for statuses that deserve a retry.
 */
export type ResponseInspector = (response: HttpResponse, request: HttpRequest) => Promise<ResponseVerdict>;

export interface SalesforceClientOptions {
  readonly http: HttpClient;
  readonly sessions: SessionManager;
  /** "62.0" */
  readonly apiVersion: string;
  readonly retry: RetryPolicy;
  readonly log: Logger;
  readonly progress?: ProgressReporter;
}

const NOT_FOR_REST = /not valid for use with the REST API/i;

/** Inspector for REST calls: 2xx ok, 401 INVALID_SESSION_ID expired, anything else an HttpStatusError. */
export async function inspectRestResponse(response: HttpResponse, request: HttpRequest, http: HttpClient): Promise<ResponseVerdict> {
  if (response.statusCode >= 200 && response.statusCode < 300) return { kind: 'ok' };
  const body = await response.body.text();
  const errors = parseRestErrors(body);
  if (response.statusCode === 401) {
    const invalid = errors.find((e) => e.errorCode === 'INVALID_SESSION_ID');
    if (invalid && NOT_FOR_REST.test(invalid.message)) {
      throw new SfdcError(
        'SFDC_SESSION_NOT_FOR_API',
        `Salesforce says "${invalid.message}": this session works in the browser only. A session id copied from a Lightning page ` +
          '(lightning.force.com) or an IP-locked session cannot call the REST API pipe uses to check reports; ' +
          'take the sid of the https://<domain>.my.salesforce.com domain, or log in with auth type jwt.',
      );
    }
    if (invalid || errors.length === 0) return { kind: 'expired', why: invalid ? `${invalid.errorCode}: ${invalid.message}` : `401 from ${request.method}` };
  }
  throw http.statusError(request, response.statusCode, body, response.headers);
}

/** REQUEST_LIMIT_EXCEEDED, 429, 5xx and network failures are worth another try after a pause. */
export function classifyRetry(error: unknown): RetryDecision {
  if (error instanceof HttpStatusError) {
    if (error.status >= 500 || error.status === 429) return { retry: true, delayMs: error.retryAfterMs, reason: `HTTP ${error.status}` };
    if (error.status === 403 && /REQUEST_LIMIT_EXCEEDED/.test(error.body)) return { retry: true, reason: 'REQUEST_LIMIT_EXCEEDED' };
    return { retry: false };
  }
  if (isTransientNetworkError(error)) return { retry: true, reason: (error as Error).message };
  return { retry: false };
}

export class SalesforceClient {
  constructor(private readonly options: SalesforceClientOptions) {}

  get http(): HttpClient {
    return this.options.http;
  }

  get apiVersion(): string {
    return this.options.apiVersion;
  }

  /** https://org/services/data/v62.0{path} */
  restUrl(session: SalesforceSession, path: string): string {
    return `${session.instanceUrl}/services/data/v${this.options.apiVersion}${path}`;
  }

  /**
   * Send a request built from the current session until the inspector accepts the response.
   * Returns the response with its body unread; the caller must consume or destroy it.
   */
  async send(
    build: (session: SalesforceSession) => HttpRequest,
    inspect: ResponseInspector,
    signal: AbortSignal,
  ): Promise<{ response: HttpResponse; session: SalesforceSession }> {
    let renewed = false;
    return retry(
      async () => {
        for (;;) {
          const session = await this.options.sessions.session(signal);
          const request = { ...build(session), signal };
          const response = await this.options.http.request(request);
          let verdict: ResponseVerdict;
          try {
            verdict = await inspect(response, request);
          } catch (error) {
            response.body.destroy();
            throw error;
          }
          if (verdict.kind === 'ok') return { response, session };
          response.body.destroy();
          if (renewed) {
            throw new SfdcError(
              'SFDC_SESSION_EXPIRED',
              `Salesforce rejected the session again right after it was renewed (${verdict.why}) on ${request.method} ${redactUrl(request.url)}; ` +
                'the user may lack "API Enabled", or the org may not accept this token for this call.',
            );
          }
          renewed = true;
          await this.options.sessions.renew(session, signal, verdict.why);
        }
      },
      {
        ...this.options.retry,
        signal,
        classify: classifyRetry,
        onRetry: ({ attempt, delayMs, reason }) => {
          this.options.progress?.add({ retries: 1 });
          this.options.log.warn(`Salesforce call failed (${reason}); retry ${attempt} in ${delayMs} ms`);
        },
      },
    );
  }

  /** A REST call with a JSON answer. */
  async restJson<T>(method: HttpRequest['method'], path: string, signal: AbortSignal, body?: unknown): Promise<T> {
    const { response } = await this.send(
      (session) => ({
        method,
        url: this.restUrl(session, path),
        headers: {
          authorization: `Bearer ${session.accessToken}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
      (res, req) => inspectRestResponse(res, req, this.options.http),
      signal,
    );
    const text = await response.body.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

/** The REST error text of an HttpStatusError, e.g. "NOT_FOUND: The requested resource does not exist". */
export function restErrorText(error: HttpStatusError): string {
  return describeRestErrors(error.body);
}
