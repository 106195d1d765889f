import { randomBytes } from 'node:crypto';
import { sleep } from '@pipe/core';
import zlib, { gunzipSync } from 'node:zlib';
import type { EncodingPolicy } from '../../src/upload/auto-compression';
import { encodedBodies, gzipBodies, plainBodies, type ChunkBody } from '../../src/upload/chunk-bodies';
import { gzipEncoding, NO_COMPRESSION, type Encoding } from '../../src/upload/compression-choice';
import type { UploadChunk } from '../../src/upload/document-chunks';
import { gzipBound, gzipChunk } from '../../src/upload/gzip-chunk';

const csvChunk = (i: number) => Buffer.from(Array.from({ length: 4000 }, (_, r) => `${i},${r},"note ${r % 7}"\n`).join(''));

/** Chunks made on demand, counting those taken from the input and not yet released. */
function source(count: number, make = csvChunk) {
  const state = { taken: 0, held: 0, worstHeld: 0, released: new Set<number>(), closed: false };
  async function* chunks(): AsyncGenerator<UploadChunk> {
    try {
      for (let index = 0; index < count; index++) {
        state.taken++;
        state.held++;
        state.worstHeld = Math.max(state.worstHeld, state.held);
        yield {
          index,
          data: make(index),
          release: () => {
            if (state.released.has(index)) throw new Error(`chunk ${index} released twice`);
            state.released.add(index);
            state.held--;
          },
        };
      }
    } finally {
      state.closed = true;
    }
  }
  return { chunks: chunks(), state };
}

describe('gzip bodies', () => {
  it('each body is a complete gzip member of its chunk; every raw chunk is released once', async () => {
    const { chunks, state } = source(12);
    const bodies: ChunkBody[] = [];
    for await (const body of gzipBodies(chunks, { level: 6, parallel: 3, chunkSize: 1_000_000 })) bodies.push(body);
    expect(bodies.map((b) => b.index).sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
    for (const body of bodies) {
      expect(body.contentType).toBe('application/x-gzip');
      expect(gunzipSync(body.body).equals(csvChunk(body.index))).toBe(true);
      expect(body.rawBytes).toBe(csvChunk(body.index).length);
      expect(body.body.length).toBeLessThan(body.rawBytes / 3);
    }
    expect(state.released.size).toBe(12);
  });

  it('with a slow uploader, the encoder stays `parallel` chunks ahead: no more raw chunks held, no more bodies waiting', async () => {
    const { chunks, state } = source(20);
    let uploaded = 0;
    let worstAhead = 0;
    for await (const body of gzipBodies(chunks, { level: 1, parallel: 2, chunkSize: 1_000_000 })) {
      expect(body.body.length).toBeGreaterThan(0);
      await sleep(15); // the upload
      uploaded++;
      // Taken from the input but not uploaded: the body just sent, plus those compressing or compressed.
      worstAhead = Math.max(worstAhead, state.taken - uploaded);
    }
    expect(state.worstHeld).toBeLessThanOrEqual(2);
    expect(worstAhead).toBe(2);
    expect(state.released.size).toBe(20);
  });

  it('keeps compressing while a body is on the wire', async () => {
    const { chunks, state } = source(6);
    const bodies = gzipBodies(chunks, { level: 1, parallel: 2, chunkSize: 1_000_000 });
    const first = await bodies.next();
    expect(first.done).toBe(false);
    // The first body is held (on the wire); the next ones compress meanwhile, or this waits until jest's timeout.
    while (state.taken < 3 || state.released.size < 3) await sleep(5);
    expect(state.taken).toBeGreaterThanOrEqual(3);
    expect(state.released.size).toBeGreaterThanOrEqual(3);
    await bodies.return?.();
  });

  it('a failing input fails the bodies with its error', async () => {
    async function* broken(): AsyncGenerator<UploadChunk> {
      yield { index: 0, data: csvChunk(0) };
      throw new Error('report cut short');
    }
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const body of gzipBodies(broken(), { level: 1, parallel: 2, chunkSize: 1_000_000 })) seen.push(body.index);
      })(),
    ).rejects.toThrow('report cut short');
  });

  it('a chunk above the limit fails before it is compressed, and is released', async () => {
    const { chunks, state } = source(3, (i) => (i === 1 ? Buffer.alloc(51_000_000, 'a') : csvChunk(i)));
    await expect(
      (async () => {
        for await (const body of gzipBodies(chunks, { level: 1, parallel: 1, chunkSize: 10_000_000 })) expect(body.index).toBe(0);
      })(),
    ).rejects.toThrow(/chunk 1 holds 51.0 MB, above Anaplan's limit/);
    expect(state.held).toBe(0);
  });

  it('stopping early reads no more input and closes it', async () => {
    const { chunks, state } = source(50);
    const bodies = gzipBodies(chunks, { level: 1, parallel: 2, chunkSize: 1_000_000 });
    await bodies.next();
    await bodies.return?.();
    while (!state.closed || state.held > 0) await sleep(5);
    expect(state.taken).toBeLessThanOrEqual(4);
    expect(state.closed).toBe(true);
    expect(state.held).toBe(0); // compressions under way finished and gave their chunks back
  });
});

describe('bodies whose encoding is decided later (compress: auto while its probes are out)', () => {
  /** A policy that gzips chunks before `from` (as auto its first probe) and decides the others, as they are, once `decide()` is called. */
  function undecided(from: number) {
    let decide: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (decide = resolve));
    const asked: number[] = [];
    const policy: EncodingPolicy = {
      encodingFor: (chunk) => {
        asked.push(chunk.index);
        return chunk.index < from ? gzipEncoding(1) : gate.then((): Encoding => NO_COMPRESSION);
      },
    };
    return { policy, asked, decide: () => decide() };
  }

  it('nothing more is read while a chunk waits for its encoding; pieces of one chunk count once', async () => {
    // Chunk 0 is cut in three pieces, as auto cuts its probes: views of one buffer.
    const whole = csvChunk(0);
    const third = Math.floor(whole.length / 3);
    const pieces = [whole.subarray(0, third), whole.subarray(third, 2 * third), whole.subarray(2 * third)];
    let taken = 0;
    async function* chunks(): AsyncGenerator<UploadChunk> {
      for (const [index, data] of [...pieces, csvChunk(1), csvChunk(2), csvChunk(3), csvChunk(4)].entries()) {
        taken++;
        yield { index, data };
      }
    }
    const { policy, asked, decide } = undecided(1);
    const bodies = encodedBodies(chunks(), { policy, parallel: 2, chunkSize: 1_000_000 });
    const first = await bodies.next();
    expect(first.value?.index).toBe(0);
    await sleep(20);
    // Piece 0 is taken (compressed, sent), piece 1 waits for its encoding: reading stops there (it
    // would slow the probe on its way), though the memory held would allow one more chunk.
    expect(asked).toEqual([0, 1]);
    expect(taken).toBe(2);
    decide();
    const rest: number[] = [];
    for await (const body of bodies) rest.push(body.index);
    expect(rest).toEqual([1, 2, 3, 4, 5, 6]);
    expect(asked).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('a chunk the policy wants at once is compressed on this thread; the others on the thread pool', async () => {
    const { chunks } = source(4);
    const policy: EncodingPolicy = { encodingFor: () => gzipEncoding(1), compressAtOnce: (chunk) => chunk.index === 0 };
    const here = jest.spyOn(zlib, 'gzipSync');
    try {
      const bodies: ChunkBody[] = [];
      for await (const body of encodedBodies(chunks, { policy, parallel: 2, chunkSize: 1_000_000 })) bodies.push(body);
      expect(here.mock.calls.map(([data]) => (data as Buffer).equals(csvChunk(0)))).toEqual([true]);
      for (const body of bodies) expect(gunzipSync(body.body).equals(csvChunk(body.index))).toBe(true);
    } finally {
      here.mockRestore();
    }
  });

  it('a failure compressing on this thread fails the bodies with its error, and gives the chunks back', async () => {
    const { chunks, state } = source(4);
    const policy: EncodingPolicy = { encodingFor: () => gzipEncoding(1), compressAtOnce: () => true };
    const here = jest.spyOn(zlib, 'gzipSync').mockImplementation(() => {
      throw new Error('zlib ran out of memory');
    });
    try {
      const bodies = encodedBodies(chunks, { policy, parallel: 2, chunkSize: 1_000_000 });
      await expect(bodies.next()).rejects.toThrow('zlib ran out of memory');
      await sleep(10);
      expect(state.held).toBe(0);
    } finally {
      here.mockRestore();
    }
  });

  it('while chunks go as they are, the next one is read when the uploader asks for it, not ahead', async () => {
    const { chunks, state } = source(10);
    const plain: EncodingPolicy = { encodingFor: () => NO_COMPRESSION };
    const bodies = encodedBodies(chunks, { policy: plain, parallel: 3, chunkSize: 1_000_000 });
    const first = await bodies.next();
    expect(first.value?.encoding).toBe('none');
    await sleep(20);
    // Only the body on the wire: reading ahead would only hold memory, as without compression.
    expect(state.taken).toBe(1);
    let count = 1;
    for await (const body of bodies) {
      body.release?.();
      count++;
    }
    expect(count).toBe(10);
  });

  it('stopping while chunks wait for their encoding gives them back, decided or not', async () => {
    const { chunks, state } = source(10);
    const { policy, decide } = undecided(1);
    const bodies = encodedBodies(chunks, { policy, parallel: 2, chunkSize: 1_000_000 });
    const first = await bodies.next();
    first.value?.release?.();
    await sleep(10);
    expect(state.held).toBe(1); // chunk 1, waiting for its encoding
    await bodies.return?.();
    expect(state.held).toBe(0);
    decide(); // a decision that comes after the stop starts nothing
    await sleep(10);
    expect(state.held).toBe(0);
    expect(state.released.size).toBe(2);
  });
});

describe('plain bodies', () => {
  it('are the chunks themselves, released by the uploader', async () => {
    const { chunks, state } = source(3);
    const bodies: ChunkBody[] = [];
    for await (const body of plainBodies(chunks, 1_000_000)) bodies.push(body);
    expect(bodies.map((b) => [b.index, b.contentType])).toEqual([
      [0, 'application/octet-stream'],
      [1, 'application/octet-stream'],
      [2, 'application/octet-stream'],
    ]);
    expect(state.released.size).toBe(0);
    for (const body of bodies) body.release?.();
    expect(state.released.size).toBe(3);
  });
});

describe('gzipChunk', () => {
  it.each([0, 1, 65_536, 3_000_000])('round-trips %i random (incompressible) bytes within the bound', async (n) => {
    const data = randomBytes(n);
    for (const level of [1, 9]) {
      const body = await gzipChunk(data, level);
      expect(body.length).toBeLessThanOrEqual(gzipBound(n));
      expect(gunzipSync(body).equals(data)).toBe(true);
    }
  });
});
