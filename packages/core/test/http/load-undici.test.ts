import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

// A fresh process, since the V8 flag is process-wide and jest has compiled WebAssembly of its own.
// Runs against the build (`tsc -b` runs before jest).
const loader = join(__dirname, '../../dist/http/load-undici.js');

const script = (load: string) => `
const http = require('node:http');
const v8 = require('node:v8');
const undici = ${load};
const server = http.createServer((req, res) => res.end('ok'));
server.listen(0, '127.0.0.1', async () => {
  const url = 'http://127.0.0.1:' + server.address().port + '/';
  for (let i = 0; i < 400; i++) await (await undici.request(url)).body.text();
  await new Promise((r) => setTimeout(r, 1500)); // time for a background tier-up to run
  server.close();
  process.stdout.write(String(v8.getHeapStatistics().peak_malloced_memory));
});`;

describe('loadUndici', () => {
  it("keeps llhttp's WebAssembly on the baseline compiler: no tens of MB of optimising-compiler memory mid-transfer", () => {
    const peak = Number(execFileSync(process.execPath, ['-e', script(`require(${JSON.stringify(loader)}).loadUndici()`)], { encoding: 'utf8' }));
    // With the tier-up, this peaks near 39 MB on Node 20; without it, near 4 MB.
    expect(peak).toBeLessThan(15_000_000);
  });
});
