/**
 * A server on 127.0.0.1 that answers every request with a redirect to the same path on another
 * host: a second server of its own, which records what reaches it, or a given URL (an emulator).
 * For tests that credentials never follow a redirect.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LandedRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: boolean;
  readonly cookie: boolean;
  readonly bodyBytes: number;
}

export interface RedirectingServer {
  /** Where to point the client: every request here is redirected. */
  readonly url: string;
  /** Where the redirects point (the landing server's own, unless `to` was given). */
  readonly target: string;
  /** Requests the landing server received (none when `to` was given). */
  readonly landed: readonly LandedRequest[];
  stop(): Promise<void>;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function bodyBytes(req: IncomingMessage): Promise<number> {
  let bytes = 0;
  for await (const chunk of req) bytes += (chunk as Buffer).length;
  return bytes;
}

export async function startRedirectingServer(options: { status?: number; to?: string } = {}): Promise<RedirectingServer> {
  const landed: LandedRequest[] = [];
  const landing = createServer(async (req, res) => {
    const bytes = await bodyBytes(req);
    landed.push({ method: req.method ?? '', path: req.url ?? '', authorization: !!req.headers.authorization, cookie: !!req.headers.cookie, bodyBytes: bytes });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  const target = options.to ?? (await listen(landing));
  const redirecting = createServer(async (req, res) => {
    await bodyBytes(req);
    res.writeHead(options.status ?? 302, { location: `${target.replace(/\/+$/, '')}${req.url ?? '/'}` }).end();
  });
  const url = await listen(redirecting);
  return {
    url,
    target,
    landed,
    stop: async () => {
      await close(redirecting);
      if (landing.listening) await close(landing);
    },
  };
}
