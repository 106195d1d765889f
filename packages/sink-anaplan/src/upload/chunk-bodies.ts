/**
 * Chunks as request bodies: sent as they are, or encoded (gzipped or not, per chunk) ahead of the
 * uploader.
 *
 * With gzip, memory is what decides the shape. A raw chunk is needed only until it is compressed,
 * and only as many chunks compress at once as there are CPU threads, so raw chunks are taken from
 * the input only when a compression can start. Upload slots then hold compressed bodies, several
 * times smaller for CSV. Compressing runs ahead of the uploader on its own, so the CPU keeps
 * compressing while bodies are on the wire; at most `parallel` chunks are held ahead of the
 * uploader: waiting for their encoding to be decided, compressing, or waiting (compressed, or as
 * they are) for a free upload slot.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { ConcurrencyLimit } from '@pipe/core';
import type { AutoCompression, EncodingPolicy } from './auto-compression';
import { checkChunk } from './chunk-limits';
import { gzipEncoding, NO_COMPRESSION, type Encoding } from './compression-choice';
import type { UploadChunk } from './document-chunks';
import { GZIP_CONTENT_TYPE, PLAIN_CONTENT_TYPE, gzipChunk, gzipChunkHere } from './gzip-chunk';

export interface ChunkBody {
  /** 0-based chunk number in the file. */
  readonly index: number;
  /** Bytes of data in the chunk, before compression. */
  readonly rawBytes: number;
  readonly body: Buffer;
  readonly contentType: string;
  /** The encoding's name: `none`, `gzip-6`. */
  readonly encoding: string;
  /** Give the bytes back to their producer once the body is sent (plain bodies are the chunk itself). */
  readonly release?: () => void;
}

/** How chunks go: as they are, gzipped at one level, or as `compress: auto` decides per chunk. */
export type ChunkCompression = 'none' | number | AutoCompression;

/** The bodies for `chunks` under `compression`; `parallel` and `chunkSize` as in EncodedBodiesOptions. */
export function chunkBodies(
  chunks: AsyncIterable<UploadChunk>,
  compression: ChunkCompression,
  { parallel, chunkSize }: Omit<EncodedBodiesOptions, 'policy'>,
): AsyncIterable<ChunkBody> {
  if (compression === 'none') return plainBodies(chunks, chunkSize);
  if (typeof compression === 'number') return gzipBodies(chunks, { level: compression, parallel, chunkSize });
  return encodedBodies(compression.withProbes(chunks), { policy: compression, parallel, chunkSize });
}

/** Chunks compressing at once: enough to keep the uploads fed, no more than the CPU threads. */
export function compressionThreads(concurrency: ConcurrencyLimit): number {
  return Math.max(1, Math.min(concurrency.maximum, availableParallelism()));
}

/** The chunks as they are, checked against Anaplan's limits as they come. */
export async function* plainBodies(chunks: AsyncIterable<UploadChunk>, chunkSize: number): AsyncGenerator<ChunkBody> {
  for await (const chunk of chunks) {
    checkChunk(chunk.index, chunk.data.length, chunkSize);
    yield plainBody(chunk);
  }
}

function plainBody(chunk: UploadChunk): ChunkBody {
  return { index: chunk.index, rawBytes: chunk.data.length, body: chunk.data, contentType: PLAIN_CONTENT_TYPE, encoding: 'none', release: chunk.release };
}

export interface EncodedBodiesOptions {
  /** The encoding of each chunk, decided when it is taken from the input. */
  readonly policy: EncodingPolicy;
  /** Most chunks compressing or compressed and not yet taken. */
  readonly parallel: number;
  readonly chunkSize: number;
}

/** Gzipped bodies (`compress: gzip`) in the order they finish compressing. */
export function gzipBodies(
  chunks: AsyncIterable<UploadChunk>,
  options: { level: number; parallel: number; chunkSize: number },
): AsyncIterableIterator<ChunkBody> {
  const encoding = gzipEncoding(options.level);
  return encodedBodies(chunks, { policy: { encodingFor: () => encoding }, parallel: options.parallel, chunkSize: options.chunkSize });
}

/**
 * Bodies in the order they are ready: a chunk sent as it is is ready at once, a gzipped one once
 * compressed (its raw chunk is then released).
 */
export function encodedBodies(chunks: AsyncIterable<UploadChunk>, options: EncodedBodiesOptions): AsyncIterableIterator<ChunkBody> {
  return new CompressAhead(chunks, options);
}

class CompressAhead implements AsyncIterableIterator<ChunkBody> {
  private readonly input: AsyncIterator<UploadChunk>;
  private readonly ready: ChunkBody[] = [];
  private compressing = 0;
  /** Chunks whose encoding the policy has not decided yet (auto waits for its probes). */
  private readonly deciding = new Set<UploadChunk>();
  /**
   * The memory held ahead of the uploader: raw chunks deciding or compressing, and bodies ready,
   * counted by the memory they live in, so that pieces cut from one chunk (auto's probes) count
   * once, as the one chunk they are.
   */
  private readonly held = new Map<ArrayBufferLike, number>();
  private inputDone = false;
  private stopped = false;
  private failure: { readonly error: unknown } | undefined;
  private pumping = false;
  /** Callers waiting in next(). */
  private asked = 0;
  /** Whether the last chunk started goes as it is: then the next is read only when asked for. */
  private lastPlain = false;
  /** pump() was called while the reader was running: it runs once more when that one ends. */
  private pumpAgain = false;
  /** Wakes a consumer waiting in next(). */
  private wakeConsumer: (() => void) | undefined;

  constructor(
    input: AsyncIterable<UploadChunk>,
    private readonly options: EncodedBodiesOptions,
  ) {
    this.input = input[Symbol.asyncIterator]();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<ChunkBody>> {
    this.asked++;
    try {
      for (;;) {
        this.pump();
        if (this.failure) throw this.failure.error;
        const body = this.ready.shift();
        if (body) {
          this.unhold(body.body);
          return { value: body, done: false };
        }
        if (this.inputDone && this.compressing === 0 && this.deciding.size === 0) return { value: undefined, done: true };
        await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
      }
    } finally {
      this.asked--;
      this.pump(); // room freed up: start the next compression before the caller sends this body
    }
  }

  /** Stop: no more input is read; compressions under way finish and release their raw chunks. */
  async return(): Promise<IteratorResult<ChunkBody>> {
    this.stop();
    return { value: undefined, done: true };
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const body of this.ready.splice(0)) {
      this.unhold(body.body);
      body.release?.(); // plain bodies hold their raw chunk
    }
    // Their encodings may never be decided now (auto waits for probes that will not be sent).
    for (const chunk of this.deciding) this.drop(chunk);
    this.deciding.clear();
    if (!this.inputDone) {
      this.inputDone = true;
      // Release the input (closes a file source) without waiting on a source that may hang.
      void this.input.return?.()?.catch(() => undefined);
    }
  }

  /** Read and start compressing while there is room; one reader at a time. */
  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true; // the reader may be past its last check: room came after it
      return;
    }
    this.pumping = true;
    this.pumpAgain = false;
    void this.fill().finally(() => {
      this.pumping = false;
      if (this.pumpAgain) this.pump();
    });
  }

  /**
   * Takes chunks while less than `parallel` chunks' memory is held ahead and reading is wanted
   * (readWanted). A chunk whose encoding is not decided yet waits aside.
   */
  private async fill(): Promise<void> {
    while (!this.stopped && !this.inputDone && !this.failure && this.held.size < this.options.parallel && this.readWanted()) {
      let next: IteratorResult<UploadChunk>;
      try {
        next = await this.input.next();
      } catch (error) {
        this.inputDone = true;
        this.fail(error);
        return;
      }
      if (next.done) {
        this.inputDone = true;
        this.wake();
        return;
      }
      if (this.stopped) {
        next.value.release?.(); // stopped while this chunk was being read
        return;
      }
      const chunk = next.value;
      this.hold(chunk.data);
      let decided: Encoding | Promise<Encoding>;
      try {
        checkChunk(chunk.index, chunk.data.length, this.options.chunkSize);
        decided = this.options.policy.encodingFor(chunk);
      } catch (error) {
        this.drop(chunk);
        this.fail(error);
        return;
      }
      if (decided instanceof Promise) this.decideLater(chunk, decided);
      else this.start(chunk, decided);
    }
  }

  /**
   * Reading ahead is for compression (the CPU compresses while uploads are on the wire). While
   * chunks go as they are, a chunk is read when the uploader asks for one, as without compression:
   * reading ahead would only hold more memory and cycle more buffers through the CPU caches
   * (measured: 6% slower on loopback). While a chunk waits for its encoding, nothing more is read:
   * it waits for auto's probes, whose uploads reading would slow on a busy machine, and it is
   * itself the next chunk to go once decided.
   */
  private readWanted(): boolean {
    if (this.deciding.size > 0) return false;
    if (this.ready.some((body) => body.encoding === NO_COMPRESSION.name)) return false;
    return this.asked > 0 || !this.lastPlain;
  }

  private decideLater(chunk: UploadChunk, decided: Promise<Encoding>): void {
    this.deciding.add(chunk);
    decided
      .then(
        (encoding) => {
          if (this.deciding.delete(chunk)) this.start(chunk, encoding);
        },
        (error: unknown) => {
          if (!this.deciding.delete(chunk)) return;
          this.drop(chunk);
          this.fail(error);
        },
      )
      .finally(() => {
        this.wake();
        this.pump();
      });
  }

  private start(chunk: UploadChunk, { name, gzipLevel }: Encoding): void {
    if (gzipLevel === undefined) {
      this.lastPlain = true;
      this.ready.push(plainBody(chunk)); // holds the chunk's memory until taken
      this.wake();
      return;
    }
    this.lastPlain = false;
    this.compressing++;
    const started = performance.now();
    // On this thread, a throw from zlib becomes the promise's rejection, as on the thread pool.
    (this.options.policy.compressAtOnce?.(chunk)
      ? new Promise<Buffer>((resolve) => resolve(gzipChunkHere(chunk.data, gzipLevel)))
      : gzipChunk(chunk.data, gzipLevel)
    )
      .then(
        (body) => {
          this.options.policy.compressed?.(gzipLevel, chunk.data.length, body.length, performance.now() - started, chunk.index);
          if (this.stopped) return;
          this.hold(body);
          this.ready.push({ index: chunk.index, rawBytes: chunk.data.length, body, contentType: GZIP_CONTENT_TYPE, encoding: name });
        },
        (error: unknown) => this.fail(error),
      )
      .finally(() => {
        this.drop(chunk);
        this.compressing--;
        this.wake();
        this.pump();
      });
  }

  /** A raw chunk no longer needed here: its memory no longer counts, and goes back to its producer. */
  private drop(chunk: UploadChunk): void {
    this.unhold(chunk.data);
    chunk.release?.();
  }

  private hold(bytes: Buffer): void {
    this.held.set(bytes.buffer, (this.held.get(bytes.buffer) ?? 0) + 1);
  }

  private unhold(bytes: Buffer): void {
    const count = (this.held.get(bytes.buffer) ?? 0) - 1;
    if (count > 0) this.held.set(bytes.buffer, count);
    else this.held.delete(bytes.buffer);
  }

  private fail(error: unknown): void {
    this.failure ??= { error };
    this.stop();
    this.wake();
  }

  private wake(): void {
    const wake = this.wakeConsumer;
    this.wakeConsumer = undefined;
    wake?.();
  }
}
