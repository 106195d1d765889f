/**
 * Server-side state of one file upload: the declared chunk count, the chunks received so far
 * (stored decompressed, by index) and whether the upload counts as complete.
 *
 * Semantics (documented behaviour unless marked Guess):
 * - `POST …/files/{id}` `{chunkCount}` starts a new upload and drops earlier chunks.
 * - A fixed count N is complete once chunks 0..N-1 are all there; -1 needs `POST …/complete`.
 * - Chunks are consecutive byte ranges of the file, joined in index order (Guess, see research (a)).
 * - A repeated PUT of the same index replaces it (Guess; switchable to 'reject').
 */
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';

const gunzipAsync = promisify(gunzip);

export type ChunkPutResult = { ok: true } | { ok: false; status: number; message: string };

export type CompleteResult = { ok: true; chunkCount: number } | { ok: false; status: number; message: string };

export class UploadState {
  /** -1 = open-ended; 0 = nothing announced yet (the seed state). */
  chunkCount = 0;
  completed = false;
  /** Each chunk's bytes in the pieces they came in: joined only when read, never on the upload. */
  private readonly chunks = new Map<number, readonly Buffer[]>();

  constructor(
    private readonly maxChunks: number,
    private readonly duplicates: 'replace' | 'reject',
  ) {}

  reset(chunkCount: number): void {
    this.chunkCount = chunkCount;
    this.completed = false;
    this.chunks.clear();
  }

  put(index: number, data: readonly Buffer[]): ChunkPutResult {
    if (index >= this.maxChunks) {
      return { ok: false, status: 400, message: `Chunk ${index} exceeds the limit of ${this.maxChunks} chunks per file` };
    }
    if (this.chunkCount >= 0 && index >= this.chunkCount) {
      return {
        ok: false,
        status: 400,
        message: `Chunk ${index} is out of range: the chunk count is ${this.chunkCount}; set it with POST …/files/{fileId} first`,
      };
    }
    if (this.chunks.has(index) && this.duplicates === 'reject') {
      return { ok: false, status: 409, message: `Chunk ${index} was already uploaded` };
    }
    this.chunks.set(index, data);
    if (this.chunkCount > 0 && this.missing(this.chunkCount).length === 0) this.completed = true;
    return { ok: true };
  }

  /** `POST …/complete`: fixes the real chunk count of an open-ended upload. */
  complete(): CompleteResult {
    const count = this.chunkCount >= 0 ? this.chunkCount : this.highestIndex() + 1;
    const missing = this.missing(count);
    if (missing.length > 0) {
      // Guess: the real status for an incomplete upload is undocumented.
      return { ok: false, status: 400, message: `Upload is incomplete: missing chunk(s) ${missing.slice(0, 20).join(', ')}` };
    }
    this.chunkCount = count;
    this.completed = true;
    return { ok: true, chunkCount: count };
  }

  /** Single-file upload (`PUT …/files/{id}`): one chunk, complete at once. */
  replaceWhole(data: Buffer): void {
    this.chunks.clear();
    this.chunks.set(0, [data]);
    this.chunkCount = 1;
    this.completed = true;
  }

  chunkIds(): number[] {
    return [...this.chunks.keys()].sort((a, b) => a - b);
  }

  chunk(index: number): Buffer | undefined {
    const parts = this.chunks.get(index);
    return parts && Buffer.concat(parts);
  }

  /** The file as the import would read it: all stored chunks in index order. */
  content(): Buffer {
    return Buffer.concat(this.chunkIds().flatMap((i) => this.chunks.get(i) as readonly Buffer[]));
  }

  private highestIndex(): number {
    let max = -1;
    for (const i of this.chunks.keys()) if (i > max) max = i;
    return max;
  }

  private missing(count: number): number[] {
    const gaps: number[] = [];
    for (let i = 0; i < count; i++) if (!this.chunks.has(i)) gaps.push(i);
    return gaps;
  }
}

/**
 * Output bytes per step of the asynchronous gunzip. Each step is a trip from the zlib thread back
 * to the event loop; at zlib's default 16 KiB a 1 MB chunk took 64 of them, and on an emulator
 * busy receiving other chunks each waited its turn: a gzipped chunk sent among plain ones took
 * over a second to be answered (1 MB, compressing in 3 ms), which no real server does.
 */
const GUNZIP_OUTPUT_PIECE = 1024 * 1024;

export type DecodedChunk = { ok: true; data: readonly Buffer[] } | { ok: false; status: number; message: string };

/**
 * Turns a chunk body into file bytes. The server learns about compression only from
 * Content-Type (`application/x-gzip`); no source uses Content-Encoding.
 * The real status code for an over-sized chunk is unknown; 400 is a Guess.
 */
export async function decodeChunkBody(contentType: string | undefined, body: readonly Buffer[], maxBytes: number): Promise<DecodedChunk> {
  const type = (contentType ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/x-gzip' || type === 'application/gzip') {
    try {
      const compressed = body.length === 1 ? body[0] : Buffer.concat(body);
      return { ok: true, data: [await gunzipAsync(compressed, { maxOutputLength: maxBytes, chunkSize: GUNZIP_OUTPUT_PIECE })] };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return tooLarge(maxBytes);
      return { ok: false, status: 400, message: `Chunk is not valid gzip data: ${(error as Error).message}` };
    }
  }
  if (body.reduce((n, part) => n + part.length, 0) > maxBytes) return tooLarge(maxBytes);
  return { ok: true, data: body };
}

export function tooLarge(maxBytes: number): DecodedChunk & { ok: false } {
  return {
    ok: false,
    status: 400,
    message: `Chunk exceeds the limit of ${maxBytes} bytes of uncompressed data`,
  };
}
