import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

// A fresh process, since the V8 flag is process-wide and jest has compiled WebAssembly of its own.
// Runs against the build (`tsc -b` runs before jest).
const loader = join(__dirname, '../../dist/http/load-undici.js');

const script = `
const http = require('node:http');
const v8 = require('node:v8');
// Records, in order, each V8 flag set and each WebAssembly compile (undici compiles llhttp on first use).
const events = [];
const setFlags = v8.setFlagsFromString;
v8.setFlagsFromString = (flags) => { events.push('flag ' + flags); return setFlags(flags); };
for (const name of ['compile', 'instantiate']) {
  const original = WebAssembly[name];
  WebAssembly[name] = (...args) => { events.push('wasm ' + name); return original.apply(WebAssembly, args); };
}
const OriginalModule = WebAssembly.Module;
WebAssembly.Module = function (...args) { events.push('wasm Module'); return new OriginalModule(...args); };
const { Agent, request } = require(${JSON.stringify(loader)}).loadUndici();
const agent = new Agent();
const server = http.createServer((req, res) => res.end('ok'));
server.listen(0, '127.0.0.1', async () => {
  const origin = 'http://127.0.0.1:' + server.address().port;
  let body = '';
  for (let i = 0; i < 3; i++) body = await (await request.call(agent, { origin, path: '/', method: 'GET' })).body.text();
  await agent.close();
  server.close();
  const entryPointLoaded = Object.keys(require.cache).some((f) => /[\\\\/]undici[\\\\/]index\\.js$/.test(f));
  process.stdout.write(JSON.stringify({ body, entryPointLoaded, events }));
});`;

describe('loadUndici', () => {
  const result = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as {
    body: string;
    entryPointLoaded: boolean;
    events: string[];
  };

  it('gives an Agent and a request call that work together', () => {
    expect(result.body).toBe('ok');
  });

  it("leaves undici's entry point (fetch, WebSocket, mocks) unloaded", () => {
    expect(result.entryPointLoaded).toBe(false);
  });

  it("keeps llhttp's WebAssembly on the baseline compiler: --liftoff-only is set before llhttp is first compiled", () => {
    // The memory this saves (tens of MB of optimising-compiler memory mid-transfer) shows in `pnpm bench`'s peak RSS.
    const flag = result.events.indexOf('flag --liftoff-only');
    const firstCompile = result.events.findIndex((e) => e.startsWith('wasm '));
    expect(flag).toBeGreaterThanOrEqual(0);
    expect(firstCompile).toBeGreaterThan(flag);
  });
});
