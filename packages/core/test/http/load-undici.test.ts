import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

// A fresh process, since the V8 flag is process-wide and jest has compiled WebAssembly of its own.
// Runs against the build (`tsc -b` runs before jest).
const loader = join(__dirname, '../../dist/http/load-undici.js');

const script = `
const http = require('node:http');
const v8 = require('node:v8');
const { Agent, request } = require(${JSON.stringify(loader)}).loadUndici();
const agent = new Agent();
const server = http.createServer((req, res) => res.end('ok'));
server.listen(0, '127.0.0.1', async () => {
  const origin = 'http://127.0.0.1:' + server.address().port;
  let body = '';
  for (let i = 0; i < 400; i++) body = await (await request.call(agent, { origin, path: '/', method: 'GET' })).body.text();
  await new Promise((r) => setTimeout(r, 1500)); // time for a background tier-up to run
  await agent.close();
  server.close();
  const entryPointLoaded = Object.keys(require.cache).some((f) => /[\\\\/]undici[\\\\/]index\\.js$/.test(f));
  process.stdout.write(JSON.stringify({ body, entryPointLoaded, peakMalloced: v8.getHeapStatistics().peak_malloced_memory }));
});`;

describe('loadUndici', () => {
  const result = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as {
    body: string;
    entryPointLoaded: boolean;
    peakMalloced: number;
  };

  it('gives an Agent and a request call that work together', () => {
    expect(result.body).toBe('ok');
  });

  it("leaves undici's entry point (fetch, WebSocket, mocks) unloaded", () => {
    expect(result.entryPointLoaded).toBe(false);
  });

  it("keeps llhttp's WebAssembly on the baseline compiler: no tens of MB of optimising-compiler memory mid-transfer", () => {
    // With the tier-up, this peaks near 39 MB on Node 20; without it, near 4 MB.
    expect(result.peakMalloced).toBeLessThan(15_000_000);
  });
});
