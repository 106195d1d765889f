/**
 * The upload session opens the upload (`POST files/{id}`) while the first chunk is being
 * compressed, and sends nothing until Anaplan has answered; if opening fails, nothing is sent and
 * every chunk taken is given back. A fake API stands in for Anaplan, so the test decides when it
 * answers.
 */
import zlib from 'node:zlib';
import { FixedConcurrency, sleep } from '@pipe/core';
import * as testing from '@pipe/core/testing';
import type { AnaplanApi } from '../../src/http/anaplan-api';
import { AutoCompression } from '../../src/upload/auto-compression';
import { BodiesAhead } from '../../src/upload/bodies-ahead';
import { chunkBodies, type ChunkCompression } from '../../src/upload/chunk-bodies';
import type { UploadChunk } from '../../src/upload/document-chunks';
import { AnaplanUploadSession } from '../../src/upload/upload-session';

const csv = (i: number) => Buffer.from(Array.from({ length: 20_000 }, (_, r) => `${i},${r},"note ${r % 7}"\n`).join(''));

function fakeAnaplan(open: () => Promise<void>) {
  const calls: string[] = [];
  const api = {
    json: async (method: string, path: string) => {
      calls.push(`${method} ${path}`);
      if (!path.endsWith('/complete')) await open();
      return { file: { id: '113000000000' } };
    },
    send: async (request: { method: string; path: string }) => {
      calls.push(`${request.method} ${request.path}`);
      await Promise.resolve();
    },
  } as unknown as AnaplanApi;
  return { api, calls };
}

function threeChunks() {
  const released: number[] = [];
  const taken: number[] = [];
  async function* chunks(): AsyncGenerator<UploadChunk> {
    for (let index = 0; index < 3; index++) {
      taken.push(index);
      yield { index, data: csv(index), release: () => released.push(index) };
    }
  }
  return { chunks: chunks(), released, taken };
}

function session(api: AnaplanApi, compression: ChunkCompression = 6) {
  const ctx = testing.createTestContext();
  return new AnaplanUploadSession({
    api,
    modelPath: 'workspaces/w/models/m',
    file: { id: '113000000000', name: 'Opportunities.csv' },
    concurrency: new FixedConcurrency(2),
    compression,
    signal: new AbortController().signal,
    progress: ctx.progress,
    log: ctx.log,
    attempts: 1,
  });
}

/** The chunks' bodies at gzip level 6, the first one asked for at once, as the sink makes them. */
const gzipped = (chunks: AsyncIterable<UploadChunk>) => new BodiesAhead(chunkBodies(chunks, 6, { parallel: 2, chunkSize: 10_000_000 }));

/** Waits (at most about a second) until `done()` holds. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await sleep(5);
}

describe('an upload session with gzip', () => {
  it('compresses the first chunk while Anaplan opens the upload, and sends it once Anaplan has answered', async () => {
    let answer: () => void = () => undefined;
    const { api, calls } = fakeAnaplan(() => new Promise((resolve) => (answer = resolve)));
    const { chunks, released } = threeChunks();
    const uploading = session(api).uploadAll(gzipped(chunks));
    // A raw chunk is given back once compressed: chunk 0 is, while the POST is unanswered.
    await until(() => released.includes(0));
    expect(released).toContain(0);
    expect(calls).toEqual(['POST workspaces/w/models/m/files/113000000000']);
    answer();
    await expect(uploading).resolves.toMatchObject({ chunks: 3 });
    expect(calls.slice(1).sort()).toEqual([0, 1, 2].map((i) => `PUT workspaces/w/models/m/files/113000000000/chunks/${i}`));
  });

  it('sends nothing when the upload cannot be opened, and gives back every chunk it took', async () => {
    const { api, calls } = fakeAnaplan(() => Promise.reject(new Error('Anaplan is down')));
    const { chunks, released, taken } = threeChunks();
    await expect(session(api).uploadAll(gzipped(chunks))).rejects.toThrow('Anaplan is down');
    expect(calls).toEqual(['POST workspaces/w/models/m/files/113000000000']);
    await until(() => released.length === taken.length);
    expect(taken.length).toBeGreaterThan(0);
    expect(released.sort()).toEqual(taken);
  });
});

describe('an upload session with compress: auto', () => {
  it('has the gzipped probe compressed only once the request that opens the upload is sent: it would hold that request back', async () => {
    const { api, calls } = fakeAnaplan(() => Promise.resolve());
    const ctx = testing.createTestContext();
    const auto = new AutoCompression({ threads: 2, log: ctx.log });
    const data = csv(0);
    async function* chunks(): AsyncGenerator<UploadChunk> {
      yield { index: 0, data: Buffer.concat(Array.from({ length: 20 }, () => data)) }; // large enough for the probes
    }
    const realGzipSync = zlib.gzipSync;
    const gzipSync = jest.spyOn(zlib, 'gzipSync').mockImplementation((buffer, options) => {
      calls.push('gzip');
      return realGzipSync(buffer, options);
    });
    try {
      const bodies = new BodiesAhead(chunkBodies(chunks(), auto, { parallel: 2, chunkSize: 10_000_000 }));
      await sleep(20); // the sink logs in meanwhile: the chunk is read, its probes cut
      await expect(session(api, auto).uploadAll(bodies)).resolves.toMatchObject({ chunks: 3 });
    } finally {
      gzipSync.mockRestore();
    }
    expect(calls.slice(0, 2)).toEqual(['POST workspaces/w/models/m/files/113000000000', 'gzip']);
    expect(auto.chunksByEncoding).toMatchObject({ 'gzip-1': 1, none: 2 });
  });
});
