/**
 * Chunks as request bodies: sent as they are, or gzipped ahead of the uploader.
 *
 * With gzip, memory is what decides the shape. A raw chunk is needed only until it is compressed,
 * and only as many chunks compress at once as there are CPU threads, so raw chunks are taken from
 * the input only when a compression can start. Upload slots then hold compressed bodies, several
 * times smaller for CSV. Compressing runs ahead of the uploader on its own, so the CPU keeps
 * compressing while bodies are on the wire; at most `parallel` chunks are compressing or waiting,
 * compressed, for a free upload slot.
 */
import { checkChunk } from './chunk-limits';
import type { UploadChunk } from './document-chunks';
import { GZIP_CONTENT_TYPE, PLAIN_CONTENT_TYPE, gzipChunk } from './gzip-chunk';

export interface ChunkBody {
  /** 0-based chunk number in the file. */
  readonly index: number;
  /** Bytes of data in the chunk, before compression. */
  readonly rawBytes: number;
  readonly body: Buffer;
  readonly contentType: string;
  /** Give the bytes back to their producer once the body is sent (plain bodies are the chunk itself). */
  readonly release?: () => void;
}

/** The chunks as they are, checked against Anaplan's limits as they come. */
export async function* plainBodies(chunks: AsyncIterable<UploadChunk>, chunkSize: number): AsyncGenerator<ChunkBody> {
  for await (const chunk of chunks) {
    checkChunk(chunk.index, chunk.data.length, chunkSize);
    yield { index: chunk.index, rawBytes: chunk.data.length, body: chunk.data, contentType: PLAIN_CONTENT_TYPE, release: chunk.release };
  }
}

export interface GzipBodiesOptions {
  readonly level: number;
  /** Most chunks compressing or compressed and not yet taken. */
  readonly parallel: number;
  readonly chunkSize: number;
}

/** Gzipped bodies in the order they finish compressing; each raw chunk is released once compressed. */
export function gzipBodies(chunks: AsyncIterable<UploadChunk>, options: GzipBodiesOptions): AsyncIterableIterator<ChunkBody> {
  return new CompressAhead(chunks, options);
}

class CompressAhead implements AsyncIterableIterator<ChunkBody> {
  private readonly input: AsyncIterator<UploadChunk>;
  private readonly ready: ChunkBody[] = [];
  private compressing = 0;
  private inputDone = false;
  private stopped = false;
  private failure: { readonly error: unknown } | undefined;
  private pumping = false;
  /** Wakes a consumer waiting in next(). */
  private wakeConsumer: (() => void) | undefined;

  constructor(
    input: AsyncIterable<UploadChunk>,
    private readonly options: GzipBodiesOptions,
  ) {
    this.input = input[Symbol.asyncIterator]();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<ChunkBody>> {
    for (;;) {
      this.pump();
      if (this.failure) throw this.failure.error;
      const body = this.ready.shift();
      if (body) {
        this.pump(); // a slot freed up: start the next compression before the caller sends this one
        return { value: body, done: false };
      }
      if (this.inputDone && this.compressing === 0) return { value: undefined, done: true };
      await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
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
    this.ready.length = 0;
    if (!this.inputDone) {
      this.inputDone = true;
      // Release the input (closes a file source) without waiting on a source that may hang.
      void this.input.return?.()?.catch(() => undefined);
    }
  }

  /** Read and start compressing while there is room; one reader at a time. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    void this.fill().finally(() => {
      this.pumping = false;
    });
  }

  private async fill(): Promise<void> {
    while (!this.stopped && !this.inputDone && !this.failure && this.compressing + this.ready.length < this.options.parallel) {
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
      this.start(next.value);
    }
  }

  private start(chunk: UploadChunk): void {
    try {
      checkChunk(chunk.index, chunk.data.length, this.options.chunkSize);
    } catch (error) {
      chunk.release?.();
      this.fail(error);
      return;
    }
    this.compressing++;
    gzipChunk(chunk.data, this.options.level)
      .then(
        (body) => {
          if (!this.stopped) this.ready.push({ index: chunk.index, rawBytes: chunk.data.length, body, contentType: GZIP_CONTENT_TYPE });
        },
        (error: unknown) => this.fail(error),
      )
      .finally(() => {
        chunk.release?.();
        this.compressing--;
        this.wake();
        this.pump();
      });
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
