/**
 * Streaming, shown by counting bytes rather than measuring memory: however slowly the consumer
 * reads, the emulator can only have sent a bounded number of bytes beyond what the consumer has
 * taken (socket buffers and a piece or two), never the report. Peak memory of the real download
 * is a figure of `pnpm bench` (bench/sfdc.js, leg (a)).
 */
import { sleep, validatePluginConfig, type Piece } from '@pipe/core';
import * as testing from '@pipe/core/testing';
import { startSfdcEmulator, type SfdcEmulator } from '@pipe/emulator-sfdc';
import { sfdcReportSource } from '../src';
import { baseConfig } from './helpers';

let emulator: SfdcEmulator;
const MB = 1_000_000;
/** About 200 MB of CSV (rows average ~250 bytes). */
const ROWS = 800_000;
/** Bytes a connection may hold between the emulator and the consumer: kernel socket buffers on loopback, undici's and the source's pieces. */
const IN_FLIGHT_PER_CONNECTION = 16 * MB;
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

/** Export body bytes the emulator has written so far, finished and running exports together. */
function exportBytesSent(): number {
  const exports = [...emulator.requests, ...emulator.activeRequests].filter((r) => r.surface === 'export');
  return exports.reduce((sum, r) => sum + r.bodyBytes, 0);
}

/**
 * Consumes the source slowly (a pause every few pieces, so the sender must wait for us) and
 * records the most bytes ever sent but not yet taken.
 */
async function consumeSlowly(config: unknown) {
  emulator.clearRequests();
  const ctx = testing.createTestContext({ logLevel: 'info' });
  let taken = 0;
  let pieces = 0;
  let worstInFlight = 0;
  const ends: Piece[] = [];
  for await (const piece of sfdcReportSource.open(config as never, ctx) as AsyncIterable<Piece>) {
    if (piece.type !== 'data') {
      ends.push(piece);
      continue;
    }
    taken += piece.data.length;
    if (++pieces % 8 === 0) await sleep(1);
    worstInFlight = Math.max(worstInFlight, exportBytesSent() - taken);
  }
  ctx.log.info(`streamed ${(taken / MB).toFixed(0)} MB in ${pieces} pieces; at most ${(worstInFlight / MB).toFixed(1)} MB sent ahead of the consumer`);
  return { taken, ends, worstInFlight };
}

test('a 200 MB report consumed slowly is streamed: the sender is never more than a socket buffer ahead', async () => {
  const config = validatePluginConfig(sfdcReportSource, baseConfig(emulator, { reportId, timeoutMs: 120_000 }));
  const { taken, ends, worstInFlight } = await consumeSlowly(config);
  expect(ends).toEqual([expect.objectContaining({ type: 'end', rows: ROWS })]);
  expect(taken).toBeGreaterThan(180 * MB);
  expect(worstInFlight).toBeLessThanOrEqual(IN_FLIGHT_PER_CONNECTION);
}, 300_000);

test('four 50 MB reports downloading three at a time, consumed slowly: bytes ahead stay bounded per connection', async () => {
  const config = validatePluginConfig(
    sfdcReportSource,
    baseConfig(emulator, { reports: concurrentIds.map((id) => ({ id })), concurrency: 3, timeoutMs: 120_000 }),
  );
  const { taken, ends, worstInFlight } = await consumeSlowly(config);
  expect(ends.map((p) => p.type)).toEqual(['end', 'end', 'end', 'end']);
  expect(taken).toBeGreaterThan(180 * MB);
  expect(emulator.peakConcurrency('export')).toBe(3);
  expect(worstInFlight).toBeLessThanOrEqual(3 * IN_FLIGHT_PER_CONNECTION);
}, 300_000);
