/**
 * `pipe dashboard`: bull-board's web page of the queue, read-only (no retry, clean or remove
 * buttons), served on its own HTTP server. bull-board's Express adapter builds the app; it is a
 * request handler, so Node's http server serves it as it is.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { PipeQueue } from './pipe-queue';

export interface Dashboard {
  /** `http://host:port/` */
  readonly url: string;
  close(): Promise<void>;
}

export async function startDashboard(queue: PipeQueue, options: { port: number; host: string }): Promise<Dashboard> {
  const serverAdapter = new ExpressAdapter();
  createBullBoard({
    queues: [
      new BullMQAdapter(queue.queue, { readOnlyMode: true, allowRetries: false, displayName: 'pipe pipelines', description: `jobs on ${queue.server}` }),
    ],
    serverAdapter,
  });
  const server: Server = createServer(serverAdapter.getRouter() as Parameters<typeof createServer>[0] & object);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
