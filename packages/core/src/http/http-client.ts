/**
 * The HTTP client every plugin uses: one undici Agent with keep-alive and a connection cap per
 * origin, a timeout on every request, and optional verbose logging of method, URL, status and
 * time, with credentials redacted from the URL. Headers and bodies are never logged.
 *
 * Redirects are never followed (the Agent has no redirect interceptor): a 3xx comes back to the
 * caller as it is, so an Authorization header, a cookie or a form body with a password never goes
 * on to a host the configuration did not name. `text`/`json` treat a 3xx as a failure.
 */
import type { Readable } from 'node:stream';
import type { Agent, Dispatcher } from 'undici';
import type { Logger, SecretRegistry } from '../plugin/context';
import { HttpStatusError } from './http-error';
import { loadUndici, type Undici } from './load-undici';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD';

export interface HttpRequest {
  readonly method: HttpMethod;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer | Uint8Array | Readable;
  /** Time allowed for the response headers, and separately for each gap in the body. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export type HttpResponse = Dispatcher.ResponseData;

export interface HttpClientOptions {
  /** Most open connections per origin. */
  readonly connections?: number;
  readonly timeoutMs?: number;
  readonly log?: Logger;
  /** Log every request at info level instead of debug. */
  readonly verbose?: boolean;
  readonly secrets?: SecretRegistry;
}

const SENSITIVE_QUERY = /([?&](?:access_token|token|sid|code|refresh_token|client_secret|password|assertion)=)[^&#]*/gi;

/** `url` with credential-bearing query values replaced, fit for a log line or an error. */
export function redactUrl(url: string, secrets?: SecretRegistry): string {
  const stripped = url.replace(SENSITIVE_QUERY, '$1[redacted]');
  return secrets ? secrets.redact(stripped) : stripped;
}

/**
 * Bytes of a response body undici parses ahead of its reader. When the reader is slower than the
 * network (a download feeding an upload), undici stops parsing each time this fills up, puts the
 * rest of what it read back on the socket, and on resuming joins all of it into one buffer and
 * copies that into its parser's memory again, to parse one more piece. With undici's default of
 * 64 KiB that round trip came every 64 KiB of a report feeding Anaplan; at 1 MiB, every MiB (the
 * SFDC -> Anaplan chain of bench/sfdc.js: undici's parsing 861 -> 531 ms of profile, the run's
 * CPU about 0.5 s less on 600 MB). Memory: 1 MiB per response being read.
 */
const RESPONSE_BUFFER_BYTES = 1024 * 1024;

export class HttpClient {
  private readonly agent: Agent;
  private readonly send: Undici['request'];
  private readonly timeoutMs: number;

  constructor(private readonly options: HttpClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 120_000;
    const { Agent: UndiciAgent, request } = loadUndici();
    this.send = request;
    this.agent = new UndiciAgent({
      connections: options.connections ?? 16,
      keepAliveTimeout: 30_000,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
  }

  /** Send a request; any status is returned. The caller must consume or dump the body. */
  async request(req: HttpRequest): Promise<HttpResponse> {
    const started = Date.now();
    const shownUrl = redactUrl(req.url, this.options.secrets);
    try {
      const response = await this.send.call(this.agent, {
        origin: new URL(req.url).origin,
        path: pathOf(req.url),
        method: req.method,
        headers: req.headers,
        body: req.body,
        signal: req.signal,
        headersTimeout: req.timeoutMs ?? this.timeoutMs,
        bodyTimeout: req.timeoutMs ?? this.timeoutMs,
        highWaterMark: RESPONSE_BUFFER_BYTES,
      });
      this.logLine(`${req.method} ${shownUrl} ${response.statusCode} ${Date.now() - started}ms`);
      return response;
    } catch (error) {
      this.logLine(`${req.method} ${shownUrl} failed after ${Date.now() - started}ms: ${(error as Error).message}`);
      throw error;
    }
  }

  /** Send a request and read the whole body as text; other statuses than 2xx (redirects too) throw HttpStatusError. */
  async text(req: HttpRequest): Promise<{ status: number; headers: HttpResponse['headers']; text: string }> {
    const response = await this.request(req);
    const text = await response.body.text();
    if (response.statusCode >= 300) throw this.statusError(req, response.statusCode, text, response.headers);
    return { status: response.statusCode, headers: response.headers, text };
  }

  /** Send a request and parse a JSON body; non-2xx statuses throw HttpStatusError. */
  async json<T>(req: HttpRequest): Promise<T> {
    const { text } = await this.text(req);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** The error for a status the caller cannot use; for a redirect it says where it pointed and that it was not followed. */
  statusError(req: HttpRequest, status: number, body: string, headers: HttpResponse['headers'] = {}): HttpStatusError {
    const redact = (s: string) => (this.options.secrets ? this.options.secrets.redact(s) : s);
    const shortBody = status >= 300 && status < 400 ? redirectNote(headers) : redact(body.length > 500 ? `${body.slice(0, 500)}...` : body).trim();
    return new HttpStatusError(req.method, redactUrl(req.url, this.options.secrets), status, shortBody, headers);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private logLine(line: string): void {
    const log = this.options.log;
    if (!log) return;
    if (this.options.verbose) log.info(line);
    else log.debug(line);
  }
}

/** `redirect to https://host/path, not followed: ...`; the Location's query is left out (it may carry a token). */
function redirectNote(headers: HttpResponse['headers']): string {
  const raw = headers.location;
  const location = (Array.isArray(raw) ? raw[0] : raw)?.replace(/[?#].*$/, '');
  const target = location ? `redirect to ${location}` : 'redirect without a Location';
  return `${target}, not followed: pipe sends credentials only to the configured host; set the URL to where the service lives`;
}

function pathOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}
