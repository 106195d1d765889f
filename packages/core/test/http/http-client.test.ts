import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpClient, sleep } from '../../src';

const MiB = 1024 * 1024;
const BODY_BYTES = 8 * MiB;

let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((_req, res) => {
    const piece = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    const write = () => {
      while (sent < BODY_BYTES) {
        sent += piece.length;
        if (!res.write(piece)) return void res.once('drain', write);
      }
      res.end();
    };
    write();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('HttpClient', () => {
  it('parses about 1 MiB of a body ahead of a reader that is not reading, and stops there', async () => {
    const client = new HttpClient();
    const response = await client.request({ method: 'GET', url });
    try {
      for (let waited = 0; response.body.readableLength < MiB && waited < 5000; waited += 20) await sleep(20);
      await sleep(100); // time to overrun, were it to
      expect(response.body.readableLength).toBeGreaterThanOrEqual(MiB);
      expect(response.body.readableLength).toBeLessThan(MiB + 256 * 1024);
      let received = 0;
      for await (const piece of response.body) received += (piece as Buffer).length;
      expect(received).toBe(BODY_BYTES);
    } finally {
      response.body.destroy(); // read to the end, or a failed expectation: the connection must not wait for a reader
      await client.close();
    }
  });
});
