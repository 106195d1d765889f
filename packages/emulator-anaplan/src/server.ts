/**
 * The one node:http server behind all three hosts. Per request: log it, let the fault
 * injector decide, admit a chunk upload or answer 429 (the link model's cap), read the body
 * (paced by the link's bandwidth for chunk uploads, or dropped part-way), run the route, wait
 * the link's latency, and write the answer (or only part of it). Control routes
 * (`/__emulator/…`) bypass faults, the link model and the log.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { errorFor, familyOf, integrationError, oauthError, type EmulatorResponse } from './envelope';
import type { FaultDecision, FaultInjector, TerminalFaultAction } from './faults';
import type { ChunkUploadAdmission, LinkModel } from './link-model';
import { grantTypeOf } from './oauth-device';
import { CHUNK_PUT_ROUTE, type RequestLog } from './request-log';
import type { RouteContext, Router } from './router';
import type { SharedBandwidth } from './shared-bandwidth';
import { parseAuthorization } from './token-store';

const DEFAULT_BODY_LIMIT = 1024 * 1024;

export interface ServerParts {
  router: Router;
  control: Router;
  faults: FaultInjector;
  link: LinkModel;
  log: RequestLog;
  say: (line: string) => void;
  revokeToken: (value: string) => void;
}

interface ReadBody {
  /** The body's pieces as received (none when too large). */
  parts: Buffer[];
  bytes: number;
  tooLarge: boolean;
}

export class EmulatorServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly stopping = new AbortController();

  constructor(private readonly parts: ServerParts) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        parts.say(`emulator: internal error: ${(error as Error).stack ?? String(error)}`);
        if (!res.headersSent && !res.destroyed) this.write(res, integrationError(500, req.url ?? '/', 'Emulator internal error'));
        else res.destroy();
      });
    });
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.server.on('clientError', (_error, socket) => socket.destroy());
  }

  async listen(host: string, port: number): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return this.server.address() as AddressInfo;
  }

  /** Stops listening and destroys every socket, keep-alive and hung ones included, so jest can exit. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.parts.link.close();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const url = new URL(rawUrl, 'http://emulator');
    const path = url.pathname;
    if (familyOf(path) === 'control') return this.handleControl(req, res, method, path, url.searchParams);

    const { log, faults, link, router } = this.parts;
    const record = log.begin(method, rawUrl, req.headers);
    const match = router.match(method, path);
    if (match.kind === 'found') record.route = match.route.name;
    const isChunkPut = record.route === CHUNK_PUT_ROUTE;
    if (isChunkPut) log.chunkPutStarted();
    // Called synchronously before the answer goes out, so a test that just got its response
    // already sees endedAt and the in-flight count; 'close' covers drops, hangs and aborts.
    let finished = false;
    let admission: ChunkUploadAdmission | undefined;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      record.endedAt = Date.now();
      if (isChunkPut) log.chunkPutEnded();
      if (admission?.admitted === true) admission.release();
      this.parts.say(
        `${method} ${path} -> ${record.status || 'dropped'} (${record.endedAt - record.startedAt} ms)${record.fault ? ` [fault: ${record.fault}]` : ''}`,
      );
    };
    res.once('close', finish);

    const first = faults.decide({ method, path, phase: 'headers' });
    if (!(await this.delay(first))) return;
    let action = first.action;
    if (action?.kind === 'hang') {
      record.fault = 'hang'; // answered never; stop() destroys the socket
      req.resume();
      return;
    }
    if (action?.kind === 'reset' && action.phase === 'request') {
      record.fault = 'reset';
      record.bodyBytes = await readPart(req, action.afterBytes ?? 0);
      finish();
      req.socket.destroy();
      return;
    }

    if (isChunkPut && action === undefined) admission = link.admitChunkUpload();
    // A refused upload's body is read unpaced: the model refuses it before it crosses the link.
    const bandwidth = admission?.admitted === true ? link.chunkBandwidth : undefined;

    const maxBodyBytes = match.kind === 'found' ? (match.route.maxBodyBytes ?? DEFAULT_BODY_LIMIT) : DEFAULT_BODY_LIMIT;
    let read: ReadBody;
    try {
      read = await readBody(req, maxBodyBytes, bandwidth, (bytes) => (record.bodyBytes = bytes));
    } catch {
      return; // the client went away mid-body
    }
    record.bodyBytes = read.bytes;
    const ctx = routeContext(method, path, url.searchParams, req.headers, match.kind === 'found' ? match.params : {}, read);

    if (action === undefined && path === '/oauth/token') {
      const grantType = grantTypeOf(ctx);
      const second = faults.decide({ method, path, phase: 'body', ...(grantType === undefined ? {} : { grantType }) });
      if (!(await this.delay(second))) return;
      action = second.action;
    }

    if (action?.kind === 'reset' && action.phase === 'request') {
      record.fault = 'reset'; // decided only after the body (grant-type rules): drop before any side effect
      finish();
      req.socket.destroy();
      return;
    }

    let response: EmulatorResponse;
    if (action !== undefined && action.kind !== 'reset') {
      record.fault = action.kind;
      if (action.kind === 'hang') return;
      response = this.faultResponse(action, ctx);
    } else if (admission?.admitted === false) {
      response = errorFor(path, 429, 'Too Many Requests');
      response.headers['retry-after'] = String(admission.retryAfterSeconds);
    } else if (match.kind === 'found') {
      try {
        response = await match.route.handler(ctx);
      } catch (error) {
        this.parts.say(`emulator: ${match.route.name} failed: ${(error as Error).stack ?? String(error)}`);
        response = errorFor(path, 500, 'Emulator internal error');
      }
    } else if (match.kind === 'wrong-method') {
      response = errorFor(path, 405, 'Method Not Allowed');
      response.headers['allow'] = [...new Set(match.allowed)].join(', ');
    } else {
      response = errorFor(path, 404, 'Not Found');
    }

    if (link.latencyMs > 0) await sleep(link.latencyMs, this.stopping.signal);
    if (this.stopping.signal.aborted || res.destroyed) return;
    if (action?.kind === 'reset') {
      record.fault = 'reset';
      finish();
      this.writePartial(res, response, action.afterBytes ?? 0);
      return;
    }
    record.status = response.status;
    finish();
    this.write(res, response);
  }

  private faultResponse(action: Exclude<TerminalFaultAction, { kind: 'reset' | 'hang' }>, ctx: RouteContext): EmulatorResponse {
    if (action.kind === 'oauth-error') return oauthError(action.status ?? 400, action.error, action.description ?? `Injected ${action.error}`);
    const response = errorFor(ctx.path, action.status, action.message);
    if (action.retryAfter !== undefined) response.headers['retry-after'] = String(action.retryAfter);
    if (action.revokeToken === true) {
      const auth = parseAuthorization(ctx.headers.authorization);
      if (auth !== undefined) this.parts.revokeToken(auth.credentials);
    }
    return response;
  }

  /** Applies injected latency; false when the emulator stopped meanwhile. */
  private async delay(decision: FaultDecision): Promise<boolean> {
    if (decision.latencyMs > 0) await sleep(decision.latencyMs, this.stopping.signal);
    return !this.stopping.signal.aborted;
  }

  private write(res: ServerResponse, response: EmulatorResponse): void {
    if (res.destroyed) return;
    const headers: Record<string, string> = { ...response.headers };
    // 204/304 must not carry a Content-Length (the real chunk PUT sends neither body nor type).
    if (response.status !== 204 && response.status !== 304) headers['content-length'] = String(response.body.length);
    res.writeHead(response.status, headers);
    res.end(response.body);
  }

  /** Headers and `afterBytes` of the body (always short of the full body), then a dropped connection. */
  private writePartial(res: ServerResponse, response: EmulatorResponse, afterBytes: number): void {
    if (afterBytes === 0 || res.destroyed) {
      res.socket?.destroy();
      return;
    }
    const sent = Math.min(afterBytes, Math.max(0, response.body.length - 1));
    res.writeHead(response.status, { ...response.headers, 'content-length': String(response.body.length) });
    if (sent === 0) {
      res.flushHeaders();
      setImmediate(() => res.socket?.destroy());
      return;
    }
    res.write(response.body.subarray(0, sent), () => res.socket?.destroy());
  }

  private async handleControl(req: IncomingMessage, res: ServerResponse, method: string, path: string, query: URLSearchParams): Promise<void> {
    let read: ReadBody;
    try {
      read = await readBody(req, 16 * DEFAULT_BODY_LIMIT);
    } catch {
      return;
    }
    const match = this.parts.control.match(method, path);
    const ctx = routeContext(method, path, query, req.headers, match.kind === 'found' ? match.params : {}, read);
    const response =
      match.kind === 'found'
        ? await match.route.handler(ctx)
        : integrationError(match.kind === 'wrong-method' ? 405 : 404, path, 'Unknown emulator control route');
    this.write(res, response);
  }
}

/** A handler's view of the request; `body` joins the pieces only when a handler reads it. */
function routeContext(
  method: string,
  path: string,
  query: URLSearchParams,
  headers: IncomingHttpHeaders,
  params: Record<string, string>,
  read: ReadBody,
): RouteContext {
  let joined: Buffer | undefined;
  return {
    method,
    path,
    query,
    headers,
    params,
    get body() {
      return (joined ??= read.parts.length === 1 ? read.parts[0] : Buffer.concat(read.parts));
    },
    bodyParts: read.parts,
    bodyTooLarge: read.tooLarge,
    bodyBytes: read.bytes,
  };
}

/**
 * Reads the whole body. With `bandwidth`, each piece waits for its bytes from the shared
 * bucket before it counts as received, and the socket stays paused meanwhile, so the client's
 * sending is held back by TCP as on a slow link. `onBytes` sees the running total.
 */
function readBody(req: IncomingMessage, maxBytes: number, bandwidth?: SharedBandwidth, onBytes?: (bytes: number) => void): Promise<ReadBody> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    const gone = new AbortController();
    let bytes = 0;
    let tooLarge = false;
    let ended = false;
    let pending = 0;
    const settle = (): void => {
      if (ended && pending === 0) resolve({ parts: tooLarge ? [] : parts, bytes, tooLarge });
    };
    const accept = (chunk: Buffer): void => {
      bytes += chunk.length;
      onBytes?.(bytes);
      if (tooLarge) return; // keep draining so the client can read our answer
      if (bytes > maxBytes) {
        tooLarge = true;
        parts.length = 0;
        return;
      }
      parts.push(chunk);
    };
    let paced = Promise.resolve();
    req.on('data', (chunk: Buffer) => {
      if (bandwidth === undefined) return accept(chunk);
      req.pause();
      pending += 1;
      paced = paced
        .then(() => bandwidth.take(chunk.length, gone.signal))
        .then(() => {
          accept(chunk);
          pending -= 1;
          req.resume();
          settle();
        });
      paced.catch(() => undefined); // the reader left or the emulator stopped; 'close' rejects
    });
    req.once('end', () => {
      ended = true;
      settle();
    });
    req.once('error', reject);
    req.once('close', () => {
      if (req.complete) return;
      gone.abort();
      reject(new Error('client closed the request'));
    });
  });
}

/** Reads until `afterBytes` arrived (or the body ended); returns how many bytes were read. */
function readPart(req: IncomingMessage, afterBytes: number): Promise<number> {
  if (afterBytes === 0) return Promise.resolve(0);
  return new Promise((resolve) => {
    let bytes = 0;
    const done = (): void => {
      req.pause();
      resolve(bytes);
    };
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes >= afterBytes) done();
    });
    req.once('end', done);
    req.once('close', done);
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    // The listener goes when the timer fires, so many delayed requests do not pile listeners up.
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
