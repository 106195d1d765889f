import { validatePluginConfig, type Piece } from '@pipe/core';
import * as testing from '@pipe/core/testing';
import { DEFAULT_REPORT_IDS, startSfdcEmulator, type SfdcEmulator } from '@pipe/emulator-sfdc';
import { sfdcReportSource } from '../src';
import { baseConfig, runReleasing } from './helpers';

let emulator: SfdcEmulator;

beforeAll(async () => {
  emulator = await startSfdcEmulator({ port: 0 });
});
afterAll(async () => {
  await emulator.stop();
});
afterEach(() => {
  emulator.faults.clear();
});

const run = (config: Record<string, unknown>, ctx = testing.createTestContext()) => testing.runSource(sfdcReportSource, config, ctx);

describe('one report', () => {
  test('a report larger than 2,000 rows arrives whole and byte-identical, header once, no footer', async () => {
    const id = DEFAULT_REPORT_IDS.openPipeline;
    const ctx = testing.createTestContext();
    const pieces = await run(baseConfig(emulator, { reportId: id }), ctx);
    const expected = emulator.reportCsv(id);
    expect(testing.joinData(pieces).equals(expected)).toBe(true);
    const end = pieces[pieces.length - 1];
    expect(end).toEqual({ type: 'end', doc: { id, name: 'Open Pipeline' }, rows: 5000, durationMs: expect.any(Number) });
    expect(pieces.every((p) => p.type !== 'data' || p.chunk === undefined)).toBe(true);
    expect(ctx.progressCounts.records).toBe(5000);
    expect(ctx.progressCounts.bytes).toBe(expected.length);
  });

  test("the report's record count is asked for while the export streams, not after it", async () => {
    const id = DEFAULT_REPORT_IDS.openPipeline;
    emulator.faults.inject({ kind: 'throttle', bytesPerSecond: 1_000_000, times: 1, match: { surface: 'export' } }); // about 0.5 s
    const before = emulator.requests.length;
    const pieces = await run(baseConfig(emulator, { reportId: id }));
    expect(pieces[pieces.length - 1]).toMatchObject({ type: 'end', rows: 5000 });
    const requests = emulator.requests.slice(before);
    const exported = requests.find((r) => r.surface === 'export')!;
    const counted = requests.find((r) => r.path.includes('includeDetails=false'))!;
    expect(counted.status).toBe(200);
    expect(counted.endedAt).toBeLessThan(exported.endedAt);
  });

  test('a consumer that releases each piece gets the same bytes in a few reused buffers', async () => {
    const id = '00O5e000RECYCLE';
    emulator.addReport({ id, name: 'Recycled', rows: 20_000, seed: 5 }); // about 5 MB: some 20 joined pieces
    const run = await runReleasing(baseConfig(emulator, { reportId: id }));
    expect(run.data.equals(emulator.reportCsv(id))).toBe(true);
    expect(run.pieces).toBeGreaterThan(10);
    expect(run.buffers).toBeLessThan(run.pieces / 2);
  });

  test('an empty report is its header alone', async () => {
    const id = DEFAULT_REPORT_IDS.empty;
    const pieces = await run(baseConfig(emulator, { reportId: id }));
    expect(testing.joinData(pieces).equals(emulator.reportCsv(id))).toBe(true);
    expect(pieces[pieces.length - 1]).toMatchObject({ type: 'end', rows: 0 });
  });

  test('footer-looking text inside a quoted value is data, and stays', async () => {
    const id = '00O5e000009footAAA';
    emulator.addReport({
      id,
      name: 'Tricky',
      rows: 40,
      columns: [
        { name: 'A', label: 'A', type: 'string', emptyRatio: 0 },
        {
          name: 'NOTE',
          label: 'Note',
          type: 'textarea',
          emptyRatio: 0,
          values: [
            'x\n\n"Tricky"\n"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\n"Confidential Information - Do Not Distribute"\n',
            '\r\n\r\nOps User\n',
            'plain',
          ],
        },
      ],
    });
    const pieces = await run(baseConfig(emulator, { reportId: id }));
    expect(testing.joinData(pieces).equals(emulator.reportCsv(id))).toBe(true);
    expect(pieces[pieces.length - 1]).toMatchObject({ type: 'end', rows: 40 });
  });

  test('a wrong id fails clearly, before any data', async () => {
    await expect(run(baseConfig(emulator, { reportId: '00O5e00000NOPEZAAA' }))).rejects.toThrow(/does not exist/);
  });

  test('a report the user may not run fails with a permission message', async () => {
    await expect(run(baseConfig(emulator, { reportId: DEFAULT_REPORT_IDS.restrictedForecast }))).rejects.toMatchObject({ code: 'SFDC_REPORT_NO_ACCESS' });
  });

  test('an export without its footer is truncated and fails', async () => {
    emulator.faults.inject({ kind: 'missing-footer' });
    await expect(run(baseConfig(emulator, { reportId: DEFAULT_REPORT_IDS.closedWon }))).rejects.toMatchObject({ code: 'SFDC_EXPORT_TRUNCATED' });
  });

  test('a connection dropped mid-body fails the report (thrown for a single report)', async () => {
    emulator.faults.inject({ kind: 'drop-connection', afterBytes: 100_000 });
    await expect(run(baseConfig(emulator, { reportId: DEFAULT_REPORT_IDS.openPipeline }))).rejects.toMatchObject({ code: 'SFDC_EXPORT_TRUNCATED' });
  });

  test('a clean close mid-body (silent truncation) fails too', async () => {
    emulator.faults.inject({ kind: 'drop-connection', afterBytes: 100_000, clean: true });
    await expect(run(baseConfig(emulator, { reportId: DEFAULT_REPORT_IDS.openPipeline }))).rejects.toMatchObject({ code: 'SFDC_EXPORT_TRUNCATED' });
  });

  test('an HTML page instead of CSV is an error, never data', async () => {
    emulator.faults.inject({ kind: 'html-page' });
    const ctx = testing.createTestContext();
    const pieces: Piece[] = [];
    const iterator = sfdcReportSource.open(testingConfig({ reportId: DEFAULT_REPORT_IDS.accountsByRegion }), ctx) as AsyncIterable<Piece>;
    await expect(
      (async () => {
        for await (const p of iterator) pieces.push(p);
      })(),
    ).rejects.toMatchObject({ code: 'SFDC_NOT_CSV' });
    expect(pieces).toHaveLength(0);
  });

  test('a response slower than the timeout is abandoned and the request tried again', async () => {
    emulator.faults.inject({ kind: 'slow-first-byte', delayMs: 3000, times: 1, match: { surface: 'export' } });
    const ctx = testing.createTestContext();
    const pieces = await run(baseConfig(emulator, { reportId: DEFAULT_REPORT_IDS.accountsByRegion, timeoutMs: 1000 }), ctx);
    expect(pieces[pieces.length - 1]).toMatchObject({ type: 'end', rows: 25 });
    expect(ctx.progressCounts.retries).toBe(1);
  });

  test('a redirect loop on the export is an error, not followed forever', async () => {
    emulator.faults.inject({ kind: 'redirect-loop' });
    await expect(run(baseConfig(emulator, { reportId: DEFAULT_REPORT_IDS.accountsByRegion }))).rejects.toThrow(/redirected \(302\)/);
  });

  test('5xx and REQUEST_LIMIT_EXCEEDED back off and retry', async () => {
    emulator.faults.inject({ kind: 'server-error', status: 503, times: 1, match: { surface: 'export' } });
    emulator.faults.inject({ kind: 'request-limit-exceeded', times: 1 });
    emulator.faults.inject({ kind: 'server-error', times: 1, match: { surface: 'rest' } });
    const ctx = testing.createTestContext();
    const pieces = await run(baseConfig(emulator, { reportId: DEFAULT_REPORT_IDS.accountsByRegion }), ctx);
    expect(pieces[pieces.length - 1]).toMatchObject({ type: 'end', rows: 25 });
    expect(ctx.progressCounts.retries).toBeGreaterThanOrEqual(3);
  });
});

/** open() is given a validated config by the engine; validate the same way here. */
function testingConfig(extra: Record<string, unknown>) {
  return validatePluginConfig(sfdcReportSource, baseConfig(emulator, extra));
}
