import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { dataPiece, docEnd, sleep, type Piece } from '@pipe/core';
import * as testing from '@pipe/core/testing';
import { routePatterns } from '@pipe/emulator-anaplan';
import {
  chunkPuts,
  completeCalls,
  configFor,
  DOC,
  maxOverlap,
  IDS,
  opportunitiesCsv,
  preCutPieces,
  runAnaplanSink,
  startEmulator,
  type AnaplanEmulator,
} from '../support/anaplan-fixture';

const MB = 1_000_000;
let emulator: AnaplanEmulator;

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.stop();
});
beforeEach(() => emulator.faults.clear());

describe("Anaplan's 1000-chunk limit", () => {
  it('a known size that needs more than 1000 chunks fails before anything is sent, suggesting a chunk size', async () => {
    const before = emulator.requests.length;
    let pulled = 0;
    async function* never(): AsyncGenerator<Piece> {
      pulled++;
      yield dataPiece(DOC, Buffer.from('a,b\n'));
    }
    const run = await runAnaplanSink(configFor(emulator), never(), { shape: { expectedBytes: 12_500_000_000, chunkSize: 10 * MB } });
    expect(run.error?.message).toBe(
      "the input (12.50 GB) needs more than 1000 chunks of 10.0 MB, Anaplan's limit per file; set chunkSize to at least 13MB. Nothing was sent",
    );
    expect(emulator.requests.length).toBe(before); // not even a login
    expect(pulled).toBe(0);
  });

  it('a stream of unknown size fails when chunk 1000 arrives, without completing the upload', async () => {
    const before = emulator.requests.length;
    async function* manyChunks(): AsyncGenerator<Piece> {
      for (let i = 0; i < 1200; i++) yield dataPiece(DOC, Buffer.from(`row-${i},x\n`), i);
      yield docEnd(DOC);
    }
    const run = await runAnaplanSink(configFor(emulator, { concurrency: 16 }), manyChunks());
    expect(run.error?.message).toBe(
      "the input needs more than 1000 chunks of 10.0 MB, Anaplan's limit per file; set a larger chunkSize (now 10.0 MB, at most 50MB), e.g. 20MB. The upload was not marked complete",
    );
    const puts = chunkPuts(emulator).filter((r) => r.seq > before);
    expect(puts.length).toBeLessThanOrEqual(1000);
    expect(puts.every((p) => Number(p.path.split('/').pop()) < 1000)).toBe(true);
    expect(completeCalls(emulator).filter((r) => r.seq > before)).toHaveLength(0);
  });

  it('exactly 1000 chunks is fine', async () => {
    async function* thousand(): AsyncGenerator<Piece> {
      for (let i = 0; i < 1000; i++) yield dataPiece(DOC, Buffer.from(`row-${i},x\n`), i);
      yield docEnd(DOC);
    }
    const run = await runAnaplanSink(configFor(emulator, { concurrency: 32 }), thousand());
    expect(run.error).toBeUndefined();
    expect(run.result?.details).toMatchObject({ chunks: 1000 });
  });
});

describe('bounded memory and streaming', () => {
  it('with a slow Anaplan, chunks read but not yet acknowledged never exceed the concurrency plus one', async () => {
    emulator.faults.add({ method: 'PUT', path: routePatterns.chunk, fault: { kind: 'latency', ms: 40 } });
    const concurrency = 3;
    let pulled = 0;
    let worst = 0;
    const ctx = testing.createTestContext();
    const pieces = preCutPieces(opportunitiesCsv(4000), 10_000); // ~25 small chunks
    async function* counted(): AsyncGenerator<Piece> {
      for (const piece of pieces) {
        if (piece.type === 'data') {
          pulled++;
          worst = Math.max(worst, pulled - ctx.progressCounts.chunks);
        }
        yield piece;
      }
    }
    const before = emulator.requests.length;
    const run = await runAnaplanSink(configFor(emulator, { concurrency, compress: 'none' }), counted(), { ctx });
    expect(run.error).toBeUndefined();
    expect(pieces.length - 1).toBeGreaterThan(20);
    expect(worst).toBeLessThanOrEqual(concurrency + 1);
    const puts = chunkPuts(emulator).filter((r) => r.seq > before);
    expect(maxOverlap(puts)).toBe(concurrency);
  });

  it('a raw byte stream (no chunk-lines) is cut by the sink: bytes read ahead of the acknowledged ones stay under (concurrency + 1) chunks', async () => {
    emulator.faults.add({ method: 'PUT', path: routePatterns.chunk, fault: { kind: 'latency', ms: 30 } });
    const csv = opportunitiesCsv(110_000); // ~7.5 MB: eight 1 MB chunks
    const concurrency = 2;
    const pieceSize = 64 * 1024;
    let read = 0;
    let worst = 0;
    const ctx = testing.createTestContext();
    async function* stream(): AsyncGenerator<Piece> {
      for (let i = 0; i < csv.length; i += pieceSize) {
        read += Math.min(pieceSize, csv.length - i);
        worst = Math.max(worst, read - ctx.progressCounts.bytes);
        yield dataPiece(DOC, csv.subarray(i, i + pieceSize));
      }
      yield docEnd(DOC);
    }
    const run = await runAnaplanSink(configFor(emulator, { concurrency, compress: 'none', chunkSize: '1MB' }), stream(), { ctx });
    expect(run.error).toBeUndefined();
    expect(emulator.getFileContent(IDS.workspace, IDS.model, IDS.file).equals(csv)).toBe(true);
    expect(worst).toBeLessThanOrEqual((concurrency + 1) * MB + pieceSize);
  });

  it('chunks already acknowledged are garbage: the sink keeps no reference to them while the upload goes on', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const concurrency = 2;
    const alive: WeakRef<Buffer>[] = [];
    let worstAlive = 0;
    let firstChunkAliveAtEnd = true;
    // Chunks are made on demand and not kept here, so only the sink can keep them alive.
    async function* fresh(): AsyncGenerator<Piece> {
      for (let i = 0; i < 40; i++) {
        if (i % 8 === 7) {
          gc();
          worstAlive = Math.max(worstAlive, alive.filter((ref) => ref.deref() !== undefined).length);
          firstChunkAliveAtEnd = alive[0].deref() !== undefined;
        }
        const data = Buffer.alloc(256 * 1024, `row-${i},${'x'.repeat(50)}\n`);
        alive.push(new WeakRef(data));
        yield dataPiece(DOC, data, i);
      }
      yield docEnd(DOC);
    }
    const run = await runAnaplanSink(configFor(emulator, { concurrency, compress: 'none' }), fresh());
    expect(run.error).toBeUndefined();
    expect(worstAlive).toBeLessThanOrEqual(concurrency + 2);
    // Chunk 0 is read while logging in: it must not stay pinned for the whole upload either.
    expect(firstChunkAliveAtEnd).toBe(false);
  });

  it('chunk 0 is on the wire while later chunks are still being read', async () => {
    const before = emulator.requests.length;
    const pieces = preCutPieces(opportunitiesCsv(4000), 20_000);
    const uploaded = () => chunkPuts(emulator).filter((r) => r.seq > before && r.status === 204);
    let uploadedBeforeLastPiece: string[] = [];
    async function* slowSource(): AsyncGenerator<Piece> {
      for (const [i, piece] of pieces.entries()) {
        // The last piece waits until a chunk is through: it comes only if the upload did not wait for the end of the input.
        if (i === pieces.length - 1) {
          while (uploaded().length === 0) await sleep(5);
          uploadedBeforeLastPiece = uploaded().map((r) => r.path);
        }
        yield piece;
      }
    }
    const run = await runAnaplanSink(configFor(emulator, { compress: 'none' }), slowSource());
    expect(run.error).toBeUndefined();
    expect(uploadedBeforeLastPiece[0]).toMatch(/\/chunks\/0$/);
  });
});
