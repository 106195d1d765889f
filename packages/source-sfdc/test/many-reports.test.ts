import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validatePluginConfig, type Piece } from '@pipe/core';
import * as testing from '@pipe/core/testing';
import { DEFAULT_REPORT_IDS, startSfdcEmulator, toId18, type SfdcEmulator } from '@pipe/emulator-sfdc';
import { sfdcReportSource } from '../src';
import { baseConfig, dataOf, kinds } from './helpers';

let emulator: SfdcEmulator;
const ids = Array.from({ length: 10 }, (_, i) => toId18(`00O5e00000M${String(i).padStart(4, '0')}`));

beforeAll(async () => {
  emulator = await startSfdcEmulator({ port: 0 });
  ids.forEach((id, i) => emulator.addReport({ id, name: `Report ${i}`, rows: 3000 + i * 100, seed: 100 + i, runnableBy: i === 7 ? [] : undefined }));
});
afterAll(async () => {
  await emulator.stop();
});
afterEach(() => emulator.faults.clear());

test('ten reports, concurrency 3, two fail: eight end, two failed, the rest whole', async () => {
  // Report 3's connection drops mid-body; report 7 may not be run by the user.
  emulator.faults.inject({ kind: 'drop-connection', afterBytes: 50_000, match: { reportId: ids[3] } });
  emulator.clearRequests();
  const pieces = await testing.runSource(sfdcReportSource, baseConfig(emulator, { reports: ids.map((id) => ({ id })), concurrency: 3 }));
  const ends = pieces.filter((p) => p.type === 'end');
  const failed = pieces.filter((p): p is Extract<Piece, { type: 'failed' }> => p.type === 'failed');
  expect(ends).toHaveLength(8);
  expect(failed.map((p) => p.doc.id).sort()).toEqual([ids[3], ids[7]].sort());
  expect(failed.find((p) => p.doc.id === ids[3])!.error.message).toMatch(/broke off|incomplete/);
  expect(failed.find((p) => p.doc.id === ids[7])!.error.message).toMatch(/may not run/);
  for (const [i, id] of ids.entries()) {
    if (i === 3 || i === 7) continue;
    expect(dataOf(pieces, id).equals(emulator.reportCsv(id))).toBe(true);
    expect(ends.find((p) => p.doc.id === id)).toMatchObject({ doc: { name: `Report ${i}` }, rows: 3000 + i * 100 });
  }
  // Each document ends exactly once, after its last data piece.
  for (const id of ids) {
    const own = pieces.filter((p) => p.doc.id === id);
    expect(own.filter((p) => p.type !== 'data')).toHaveLength(1);
    expect(own[own.length - 1]!.type).not.toBe('data');
  }
  expect(emulator.peakConcurrency('export')).toBeLessThanOrEqual(3);
});

test('the many-reports CSV list: names from the file, otherwise from Salesforce', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sfdc-list-'));
  writeFileSync(
    join(dir, 'reports.csv'),
    `id,name\n${DEFAULT_REPORT_IDS.closedWon},closed-won\n${DEFAULT_REPORT_IDS.accountsByRegion},\n${DEFAULT_REPORT_IDS.empty},empty\n`,
  );
  const ctx = testing.createTestContext({ cwd: dir });
  const pieces = await testing.runSource(sfdcReportSource, baseConfig(emulator, { reports: './reports.csv', concurrency: 2 }), ctx);
  expect(kinds(pieces).sort()).toEqual(
    [`end:${DEFAULT_REPORT_IDS.closedWon}`, `end:${DEFAULT_REPORT_IDS.accountsByRegion}`, `end:${DEFAULT_REPORT_IDS.empty}`].sort(),
  );
  const names = Object.fromEntries(pieces.filter((p) => p.type === 'end').map((p) => [p.doc.id, p.doc.name]));
  expect(names).toEqual({
    [DEFAULT_REPORT_IDS.closedWon]: 'closed-won',
    [DEFAULT_REPORT_IDS.accountsByRegion]: 'Accounts by Region',
    [DEFAULT_REPORT_IDS.empty]: 'empty',
  });
  for (const id of [DEFAULT_REPORT_IDS.closedWon, DEFAULT_REPORT_IDS.accountsByRegion, DEFAULT_REPORT_IDS.empty]) {
    expect(dataOf(pieces, id).equals(emulator.reportCsv(id))).toBe(true);
  }
  // The run summary line per report goes to the log.
  expect(ctx.logLines.filter((l) => /report downloaded: \d+ rows/.test(l))).toHaveLength(3);
});

test('sessions expiring while reports download are renewed once, and every report completes', async () => {
  const ctx = testing.createTestContext();
  const pieces: Piece[] = [];
  const grantsBefore = emulator.tokenGrants['jwt-bearer'];
  const config = validatePluginConfig(sfdcReportSource, baseConfig(emulator, { reports: ids.slice(0, 6).map((id) => ({ id })), concurrency: 3 }));
  for await (const piece of sfdcReportSource.open(config, ctx) as AsyncIterable<Piece>) {
    if (pieces.length === 0) emulator.expireSessions();
    pieces.push(piece);
  }
  expect(pieces.filter((p) => p.type === 'end')).toHaveLength(6);
  for (const id of ids.slice(0, 6)) expect(dataOf(pieces, id).equals(emulator.reportCsv(id))).toBe(true);
  // One login at start, one renewal shared by every download that saw the expiry.
  expect(emulator.tokenGrants['jwt-bearer'] - grantsBefore).toBe(2);
});

test('a re-run of what failed (selectDocuments) downloads only those reports', async () => {
  emulator.clearRequests();
  const ctx = { ...testing.createTestContext(), selectDocuments: new Set([ids[3], ids[5]]) };
  const pieces = await testing.runSource(sfdcReportSource, baseConfig(emulator, { reports: ids.map((id) => ({ id })), concurrency: 3 }), ctx);
  expect(
    pieces
      .filter((p) => p.type === 'end')
      .map((p) => p.doc.id)
      .sort(),
  ).toEqual([ids[3], ids[5]].sort());
  expect(dataOf(pieces, ids[3]).equals(emulator.reportCsv(ids[3]))).toBe(true);
});

test('concurrency auto: 503s on the exports lower the limit, every report still arrives whole, and the facts say so', async () => {
  emulator.faults.inject({ kind: 'server-error', status: 503, times: 3, match: { surface: 'export' } });
  const ctx = testing.createTestContext({ plugin: 'source:sfdc-report' });
  const pieces = await testing.runSource(
    sfdcReportSource,
    baseConfig(emulator, { reports: ids.filter((_, i) => i !== 7).map((id) => ({ id })), concurrency: 'auto', maxConcurrency: 4, retry: { attempts: 5 } }),
    ctx,
  );
  expect(pieces.filter((p) => p.type === 'failed')).toHaveLength(0);
  for (const [i, id] of ids.entries()) if (i !== 7) expect(dataOf(pieces, id).equals(emulator.reportCsv(id))).toBe(true);
  const facts = ctx.progressCounts.facts!;
  expect(facts.http429).toBe(0);
  expect(facts.concurrency).toBeGreaterThanOrEqual(1);
  expect(facts.concurrency).toBeLessThanOrEqual(4);
  expect(ctx.logLines.some((l) => /concurrency auto: \d+ -> \d+ reports at once \(back pressure\)/.test(l))).toBe(true);
});
