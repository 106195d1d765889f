/**
 * `concurrency: auto` and `compress: auto` against the emulator's link model: what they choose is
 * read from the facts the sink reports (the run summary and --json show the same), never timed.
 */
import { randomBytes } from 'node:crypto';
import { sleep } from '@pipe/core';
import { routePatterns } from '@pipe/emulator-anaplan';
import {
  maxOverlap,
  chunkPuts,
  configFor,
  IDS,
  opportunitiesCsv,
  preCutPieces,
  runAnaplanSink,
  startEmulator,
  type AnaplanEmulator,
} from '../support/anaplan-fixture';

let emulator: AnaplanEmulator;
beforeEach(async () => {
  emulator = await startEmulator();
});
afterEach(async () => {
  await emulator.stop();
});

const MB = 1_000_000;

describe('concurrency: auto', () => {
  // One at a time: auto starts at 2, so it meets the cap however slow the machine (core's unit tests pin a cap of 3).
  it('with Anaplan taking one upload at a time, it meets 429s, settles at the cap and loads all the data', async () => {
    emulator.setLink({ maxChunkUploadsInFlight: 1, retryAfterSeconds: 1, latencyMs: 30 });
    const csv = opportunitiesCsv(40_000);
    const pieces = preCutPieces(csv, 60_000);
    const run = await runAnaplanSink(configFor(emulator, { concurrency: 'auto', compress: 'none', retry: { attempts: 8 } }), pieces);
    expect(run.error).toBeUndefined();
    expect(emulator.getFileContent(IDS.workspace, IDS.model, IDS.file).equals(csv)).toBe(true);
    const facts = run.ctx.progressCounts.facts!;
    expect(facts.http429).toBeGreaterThan(0);
    expect(emulator.linkStats().rejectedChunkUploads).toBe(facts.http429);
    // At the cap, or one above it when the run ended just as auto tried that again.
    expect(facts.concurrency).toBeLessThanOrEqual(2);
    expect(facts['chunks none']).toBe(pieces.length - 1);
  });

  it('a chunk refused at the cap leaves the upload slot to the next chunks while it waits out Retry-After', async () => {
    emulator.setLink({ maxChunkUploadsInFlight: 1, retryAfterSeconds: 1, latencyMs: 30 });
    const csv = opportunitiesCsv(40_000);
    const pieces = preCutPieces(csv, 60_000);
    const before = emulator.requests.length;
    const run = await runAnaplanSink(configFor(emulator, { concurrency: 'auto', compress: 'none', retry: { attempts: 8 } }), pieces);
    expect(run.error).toBeUndefined();
    expect(emulator.getFileContent(IDS.workspace, IDS.model, IDS.file).equals(csv)).toBe(true);
    const puts = chunkPuts(emulator).filter((r) => r.seq > before);
    const refused = puts.find((r) => r.status === 429)!;
    const resent = puts.find((r) => r.path === refused.path && r.seq > refused.seq)!;
    // Anaplan went on taking other chunks, one at a time, during the second the refused one waited.
    const meanwhile = puts.filter((r) => r.status < 300 && r.startedAt >= refused.endedAt! && r.startedAt < resent.startedAt);
    expect(meanwhile.length).toBeGreaterThanOrEqual(3);
  });

  it('does not grow while the source is the slow side: the chunks never wait for a slot', async () => {
    const csv = opportunitiesCsv(20_000);
    const pieces = preCutPieces(csv, 50_000);
    async function* slowSource() {
      for (const piece of pieces) {
        await sleep(10); // a chunk every 10 ms, each uploaded in a few
        yield piece;
      }
    }
    const run = await runAnaplanSink(configFor(emulator, { concurrency: 'auto', compress: 'none' }), slowSource());
    expect(run.error).toBeUndefined();
    expect(emulator.getFileContent(IDS.workspace, IDS.model, IDS.file).equals(csv)).toBe(true);
    expect(pieces.length).toBeGreaterThan(20);
    expect(run.ctx.progressCounts.facts!.concurrency).toBe(2);
  });

  it('never has more uploads in flight than maxConcurrency', async () => {
    emulator.setLink({ latencyMs: 20 });
    const pieces = preCutPieces(opportunitiesCsv(20_000), 20_000);
    const before = emulator.requests.length;
    const run = await runAnaplanSink(configFor(emulator, { concurrency: 'auto', maxConcurrency: 3, compress: 'none' }), pieces);
    expect(run.error).toBeUndefined();
    expect(run.ctx.progressCounts.facts!.concurrency).toBeLessThanOrEqual(3);
    expect(maxOverlap(chunkPuts(emulator).filter((r) => r.seq > before))).toBeLessThanOrEqual(3);
  });
});

describe('the defaults', () => {
  it('adapt both ways when the pipeline sets neither concurrency nor compress', async () => {
    emulator.setLink({ bandwidthBytesPerSecond: 2 * MB, maxChunkUploadsInFlight: 1, retryAfterSeconds: 1, latencyMs: 20 });
    const csv = opportunitiesCsv(60_000); // about 4 MB
    const { concurrency, compress, ...config } = configFor(emulator, { chunkSize: '1MB', retry: { attempts: 8 } });
    expect([concurrency, compress]).toEqual([4, undefined]);
    const run = await runAnaplanSink(config, preCutPieces(csv, MB));
    expect(run.error).toBeUndefined();
    expect(emulator.getFileContent(IDS.workspace, IDS.model, IDS.file).equals(csv)).toBe(true);
    const facts = run.ctx.progressCounts.facts!;
    // A fixed concurrency would still say 8; `compress: gzip` sends every chunk at level 6, auto starts at level 1.
    expect(facts.http429).toBeGreaterThan(0);
    expect(facts.concurrency).toBeLessThanOrEqual(2);
    expect(facts.compress).toMatch(/^gzip-/);
    expect(facts['chunks gzip-1']).toBeGreaterThanOrEqual(1);
  });
});

describe('compress: auto', () => {
  it('gzips compressible data on a slow link', async () => {
    emulator.setLink({ bandwidthBytesPerSecond: 2 * MB });
    const csv = opportunitiesCsv(60_000); // about 4 MB
    const run = await runAnaplanSink(configFor(emulator, { compress: 'auto', chunkSize: '1MB' }), preCutPieces(csv, MB));
    expect(run.error).toBeUndefined();
    expect(emulator.getFileContent(IDS.workspace, IDS.model, IDS.file).equals(csv)).toBe(true);
    const facts = run.ctx.progressCounts.facts!;
    expect(facts.compress).toMatch(/^gzip-/);
    expect(facts['chunks none']).toBeUndefined();
  });

  it('probes the link with a small gzipped chunk first, then a small plain one alone, before the rest', async () => {
    const csv = opportunitiesCsv(150_000); // about 10 MB: one chunk, cut into two probes and the rest
    const run = await runAnaplanSink(configFor(emulator, { compress: 'auto', chunkSize: '10MB' }), preCutPieces(csv, 10 * MB));
    expect(run.error).toBeUndefined();
    expect(emulator.getFileContent(IDS.workspace, IDS.model, IDS.file).equals(csv)).toBe(true);
    const [gzipped, plain, ...rest] = chunkPuts(emulator);
    // The first upload pays for the cold start: the probe that costs CPU takes it.
    expect(gzipped.contentType).toMatch(/gzip/);
    expect(plain.contentType).not.toMatch(/gzip/);
    expect(plain.startedAt).toBeGreaterThanOrEqual(gzipped.endedAt!);
    for (const put of rest) expect(put.startedAt).toBeGreaterThanOrEqual(plain.endedAt!);
  });

  it('makes the gzipped probe while Anaplan opens the upload, once the request that opens it is sent (made before, it held that request back)', async () => {
    emulator.faults.add({ method: 'POST', path: routePatterns.file, fault: { kind: 'latency', ms: 300 } });
    const csv = opportunitiesCsv(150_000);
    const run = await runAnaplanSink(configFor(emulator, { compress: 'auto', chunkSize: '10MB' }), preCutPieces(csv, 10 * MB));
    expect(run.error).toBeUndefined();
    expect(emulator.getFileContent(IDS.workspace, IDS.model, IDS.file).equals(csv)).toBe(true);
    const lines = run.ctx.logLines;
    const at = (text: string | RegExp) => lines.findIndex((line) => (typeof text === 'string' ? line.includes(text) : text.test(line)));
    // Logged as its compression starts, on this thread: after the upload is being opened, before Anaplan's answer (held 300 ms).
    const probe = at('compress auto: probe chunk 0 ');
    expect(probe).toBeGreaterThan(at('uploading to Anaplan file'));
    expect(probe).toBeLessThan(at(/DEBUG POST \S+\/files\/\d+ 200/));
  });

  // Which encoding a fast link gets is decided from measured figures (compression-choice.test.ts
  // pins it); on a shared 2-core machine under load the measurements themselves swing, so here
  // only data that gzip cannot shrink is sure to go as it is, whatever the machine is doing.
  it('sends data that gzip cannot shrink as it is', async () => {
    // Random bytes, lines of 64, no quote or line break inside a line: a valid CSV of one column.
    const line = () => Buffer.concat([Buffer.from(randomBytes(64).map((b) => 0x23 + (b % 0xdd))), Buffer.from('\n')]);
    const csv = Buffer.concat(Array.from({ length: 40_000 }, line)); // about 2.6 MB
    const run = await runAnaplanSink(configFor(emulator, { compress: 'auto', chunkSize: '1MB' }), preCutPieces(csv, MB));
    expect(run.error).toBeUndefined();
    expect(emulator.getFileContent(IDS.workspace, IDS.model, IDS.file).equals(csv)).toBe(true);
    const facts = run.ctx.progressCounts.facts!;
    expect(facts.compress).toBe('none');
    expect(facts['chunks gzip-6']).toBeUndefined();
  });
});
