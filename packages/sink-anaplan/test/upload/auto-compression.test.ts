/**
 * `compress: auto` deciding chunk by chunk, with uploads timed on a fake clock: what it sends, in
 * which encoding, and how it cuts chunks for probes and trials.
 */
import zlib from 'node:zlib';
import { StreamLogger, Redactor } from '@pipe/core';
import { AutoCompression } from '../../src/upload/auto-compression';
import type { UploadChunk } from '../../src/upload/document-chunks';
import { opportunitiesCsv } from '../support/anaplan-fixture';

const MB = 1_000_000;
/** Uploads run on a fake clock; the process's other CPU (what these tests do besides) is left out. */
const settings = { threads: 2, cores: 2, cpuSeconds: () => 0, log: new StreamLogger({ level: 'silent', secrets: new Redactor() }) };

/** CSV records, cut after the last whole one within `bytes`. */
function csvChunk(bytes: number): Buffer {
  const data = opportunitiesCsv(Math.ceil(bytes / 40));
  return data.subarray(0, data.lastIndexOf('\n', bytes) + 1);
}

async function* repeated(data: Buffer, count: number): AsyncGenerator<UploadChunk> {
  for (let index = 0; index < count; index++) yield { index, data };
}

/** Milliseconds an upload takes: per MB of data, by encoding, or as a function of the upload. */
type UploadMs = ((encoding: string) => number) | { readonly ms: (encoding: string, bytes: number, upload: number) => number };

/**
 * Runs every chunk through `auto`, each upload taking `uploadMs` on the fake clock (per MB of data,
 * or as its `ms` says for each upload, counted from 0). Compression speeds are given too (gzip-1 200 MB/s, gzip-6 60 MB/s a thread, unless
 * `gzip1MsPerMb` says), as the sink's real compressions would report them: a timed sample would
 * depend on the machine's load.
 */
async function send(chunks: AsyncIterable<UploadChunk>, uploadMs: UploadMs, options: { expectedBytes?: number; gzip1MsPerMb?: number } = {}) {
  let clock = 0;
  const auto = new AutoCompression({ ...settings, now: () => clock, expectedBytes: options.expectedBytes });
  auto.uploadOpening();
  const sent: Array<{ index: number; encoding: string; bytes: number }> = [];
  for await (const chunk of auto.withProbes(chunks)) {
    auto.compressed(1, MB, 0.16 * MB, options.gzip1MsPerMb ?? 5, chunk.index);
    auto.compressed(6, MB, 0.13 * MB, 1000 / 60, chunk.index);
    const encoding = await auto.encodingFor(chunk);
    const timing = auto.uploadStarting();
    clock += typeof uploadMs === 'function' ? (uploadMs(encoding.name) * chunk.data.length) / MB : uploadMs.ms(encoding.name, chunk.data.length, sent.length);
    timing.finish(encoding.name, chunk.data.length);
    auto.settled(chunk.index);
    sent.push({ index: chunk.index, encoding: encoding.name, bytes: chunk.data.length });
  }
  return sent;
}

describe('compress: auto, chunk by chunk', () => {
  it('measures a close encoding known from its probe on a whole chunk once, then again on small chunks cut from the head of the next one', async () => {
    // None is best, gzip-1 within reach: known from its probe only, it is measured on a whole chunk
    // (a small one would only repeat the probe's figure); after some chunks, again on a small one.
    const chunk = csvChunk(5 * MB);
    const sent = await send(repeated(chunk, 40), (encoding) => (encoding === 'none' ? 10 : 15));
    expect(sent.slice(0, 3).map((c) => c.encoding)).toEqual(['gzip-1', 'none', 'none']); // the probes, then the rest of chunk 0
    const trials = sent.filter((c, i) => i > 1 && c.encoding !== 'none');
    expect(trials.length).toBeGreaterThan(1);
    expect(trials[0].bytes).toBe(chunk.length);
    for (const trial of trials.slice(1)) {
      expect(trial.bytes).toBeLessThan(1.01 * MB);
      // The rest of the chunk it was cut from goes as the run goes.
      expect(sent[trial.index + 1]).toMatchObject({ encoding: 'none' });
      expect(trial.bytes + sent[trial.index + 1].bytes).toBe(chunk.length);
    }
  });
});

describe('compress: auto, the probes', () => {
  it('waits for the request that opens the upload before the gzipped probe is made: compressed on this thread, it would hold that request back', async () => {
    const auto = new AutoCompression({ ...settings });
    const chunks = auto.withProbes(repeated(csvChunk(5 * MB), 1))[Symbol.asyncIterator]();
    const first = (await chunks.next()).value as UploadChunk;
    const zlibCalls = jest.spyOn(zlib, 'gzipSync');
    try {
      let decided: string | undefined;
      void Promise.resolve(auto.encodingFor(first)).then((encoding) => (decided = encoding.name));
      await new Promise((resolve) => setImmediate(resolve));
      expect(decided).toBeUndefined();
      expect(zlibCalls).not.toHaveBeenCalled(); // not even zlib's warm-up
      auto.uploadOpening();
      await new Promise((resolve) => setImmediate(resolve));
      expect(decided).toBe('gzip-1');
      expect(zlibCalls).toHaveBeenCalledTimes(1);
    } finally {
      zlibCalls.mockRestore();
    }
  });

  it('has the gzipped probe compressed at once, on this thread (the rest waits for it), and no other chunk', async () => {
    const auto = new AutoCompression({ ...settings });
    auto.uploadOpening();
    const atOnce: Array<[number, string, boolean]> = [];
    for await (const chunk of auto.withProbes(repeated(csvChunk(5 * MB), 3))) {
      const decided = auto.encodingFor(chunk);
      const encoding = chunk.index === 0 ? await decided : decided; // the first waits only for the upload's opening
      // What the sink asks when it starts compressing a chunk (only gzipped ones): asked of every chunk here.
      const name = encoding instanceof Promise ? 'waits' : encoding.name;
      atOnce.push([chunk.index, name, auto.compressAtOnce(chunk)]);
      auto.uploadStarting().finish(name === 'waits' ? 'none' : name, chunk.data.length);
      auto.settled(chunk.index);
    }
    expect(atOnce.slice(0, 2)).toEqual([
      [0, 'gzip-1', true],
      [1, 'waits', false],
    ]);
    expect(atOnce.slice(2).every(([, , now]) => !now)).toBe(true);
  });
});

describe('compress: auto, compression estimates', () => {
  /** The sizes and levels of what `run` has zlib.gzipSync compress (each returns 10 bytes). */
  function gzipSyncCalls(run: () => Promise<void>): Promise<Array<[number, number | undefined]>> {
    const calls: Array<[number, number | undefined]> = [];
    const spy = jest.spyOn(zlib, 'gzipSync').mockImplementation((data, options) => {
      calls.push([(data as Buffer).length, options?.level]);
      return Buffer.alloc(10);
    });
    return run()
      .then(() => calls)
      .finally(() => spy.mockRestore());
  }

  it("warms zlib up, untimed, before the first timed compression: a process's first compression pays for setting zlib up", async () => {
    const calls = await gzipSyncCalls(async () => {
      const auto = new AutoCompression({ ...settings });
      await auto.encodingFor({ index: 0, data: csvChunk(MB) }); // too small for probes: sampled
      await auto.encodingFor({ index: 16, data: csvChunk(MB) }); // sampled again, zlib warm by now
    });
    expect(calls).toEqual([
      [4096, 1],
      [256 * 1024, 1],
      [256 * 1024, 1],
    ]);
    // With probes, the gzipped one is the first timed compression (made by the sink, not here).
    const probeCalls = await gzipSyncCalls(async () => {
      const auto = new AutoCompression({ ...settings });
      auto.uploadOpening();
      const chunks = auto.withProbes(repeated(csvChunk(5 * MB), 1))[Symbol.asyncIterator]();
      await auto.encodingFor((await chunks.next()).value as UploadChunk);
    });
    expect(probeCalls).toEqual([[4096, 1]]);
  });

  /** The levels sampled as chunks 2 and 16 are decided, after probes that took `noneMs` and `gzipMs` per MB of data. */
  async function levelsSampled(noneMs: number, gzipMs: number): Promise<Array<number | undefined>> {
    let clock = 0;
    const calls = await gzipSyncCalls(async () => {
      const auto = new AutoCompression({ ...settings, now: () => clock });
      auto.uploadOpening();
      const chunks = auto.withProbes(repeated(csvChunk(10 * MB), 2))[Symbol.asyncIterator]();
      for (let probe = 0; probe < 2; probe++) {
        const chunk = (await chunks.next()).value as UploadChunk;
        const encoding = await auto.encodingFor(chunk);
        if (probe === 0) auto.compressed(1, chunk.data.length, 0.16 * chunk.data.length, (5 * chunk.data.length) / MB, 0); // as the sink reports it
        const timing = auto.uploadStarting();
        clock += ((probe === 0 ? gzipMs : noneMs) * chunk.data.length) / MB;
        timing.finish(encoding.name, chunk.data.length);
        auto.settled(chunk.index);
      }
      await auto.encodingFor((await chunks.next()).value as UploadChunk);
      await auto.encodingFor({ index: 16, data: csvChunk(MB) });
    });
    return calls.filter(([bytes]) => bytes !== 4096).map(([, level]) => level);
  }

  it('samples the slower level only while gzip competes: at once after the probes on a slow link, never on a fast one', async () => {
    // 80 Mbit/s: gzip-1 4x faster than plain.
    expect(await levelsSampled(100, 25)).toEqual([6, 1]); // gzip-6 is due again 16 chunks after chunk 2
    // Loopback: plain 3x faster than gzip-1; the fastest level is still sampled every 16 chunks.
    expect(await levelsSampled(4, 12)).toEqual([1]);
  });
});

describe('compress: auto, the CPU it shares', () => {
  it("counts the CPU besides compressing from the first upload: what logging in took meanwhile is not the data's", async () => {
    let cpu = 0;
    const lines: string[] = [];
    const log = new StreamLogger({ level: 'debug', secrets: new Redactor(), write: (line) => lines.push(line) });
    let clock = 0;
    const auto = new AutoCompression({ ...settings, log, now: () => clock, cpuSeconds: () => cpu });
    auto.uploadOpening();
    const chunks = auto.withProbes(repeated(csvChunk(5 * MB), 2))[Symbol.asyncIterator]();
    for (let probe = 0; probe < 2; probe++) {
      const chunk = (await chunks.next()).value as UploadChunk;
      const encoding = await auto.encodingFor(chunk);
      if (probe === 0) auto.compressed(1, chunk.data.length, 0.16 * chunk.data.length, 5, 0); // the sink compresses the probe
      if (probe === 0) cpu += 3; // the login, between making the first body and sending it
      const timing = auto.uploadStarting();
      cpu += 0.001;
      clock += 10;
      timing.finish(encoding.name, chunk.data.length);
      auto.settled(chunk.index);
    }
    await auto.encodingFor((await chunks.next()).value as UploadChunk);
    const decision = lines.find((line) => line.includes(' from chunk 2 '))!;
    // 2 ms over the 5 MB seen: 0.0004 s/MB. Counted from the first chunk, the login's 3 s would be 0.6 s/MB.
    expect(decision).toContain('other CPU 0.0004 s/MB');
  });
});

describe('compress: auto, staleness', () => {
  it('counts the data sent since an encoding was measured, not chunk numbers: the probes do not make it stale', async () => {
    // A probe figure is checked again after three chunks' worth of data (STALE_AFTER_MEASURED_ONCE),
    // not three chunk numbers later: chunk 0 alone is cut into three (two probes and the rest).
    // gzip-1 is 2.5x none here: too far for a whole chunk to pay back, a small one does.
    const chunk = csvChunk(10 * MB);
    const sent = await send(repeated(chunk, 12), (encoding) => (encoding === 'none' ? 10 : 25));
    const firstTrial = sent.findIndex((c, i) => i > 1 && c.encoding !== 'none');
    expect(firstTrial).toBeGreaterThan(0);
    expect(sent[firstTrial].bytes).toBeLessThan(1.01 * MB);
    const dataBefore = sent.slice(1, firstTrial).reduce((n, c) => n + c.bytes, 0); // since the gzip probe
    expect(dataBefore).toBeGreaterThanOrEqual(3 * chunk.length - MB);
  });
});

describe('compress: auto, trials', () => {
  /**
   * Loopback as the bench saw it: each upload costs 8 ms of its own, then 0.5 ms per MB as it is,
   * 0.2 gzipped; gzip-1 compresses 100 MB/s a thread, so gzipping is what whole chunks wait on.
   */
  const loopback = (stalledUpload?: number) => ({
    ms: (encoding: string, bytes: number, upload: number) => 8 + ((encoding === 'none' ? 0.5 : 0.2) * bytes) / MB + (upload === stalledUpload ? 6 : 0),
  });

  it('does not leave gzip chosen for good after a stall on the plain probe: plain, known from its probe alone, is measured on a whole chunk', async () => {
    const chunk = csvChunk(10 * MB);
    const options = { expectedBytes: 30 * chunk.length, gzip1MsPerMb: 10 };
    // The plain probe (the second upload) stalled 6 ms: gzip-1 looked faster, and went on the rest of chunk 0.
    const sent = await send(repeated(chunk, 30), loopback(1), options);
    expect(sent.slice(0, 3).map((c) => c.encoding)).toEqual(['gzip-1', 'none', 'gzip-1']);
    // Once gzip-1 is known from a whole chunk, plain goes on a whole one, which shows the link, and stays.
    const firstWholePlain = sent.findIndex((c) => c.encoding === 'none' && c.bytes > 0.9 * chunk.length);
    expect(firstWholePlain).toBeGreaterThan(2);
    expect(firstWholePlain).toBeLessThanOrEqual(5);
    expect(sent.slice(firstWholePlain).every((c) => c.encoding === 'none')).toBe(true);
    // Without the stall, plain from the rest of chunk 0 on, and gzip never goes on a whole chunk:
    // compressing alone costs more than whole plain chunks take.
    const unstalled = await send(repeated(chunk, 30), loopback(), options);
    expect(unstalled.slice(1).every((c) => c.encoding === 'none' || c.bytes < 1.01 * MB)).toBe(true);
  });

  it('measures on a whole chunk only an encoding known from its probe alone, once; never on the rest of a chunk cut for another trial', async () => {
    // gzip-6 best on a slow link, gzip-1 and none both close enough to be measured again, and due at the same chunk.
    let clock = 0;
    const auto = new AutoCompression({ ...settings, now: () => clock });
    auto.uploadOpening();
    const compression: Record<string, { ratio: number; ms: number }> = { 'gzip-1': { ratio: 0.16, ms: 4 }, 'gzip-6': { ratio: 0.13, ms: 10 } };
    const feed = (index: number) => {
      auto.compressed(1, MB, compression['gzip-1'].ratio * MB, compression['gzip-1'].ms, index);
      auto.compressed(6, MB, compression['gzip-6'].ratio * MB, compression['gzip-6'].ms, index);
    };
    const linkMsPerMb = (encoding: string) => 60 * (compression[encoding]?.ratio ?? 0.5);
    const chunk = csvChunk(10 * MB);
    const sent: Array<{ encoding: string; bytes: number }> = [];
    for await (const piece of auto.withProbes(repeated(chunk, 30))) {
      feed(piece.index);
      const encoding = await auto.encodingFor(piece);
      const timing = auto.uploadStarting();
      clock += (linkMsPerMb(encoding.name) * piece.data.length) / MB;
      timing.finish(encoding.name, piece.data.length);
      auto.settled(piece.index);
      sent.push({ encoding: encoding.name, bytes: piece.data.length });
    }
    const trials = sent.slice(2).filter((c) => c.encoding !== 'gzip-6');
    expect(new Set(trials.map((c) => c.encoding))).toEqual(new Set(['none', 'gzip-1']));
    // gzip-1, close to gzip-6, known from its probe alone: checked on a whole chunk, once. None, 4x
    // slower, only ever on small chunks: a whole one would cost more than it could save.
    const whole = trials.filter((c) => c.bytes > 1.01 * MB);
    expect(whole).toEqual([{ encoding: 'gzip-1', bytes: chunk.length }]);
    // Every chunk cut for a trial has its rest sent the best way.
    sent.forEach((c, i) => {
      if (i > 1 && c.encoding !== 'gzip-6' && c.bytes < 1.01 * MB) expect(sent[i + 1].encoding).toBe('gzip-6');
    });
  });
});
