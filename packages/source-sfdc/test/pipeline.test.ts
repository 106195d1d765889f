/** The source inside a real pipeline (core's engine): the sink only completes whole documents. */
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordChunker, Redactor, StreamLogger, validatePluginConfig, type Plugin } from '@pipe/core';
import { chunkLines, dirSink, runPipeline, type ResolvedPipeline } from '@pipe/core/engine';
import { DEFAULT_REPORT_IDS, startSfdcEmulator, toId18, type SfdcEmulator } from '@pipe/emulator-sfdc';
import { sfdcReportSource } from '../src';
import { baseConfig } from './helpers';

let emulator: SfdcEmulator;
beforeAll(async () => {
  emulator = await startSfdcEmulator({ port: 0 });
});
afterAll(async () => {
  await emulator.stop();
});
afterEach(() => emulator.faults.clear());

function stage<P extends Plugin>(plugin: P, config: unknown) {
  return { use: plugin.name, plugin, origin: 'test', config: validatePluginConfig(plugin, config), path: [] };
}

async function runToDir(sourceConfig: Record<string, unknown>) {
  const dir = mkdtempSync(join(tmpdir(), 'sfdc-pipeline-'));
  const pipeline: ResolvedPipeline = {
    name: 'reports',
    needs: [],
    targets: [],
    retries: 0,
    source: stage(sfdcReportSource, baseConfig(emulator, sourceConfig)),
    transforms: [stage(chunkLines, { chunkSize: '1MB' })],
    sink: stage(dirSink, { path: join(dir, 'out'), name: '{name}-{index}.csv' }),
  } as ResolvedPipeline;
  const secrets = new Redactor();
  const lines: string[] = [];
  const outcome = await runPipeline(pipeline, {
    runId: 'test',
    runDir: dir,
    cwd: dir,
    signal: new AbortController().signal,
    log: new StreamLogger({ level: 'info', secrets, write: (l) => lines.push(l) }),
    secrets,
  });
  return { outcome, out: join(dir, 'out'), lines };
}

test('many reports to files: each report whole in its file, the failed one absent, outcomes in the summary', async () => {
  emulator.faults.inject({ kind: 'drop-connection', afterBytes: 30_000, match: { reportId: DEFAULT_REPORT_IDS.openPipeline } });
  const { outcome, out } = await runToDir({
    reports: [
      { id: DEFAULT_REPORT_IDS.openPipeline, name: 'open' },
      { id: DEFAULT_REPORT_IDS.closedWon, name: 'won' },
      { id: DEFAULT_REPORT_IDS.accountsByRegion, name: 'accounts' },
    ],
    concurrency: 2,
  });
  expect(outcome.status).toBe('failed');
  const byName = Object.fromEntries(outcome.documents.map((d) => [d.name, d]));
  expect(byName.won).toMatchObject({ status: 'succeeded', rows: 1200 });
  expect(byName.accounts).toMatchObject({ status: 'succeeded', rows: 25 });
  expect(byName.open).toMatchObject({ status: 'failed' });
  expect(byName.open.error).toMatch(/broke off/);
  expect(readdirSync(out).sort()).toEqual(['accounts-0.csv', 'won-0.csv']);
  expect(readFileSync(join(out, 'won-0.csv')).equals(emulator.reportCsv(DEFAULT_REPORT_IDS.closedWon))).toBe(true);
});

test('one report cut mid-body: the pipeline fails and the sink leaves no file that looks whole', async () => {
  emulator.faults.inject({ kind: 'drop-connection', afterBytes: 600_000 });
  emulator.addReport({ id: '00O5e00000BIG2A', name: 'Large', rows: 20_000, seed: 11 });
  const { outcome, out } = await runToDir({ reportId: '00O5e00000BIG2A' });
  expect(outcome.status).toBe('failed');
  expect(outcome.error).toMatch(/broke off after \d+ bytes/);
  expect(existsSync(out) ? readdirSync(out).filter((f) => !f.startsWith('.')) : []).toEqual([]);
});

test('one report short by a row but with a proper footer: the record count fails the pipeline and no file is left', async () => {
  emulator.faults.inject({ kind: 'short-export', missingRows: 1 });
  const { outcome, out } = await runToDir({ reportId: DEFAULT_REPORT_IDS.closedWon });
  expect(outcome.status).toBe('failed');
  expect(outcome.error).toMatch(/the export has 1199 data rows but the report counts 1200/);
  expect(existsSync(out) ? readdirSync(out).filter((f) => !f.startsWith('.')) : []).toEqual([]);
});

test('one report, healthy: chunked files that join to the export byte for byte', async () => {
  emulator.addReport({ id: '00O5e00000BIG3A', name: 'Large', rows: 20_000, seed: 12 });
  const { outcome, out } = await runToDir({ reportId: '00O5e00000BIG3A' });
  expect(outcome.status).toBe('succeeded');
  const files = readdirSync(out).sort((a, b) => Number(a.match(/(\d+)\.csv/)![1]) - Number(b.match(/(\d+)\.csv/)![1]));
  expect(files.length).toBeGreaterThan(3);
  const csv = emulator.reportCsv('00O5e00000BIG3A');
  expect(Buffer.concat(files.map((f) => readFileSync(join(out, f)))).equals(csv)).toBe(true);
  expect(outcome.documents[0]).toMatchObject({ status: 'succeeded', rows: 20_000, name: 'Large' });
  // chunk-lines took the source's record notes instead of scanning: the cuts are those it makes of the bytes alone.
  const alone = new RecordChunker({ chunkSize: 1_000_000 });
  const cuts = [...alone.push(csv), ...alone.end()].map((chunk) => chunk.length);
  expect(files.map((f) => readFileSync(join(out, f)).length)).toEqual(cuts);
});

test("a report's duration in the outcome counts from its first request, the wait for the first byte included", async () => {
  emulator.clearRequests();
  emulator.faults.inject({ kind: 'slow-first-byte', delayMs: 600, times: 1, match: { reportId: DEFAULT_REPORT_IDS.closedWon } });
  const { outcome } = await runToDir({
    reports: [
      { id: DEFAULT_REPORT_IDS.closedWon, name: 'won' },
      { id: DEFAULT_REPORT_IDS.accountsByRegion, name: 'accounts' },
    ],
    concurrency: 2,
  });
  expect(outcome.status).toBe('succeeded');
  const byName = Object.fromEntries(outcome.documents.map((d) => [d.name, d]));
  // No figure: the duration spans every request the emulator saw for the report, the delayed one first.
  const won = emulator.requests.filter((r) => r.reportId === toId18(DEFAULT_REPORT_IDS.closedWon));
  expect(won[0].faults).toEqual(['slow-first-byte']);
  expect(byName.won.durationMs).toBeGreaterThanOrEqual(won[won.length - 1].startedAt - won[0].startedAt);
});
