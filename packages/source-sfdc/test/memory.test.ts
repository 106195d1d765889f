import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { sleep, testing, validatePluginConfig, type Piece } from '@pipe/core';
import { startSfdcEmulator, type SfdcEmulator } from '../src/emulator';
import { sfdcReportSource } from '../src';
import { baseConfig } from './helpers';

// A collector on demand, so the samples measure live memory, not garbage not yet collected.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Live heap and buffer memory (the emulator runs in this process too, so it is included). */
function liveBytes(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

let emulator: SfdcEmulator;
const MB = 1_000_000;
/** About 200 MB of CSV (rows average ~250 bytes). */
const ROWS = 800_000;
const reportId = '00O5e00000BIGGA';
const concurrentIds = ['00O5e00000WIDEA', '00O5e00000WIDEB', '00O5e00000WIDEC', '00O5e00000WIDED'];

beforeAll(async () => {
  emulator = await startSfdcEmulator({ port: 0 });
  emulator.addReport({ id: reportId, name: 'Big', rows: ROWS, seed: 9 });
  for (const [i, id] of concurrentIds.entries()) emulator.addReport({ id, name: `Wide ${i}`, rows: ROWS / 4, seed: 20 + i });
});
afterAll(async () => {
  await emulator.stop();
});

/**
 * Consumes the source slowly (a pause every few pieces, so the sender must wait for us) and
 * samples live memory; returns the bytes seen, the end pieces and the peak growth over the
 * baseline in the first and second half of the bytes.
 */
async function consumeSlowly(config: unknown, expectedBytes: number) {
  const ctx = testing.createTestContext({ logLevel: 'info' });
  const baseline = liveBytes();
  const peak = [baseline, baseline];
  let bytes = 0;
  let pieces = 0;
  const ends: Piece[] = [];
  for await (const piece of sfdcReportSource.open(config as never, ctx) as AsyncIterable<Piece>) {
    if (piece.type !== 'data') {
      ends.push(piece);
      continue;
    }
    bytes += piece.data.length;
    if (++pieces % 8 === 0) await sleep(1);
    if (pieces % 256 === 0) {
      const half = bytes < expectedBytes / 2 ? 0 : 1;
      peak[half] = Math.max(peak[half]!, liveBytes());
    }
  }
  const growth = { firstHalf: peak[0]! - baseline, secondHalf: peak[1]! - baseline };
  ctx.log.info(`streamed ${(bytes / MB).toFixed(0)} MB in ${pieces} pieces; live memory growth ${(growth.firstHalf / MB).toFixed(1)} MB, then ${(growth.secondHalf / MB).toFixed(1)} MB`);
  return { bytes, ends, growth };
}

test('a 200 MB report consumed slowly is streamed: memory stays far below the report size', async () => {
  const config = validatePluginConfig(sfdcReportSource, baseConfig(emulator, { reportId, timeoutMs: 120_000 }));
  const { bytes, ends, growth } = await consumeSlowly(config, 200 * MB);
  expect(ends).toEqual([expect.objectContaining({ type: 'end', rows: ROWS })]);
  expect(bytes).toBeGreaterThan(180 * MB);
  // Start-up (code, connections, the emulator's own state: it runs in this process) costs some MB
  // once; after that memory does not grow with the bytes that pass: the second 100 MB cost
  // about what the first did, and the whole stays far below the report's size.
  expect(Math.max(growth.firstHalf, growth.secondHalf)).toBeLessThan(30 * MB);
  expect(growth.secondHalf - growth.firstHalf).toBeLessThan(15 * MB);
}, 300_000);

test('four 50 MB reports downloading three at a time, consumed slowly: memory stays bounded too', async () => {
  emulator.clearRequests();
  const config = validatePluginConfig(sfdcReportSource, baseConfig(emulator, { reports: concurrentIds.map((id) => ({ id })), concurrency: 3, timeoutMs: 120_000 }));
  const { bytes, ends, growth } = await consumeSlowly(config, 200 * MB);
  expect(ends.map((p) => p.type)).toEqual(['end', 'end', 'end', 'end']);
  expect(bytes).toBeGreaterThan(180 * MB);
  expect(emulator.peakConcurrency('export')).toBe(3);
  expect(Math.max(growth.firstHalf, growth.secondHalf)).toBeLessThan(30 * MB);
  expect(growth.secondHalf - growth.firstHalf).toBeLessThan(15 * MB);
}, 300_000);
