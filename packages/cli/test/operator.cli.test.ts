/** What operators rely on every morning: progress off a TTY, logs, the summary file, --only-failed. */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { pipe, salesCsv, workspace } from './run-pipe';

/**
 * A source of three reports; a report listed in fail.txt fails. Honours selectDocuments. r1 says it
 * took 2.5 s (as a source that timed its requests would); r3 says nothing, so the engine times it.
 */
const REPORTS_SOURCE = `import { existsSync, readFileSync } from 'node:fs';
import { dataPiece, docEnd, docFailed, defineSource, Type } from '@pipe/core';
export default defineSource({
  name: 'three-reports', summary: 'three small reports', config: Type.Object({}),
  async *open(_c, ctx) {
    const failing = existsSync(ctx.resolvePath('fail.txt')) ? readFileSync(ctx.resolvePath('fail.txt'), 'utf8').split(',') : [];
    for (const id of ['r1', 'r2', 'r3']) {
      if (ctx.selectDocuments && !ctx.selectDocuments.has(id)) continue;
      const doc = { id, name: 'report-' + id };
      yield dataPiece(doc, Buffer.from('a,b\\n1,2\\n'));
      yield failing.includes(id) ? docFailed(doc, new Error('export cut mid-body')) : docEnd(doc, 1, id === 'r1' ? 2500 : undefined);
    }
  },
});
`;

const SLOW_SOURCE = `import { dataPiece, docEnd, defineSource, Type } from '@pipe/core';
export default defineSource({
  name: 'slow', summary: 'slow rows', config: Type.Object({}),
  async estimateBytes() { return 40 * 60000; },
  async *open(_c, ctx) {
    const doc = { id: 'slow', name: 'slow' };
    ctx.progress.expect({ bytes: 40 * 60000 });
    for (let i = 0; i < 40; i++) {
      await new Promise((r) => setTimeout(r, 25));
      const rows = Buffer.from('x,y,z\\n'.repeat(10000));
      ctx.progress.add({ bytes: rows.length });
      yield dataPiece(doc, rows);
    }
    yield docEnd(doc);
  },
});
`;

describe('operator experience', () => {
  it('off a TTY, progress is plain periodic lines with bytes, percent, throughput and ETA', async () => {
    const yaml = 'version: 1\npipelines:\n  slow:\n    source: { use: ./slow.ts }\n    sink: { use: file, with: { path: out.csv } }\n';
    const dir = workspace({ 'p.yml': yaml, 'slow.ts': SLOW_SOURCE });
    const result = await pipe(['run', 'p.yml'], { cwd: dir, env: { PIPE_PROGRESS_INTERVAL_MS: '200' } });
    expect(result.code).toBe(0);
    const lines = result.stderr.split('\n').filter((l) => l.startsWith('slow: ') && l.includes(' read'));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines[0]).toMatch(/^slow: [\d.]+ (kB|MB) read of 2\.4 MB \(\d+%\), [\d.]+ (kB|MB)\/s, elapsed [\d.]+m?s, ETA [\d.]+m?s$/);
    expect(result.stderr).not.toContain('\x1b[');
    const quiet = await pipe(['run', 'p.yml', '--quiet'], { cwd: dir, env: { PIPE_PROGRESS_INTERVAL_MS: '200' } });
    expect(quiet.stderr).toBe('');
  });

  it('writes a rotating log file whose lines carry run id, pipeline and plugin, and never a secret', async () => {
    const yaml = `version: 1
pipelines:
  copy:
    source: { use: file, with: { path: ./in.csv } }
    sink: { use: file, with: { path: "./out-\${DB_PASSWORD}.csv" } }
`;
    const dir = workspace({ 'p.yml': yaml, 'in.csv': salesCsv(100) });
    const result = await pipe(['run', 'p.yml', '--json'], { cwd: dir, env: { DB_PASSWORD: 'pw-ultra-secret-42' } });
    expect(result.code).toBe(0);
    const { result: run } = JSON.parse(result.stdout);
    const logs = readdirSync(join(dir, '.pipe/logs'));
    expect(logs).toEqual(['pipe.1.log']);
    const lines = readFileSync(join(dir, '.pipe/logs', logs[0]), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.every((l) => l.runId === run.runId)).toBe(true);
    expect(lines).toEqual(expect.arrayContaining([expect.objectContaining({ level: 'info', msg: 'pipeline succeeded', pipeline: 'copy' })]));
    const everything = readFileSync(join(dir, '.pipe/logs', logs[0]), 'utf8') + result.stdout + result.stderr;
    expect(everything).not.toContain('pw-ultra-secret-42');
    expect(run.pipelines[0].sink.outputs[0]).toContain('out-[redacted].csv');
  });

  it('--summary writes one CSV row per report for a multi-report source, and the run fails when one report fails', async () => {
    const yaml = 'version: 1\npipelines:\n  reports:\n    source: { use: ./reports.ts }\n    sink: { use: dir, with: { path: out, name: "{name}.csv" } }\n';
    const dir = workspace({ 'p.yml': yaml, 'reports.ts': REPORTS_SOURCE, 'fail.txt': 'r2' });
    const result = await pipe(['run', 'p.yml', '--summary', 'summary.csv'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/reports\s+FAILED/);
    expect(result.stdout).toContain('document report-r2: failed (export cut mid-body)');
    const rows = parse(readFileSync(join(dir, 'summary.csv')), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.pipeline, r.document, r.status, r.rows])).toEqual([
      ['reports', 'report-r1', 'succeeded', '1'],
      ['reports', 'report-r2', 'failed', ''],
      ['reports', 'report-r3', 'succeeded', '1'],
    ]);
    expect(rows[1].error).toBe('export cut mid-body');
    // Each report's own time: the source's figure for r1; for r3, which gave none, the engine's own measure.
    expect(rows[0].duration_s).toBe('2.5');
    expect(rows[2].duration_s).toMatch(/^\d+(\.\d+)?$/);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['report-r1.csv', 'report-r3.csv']);
  });

  it('--only-failed re-runs just the failed pipelines, and just the failed reports', async () => {
    const yaml = `version: 1
pipelines:
  reports:
    source: { use: ./reports.ts }
    sink: { use: dir, with: { path: out, name: "{name}.csv" } }
  copy:
    source: { use: file, with: { path: ./in.csv } }
    sink: { use: file, with: { path: out-copy.csv } }
  fine:
    source: { use: file, with: { path: ./p.yml } }
    sink: { use: file, with: { path: out-fine.yml } }
`;
    const dir = workspace({ 'p.yml': yaml, 'reports.ts': REPORTS_SOURCE, 'fail.txt': 'r2' });
    expect((await pipe(['run', 'p.yml'], { cwd: dir })).code).toBe(1);
    writeFileSync(join(dir, 'fail.txt'), '');
    writeFileSync(join(dir, 'in.csv'), 'a\n1\n');
    const again = await pipe(['run', 'p.yml', '--only-failed', '--json'], { cwd: dir });
    expect(again.code).toBe(0);
    const run = JSON.parse(again.stdout).result;
    expect(run.pipelines.map((p: { name: string }) => p.name)).toEqual(['reports', 'copy']);
    expect(run.pipelines[0].documents.map((d: { id: string }) => d.id)).toEqual(['r2']);
    expect(existsSync(join(dir, 'out/report-r2.csv'))).toBe(true);
    const nothing = await pipe(['run', 'p.yml', '--only-failed'], { cwd: dir });
    expect(nothing.code).toBe(0);
    expect(nothing.stderr).toContain('Nothing failed in the last run');
  });
});
