import { parse } from 'csv-parse/sync';
import { RecordChunker } from '@pipe/core';
import * as testing from '@pipe/core/testing';
import { startSfdcEmulator, type SfdcEmulator } from '@pipe/emulator-sfdc';
import { sfdcReportSource } from '../src';
import { baseConfig, runReleasing } from './helpers';

let emulator: SfdcEmulator;
const soql = 'SELECT Id, Name, StageName, Amount, Description, CreatedDate FROM Opportunity';

beforeAll(async () => {
  // 25,000 Opportunity rows in result sets of 4,000: seven sets, each with its own header.
  emulator = await startSfdcEmulator({ port: 0, bulkDefaultPageSize: 4000 });
});
afterAll(async () => {
  await emulator.stop();
});
afterEach(() => emulator.faults.clear());

const run = (ctx = testing.createTestContext()) => testing.runSource(sfdcReportSource, baseConfig(emulator, { mode: 'soql', soql }), ctx);

test('a Bulk API 2.0 query: every result set read, the header kept once, rows equal to the job count', async () => {
  const pieces = await run();
  const end = pieces[pieces.length - 1];
  expect(end).toMatchObject({ type: 'end', doc: { name: 'Opportunity' }, rows: 25_000 });
  const records = parse(testing.joinData(pieces)) as string[][];
  expect(records).toHaveLength(25_001);
  expect(records[0]).toEqual(['Id', 'Name', 'StageName', 'Amount', 'Description', 'CreatedDate']);
  expect(records.slice(1).filter((r) => r[0] === 'Id')).toHaveLength(0);
  expect(new Set(records.slice(1).map((r) => r[0])).size).toBe(25_000);
  const sets = emulator.requests.filter((r) => r.path.includes('/results'));
  expect(sets.length).toBeGreaterThanOrEqual(7);
});

test('a consumer that releases each piece gets the same bytes in a few reused buffers', async () => {
  const whole = testing.joinData(await run());
  const released = await runReleasing(baseConfig(emulator, { mode: 'soql', soql }));
  expect(released.data.equals(whole)).toBe(true);
  expect(released.pieces).toBeGreaterThan(10);
  expect(released.buffers).toBeLessThan(released.pieces / 2);
});

test('chunk-lines cuts the pieces, noted with their records by the source, where it cuts the bytes alone', async () => {
  const pieces = await run();
  const data = pieces.flatMap((piece) => (piece.type === 'data' ? [piece.data] : []));
  const noted = new RecordChunker({ chunkSize: 100_000 });
  const alone = new RecordChunker({ chunkSize: 100_000 });
  const chunks = [...data.flatMap((piece) => noted.push(piece)), ...noted.end()];
  const expected = [...alone.push(Buffer.concat(data)), ...alone.end()];
  expect(chunks.length).toBeGreaterThan(20);
  expect(chunks.map((chunk) => chunk.toString('latin1'))).toEqual(expected.map((chunk) => chunk.toString('latin1')));
});

test('a result set cut mid-body is fetched again and the stream continues without a seam', async () => {
  const whole = testing.joinData(await run());
  emulator.faults.inject({ kind: 'drop-connection', afterBytes: 200_000, times: 1, match: { surface: 'rest', pathPrefix: '/services/data' } });
  const ctx = testing.createTestContext();
  const pieces = await run(ctx);
  expect(ctx.logLines.join('\n')).toMatch(/broke off after \d+ bytes/);
  expect(testing.joinData(pieces).equals(whole)).toBe(true);
  expect(pieces[pieces.length - 1]).toMatchObject({ type: 'end', rows: 25_000 });
});

test('a failed job fails with its error message', async () => {
  emulator.faults.inject({ kind: 'bulk-job-failed', errorMessage: 'InternalServerError : Retried more than 15 times', times: 1 });
  await expect(run()).rejects.toThrow(/ended Failed: InternalServerError/);
});
