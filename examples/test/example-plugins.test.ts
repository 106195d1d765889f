/** The example plugins, each loaded from a pipeline file by path and run by the real `pipe` binary. */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { pipe, salesCsv, workspace } from '../../packages/cli/test/run-pipe';

const PLUGINS = join(__dirname, '..', 'plugins');

describe('example plugins', () => {
  it('csv-select-columns keeps the named columns, quoting preserved', async () => {
    const yaml = `version: 1
pipelines:
  slim:
    source: { use: file, with: { path: ./in.csv } }
    transforms:
      - use: ${join(PLUGINS, 'csv-select-columns.ts')}
        with: { columns: [note, id] }
    sink: { use: file, with: { path: ./out.csv } }
`;
    const csv = salesCsv(5000);
    const dir = workspace({ 'p.yml': yaml, 'in.csv': csv });
    const result = await pipe(['run', 'p.yml'], { cwd: dir });
    expect(result.code).toBe(0);
    const expected = (parse(csv) as string[][]).map((r) => [r[3], r[0]]);
    expect(parse(readFileSync(join(dir, 'out.csv')))).toEqual(expected);
  });

  it('csv-select-columns fails clearly on a column the header lacks', async () => {
    const yaml = `version: 1
pipelines:
  slim:
    source: { use: file, with: { path: ./in.csv } }
    transforms: [{ use: ${join(PLUGINS, 'csv-select-columns.ts')}, with: { columns: [nope] } }]
    sink: { use: file, with: { path: ./out.csv } }
`;
    const dir = workspace({ 'p.yml': yaml, 'in.csv': 'a,b\n1,2\n' });
    const result = await pipe(['run', 'p.yml'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('plugin "csv-select-columns": columns not in the header: nope (header: a, b)');
  });

  it('http-post sink POSTs every chunk in order, retries a 503, and keeps the token out of the output', async () => {
    const bodies: Buffer[] = [];
    const auth = new Set<string>();
    let requests = 0;
    const server = createServer(async (req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      auth.add(String(req.headers.authorization));
      if (++requests === 2) {
        res.writeHead(503, { 'retry-after': '0' }).end('busy');
        return;
      }
      bodies.push(Buffer.concat(chunks));
      res.writeHead(200).end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const yaml = `version: 1
pipelines:
  push:
    source: { use: file, with: { path: ./in.csv } }
    transforms: [{ use: chunk-lines, with: { chunkSize: 1MB } }]
    sink:
      use: ${join(PLUGINS, 'http-post-sink.ts')}
      with: { url: "http://127.0.0.1:${port}/ingest", token: "\${INGEST_TOKEN}", retry: { initialDelayMs: 1 } }
`;
      const csv = salesCsv(80_000);
      const dir = workspace({ 'p.yml': yaml, 'in.csv': csv });
      const result = await pipe(['run', 'p.yml', '--verbose'], { cwd: dir, env: { INGEST_TOKEN: 'tok-abc-987' } });
      expect(result.code).toBe(0);
      expect(bodies.length).toBeGreaterThan(3);
      expect(Buffer.concat(bodies).equals(Buffer.from(csv))).toBe(true);
      expect([...auth]).toEqual(['Bearer tok-abc-987']);
      expect(result.stdout + result.stderr).not.toContain('tok-abc-987');
      expect(result.stdout).toMatch(/push\s+ok\s+-\s+[\d.]+ MB\s+\d+\s+1\s/);
    } finally {
      server.close();
    }
  });
});
