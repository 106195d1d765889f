import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from '@pipe/core';
import { ISSUE_EXAMPLE } from '../../core/test/helpers';
import { pipe, salesCsv, startPipe, workspace } from './run-pipe';

// The issue's example, with 1MB chunks so a small test file still makes several.
const EXAMPLE = ISSUE_EXAMPLE.replace('chunkSize: 10MB', 'chunkSize: 1MB');

function parts(dir: string): Buffer {
  const names = readdirSync(dir).sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0]));
  return Buffer.concat(names.map((n) => readFileSync(join(dir, n))));
}

describe('pipe run', () => {
  const csv = salesCsv(60_000);

  it('moves a real CSV through the documented pipeline file: chunks join back to the input, the copy is identical', async () => {
    const dir = workspace({ 'nightly.yml': EXAMPLE, 'data/sales.csv': csv });
    const result = await pipe(['run', 'nightly.yml'], { cwd: dir });
    expect(result.stderr).toMatch(/archive: succeeded - [\d.]+ MB/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/sales\s+ok/);
    expect(result.stdout).toContain('All 2 pipelines succeeded');
    const chunkFiles = readdirSync(join(dir, 'out/sales'));
    expect(chunkFiles.length).toBeGreaterThan(3);
    expect(parts(join(dir, 'out/sales')).equals(Buffer.from(csv))).toBe(true);
    expect(readFileSync(join(dir, 'out/sales-copy.csv')).equals(Buffer.from(csv))).toBe(true);
  });

  it('finds the pipeline file with no argument, and --json prints one JSON document', async () => {
    const dir = workspace({ 'pipe.yml': EXAMPLE, 'data/sales.csv': csv });
    const result = await pipe(['run', '--json'], { cwd: dir });
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({ status: 'ok', exitCode: 0, result: { status: 'succeeded' } });
    expect(doc.result.pipelines.map((p: { name: string; status: string }) => [p.name, p.status])).toEqual([
      ['sales', 'succeeded'],
      ['archive', 'succeeded'],
    ]);
    expect(doc.result.pipelines[0].bytes).toBe(Buffer.byteLength(csv));
  });

  it('--pipeline with a name the file does not have exits 2 and lists the pipelines it has', async () => {
    const dir = workspace({ 'nightly.yml': EXAMPLE, 'data/sales.csv': csv });
    const result = await pipe(['run', 'nightly.yml', '--pipeline', 'slaes'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no pipeline named slaes');
    expect(result.stderr).toContain('pipelines: sales, archive');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it("logs go where the file's logs: block says, and --log-file wins over it", async () => {
    const yaml = `${EXAMPLE}logs: { file: ./custom/run, level: info }\n`;
    const dir = workspace({ 'nightly.yml': yaml, 'data/sales.csv': csv });
    expect((await pipe(['run', 'nightly.yml', '--pipeline', 'archive'], { cwd: dir })).code).toBe(0);
    expect(readFileSync(join(dir, 'custom/run.1.log'), 'utf8')).toContain('run started');
    expect(existsSync(join(dir, '.pipe/logs'))).toBe(false);
    expect((await pipe(['run', 'nightly.yml', '--pipeline', 'archive', '--log-file', 'flagged/log'], { cwd: dir })).code).toBe(0);
    expect(readFileSync(join(dir, 'flagged/log.1.log'), 'utf8')).toContain('run started');
  });

  it('--pipeline runs only the named pipeline', async () => {
    const dir = workspace({ 'nightly.yml': EXAMPLE, 'data/sales.csv': csv });
    const result = await pipe(['run', 'nightly.yml', '--pipeline', 'archive', '--json'], { cwd: dir });
    expect(JSON.parse(result.stdout).result.pipelines.map((p: { name: string }) => p.name)).toEqual(['archive']);
    expect(existsSync(join(dir, 'out/sales'))).toBe(false);
  });

  it('--dry-run prints the plan in order, moves no data, and never shows a secret', async () => {
    const yaml = `version: 1
pipelines:
  push:
    needs: [copy]
    source: { use: file, with: { path: ./data/sales.csv } }
    sink:
      use: ${join(__dirname, '../../../examples/plugins/http-post-sink.ts')}
      with: { url: "http://127.0.0.1:9/ingest", token: "\${INGEST_TOKEN}" }
  copy:
    source: { use: file, with: { path: ./data/sales.csv } }
    sink: { use: file, with: { path: ./out/copy.csv } }
`;
    const dir = workspace({ 'nightly.yml': yaml, 'data/sales.csv': csv });
    const env = { INGEST_TOKEN: 'tok-very-secret-123' };
    const human = await pipe(['run', 'nightly.yml', '--dry-run'], { cwd: dir, env });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/1\. copy[\s\S]*2\. push \(after copy\)/);
    expect(human.stdout).toContain('"token":"[redacted]"');
    const json = await pipe(['run', 'nightly.yml', '--dry-run', '--json'], { cwd: dir, env });
    expect(JSON.parse(json.stdout).result.pipelines.map((p: { name: string }) => p.name)).toEqual(['copy', 'push']);
    for (const out of [human.stdout, human.stderr, json.stdout, json.stderr]) expect(out).not.toContain('tok-very-secret-123');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('a failed pipeline exits 1, names the pipeline and plugin, and skips the pipelines that need it', async () => {
    const dir = workspace({ 'nightly.yml': EXAMPLE });
    const result = await pipe(['run', 'nightly.yml'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/sales\s+FAILED/);
    expect(result.stdout).toMatch(/archive\s+skipped/);
    expect(result.stdout).toContain('pipeline "sales", plugin "file": file not found:');
    expect(result.stdout).toContain('needs "sales", which failed');
  });

  it('invalid files exit 2 with file:line:column, the key path and what is valid', async () => {
    const dir = workspace({
      'bad.yml': 'version: 1\npipelines:\n  a:\n    source: { use: fiel, with: { path: x } }\n    sink: { use: dir, with: { path: out, nme: y } }\n',
    });
    const result = await pipe(['validate', 'bad.yml'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Invalid pipeline file (2 problems)');
    expect(result.stderr).toMatch(/bad\.yml:4:20: pipelines\.a\.source\.use: unknown source plugin "fiel"; available sources: file/);
    expect(result.stderr).toMatch(/bad\.yml:5:42: pipelines\.a\.sink\.with\.nme: unknown key "nme"; valid keys: path, name/);
    const json = await pipe(['run', 'bad.yml', '--json'], { cwd: dir });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).error.issues).toHaveLength(2);
  });

  it('a missing pipeline file is a usage error', async () => {
    const dir = workspace({});
    const result = await pipe(['run', 'nope.yml'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('pipeline file not found');
  });

  it('Ctrl-C stops the run: exit 130, temp files removed, no output left looking complete', async () => {
    const yaml = `version: 1
pipelines:
  slow:
    source: { use: ./slow-source.ts, with: {} }
    transforms: [{ use: chunk-lines, with: { chunkSize: 1MB } }]
    sink: { use: dir, with: { path: ./out, name: "part-{index}.csv" } }
`;
    const slowSource = `import { dataPiece, defineSource, Type } from '@pipe/core';
export default defineSource({
  name: 'slow', summary: 'endless rows, slowly', config: Type.Object({}),
  async *open(_c, ctx) {
    const doc = { id: 'slow', name: 'slow' };
    const rows = Buffer.from('a,b,c\\n'.repeat(20000));
    for (;;) { await new Promise((r) => setTimeout(r, 2)); if (ctx.signal.aborted) return; yield dataPiece(doc, rows); }
  },
});
`;
    const dir = workspace({ 'nightly.yml': yaml, 'slow-source.ts': slowSource });
    const { child, done } = startPipe(['run', 'nightly.yml'], { cwd: dir });
    let result;
    try {
      // Wait until the run is writing (a partial file exists), then interrupt it.
      for (let waited = 0; !(existsSync(join(dir, 'out')) && readdirSync(join(dir, 'out')).length > 0); waited += 20) {
        if (waited > 30_000 || child.exitCode !== null) throw new Error(`the run never started writing: ${(await done).stderr}`);
        await sleep(20);
      }
      child.kill('SIGINT');
      result = await done;
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    expect(result.code).toBe(130);
    expect(result.stdout).toMatch(/slow\s+interrupted/);
    expect(readdirSync(join(dir, 'out'))).toEqual([]);
  });
});

describe('pipe plugins and help', () => {
  it('lists the built-in and installed plugins with a one-line description', async () => {
    const result = await pipe(['plugins'], { cwd: workspace({}) });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/chunk-lines\s+transform\s+built-in\s+Cut a CSV byte stream/);
    expect(result.stdout).toMatch(/sfdc-report\s+source\s+@pipe\/source-sfdc/);
    expect(result.stdout).toMatch(/anaplan\s+sink\s+@pipe\/sink-anaplan/);
  });

  it('describes a plugin from its schema', async () => {
    const result = await pipe(['plugins', 'describe', 'chunk-lines'], { cwd: workspace({}) });
    expect(result.stdout).toMatch(/chunkSize\s+size\s+"10MB"/);
  });

  it('help is complete and shows examples', async () => {
    const help = await pipe(['run', '--help'], { cwd: workspace({}) });
    expect(help.stdout).toContain('EXAMPLES');
    expect(help.stdout).toContain('pipe run nightly.yml --dry-run');
    expect(help.stdout).toContain('130 interrupted');
  });
});
