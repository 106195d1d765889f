/**
 * Cuts a CSV byte stream into chunks of about `chunkSize` bytes that end only at record
 * boundaries (see csv-scan.ts for what a boundary is).
 *
 * - A chunk is at most `chunkSize` bytes, cut at the last boundary that fits; a record longer
 *   than `chunkSize` makes one larger chunk, never a split record.
 * - Joined, the chunks are the input byte for byte; the last record is kept with or without a
 *   final newline; no chunk is empty.
 * - `header: 'repeat'` starts every chunk after the first with the first record (the header), for
 *   sinks that want standalone files.
 *
 * Memory: at most one chunk plus one input piece is held. Right after a cut, what is left of the
 * piece is kept as it is (a view, not a copy) until the next push, so a new chunk-sized buffer is
 * taken only when more input arrives, which under backpressure is once the consumer has taken the
 * chunk just cut. A chunk that waits to be taken therefore costs one buffer, not two.
 */
import { BufferPool } from '../util/buffer-pool';
import { firstRecordEnd, scanRecords, type ScanResult } from './csv-scan';
import { takeRecordScan } from './record-scan-notes';

export type HeaderMode = 'first' | 'repeat';

export interface RecordChunkerOptions {
  readonly chunkSize: number;
  readonly header?: HeaderMode;
  /**
   * Where chunk-sized buffers come from; give a chunk back with `recycle` once it is written, so
   * memory stays flat instead of waiting for the garbage collector.
   */
  readonly pool?: BufferPool;
}

export class RecordChunker {
  private readonly chunkSize: number;
  private readonly headerMode: HeaderMode;
  /**
   * Pending bytes live in one buffer, [0, length): incoming pieces are copied in once and a chunk
   * is handed out as a view of it, so a chunk costs one copy and there is never a second,
   * concatenated copy of it alive at the same time.
   */
  private buffer: Buffer = Buffer.alloc(0);
  private length = 0;
  /** Quote state at the end of the pending bytes. */
  private inQuote = false;
  /** Offset in the pending bytes just after their last record boundary, or -1. */
  private pendingBoundary = -1;
  private header: Buffer | undefined;
  private headerSeen = false;
  private emitted = 0;
  private readonly pool: BufferPool;
  /** The rest of the last piece after a cut, not yet copied in; see the memory note above. */
  private leftover: { readonly bytes: Buffer; readonly release?: () => void } | undefined;

  constructor(options: RecordChunkerOptions) {
    if (!(options.chunkSize > 0)) throw new RangeError('chunkSize must be positive');
    this.chunkSize = options.chunkSize;
    this.headerMode = options.header ?? 'first';
    this.pool = options.pool ?? new BufferPool(options.chunkSize, 0);
  }

  /** Hand back a chunk this chunker produced, once nobody reads it any more. */
  recycle(chunk: Buffer): void {
    if (this.headerMode === 'first') this.pool.give(chunk);
  }

  /** Number of chunks cut so far. */
  get chunkCount(): number {
    return this.emitted;
  }

  /**
   * Add the next piece of input; returns the chunks it completed. The chunker may keep a view of
   * `piece` after returning: `release` is called once it no longer reads it, and until then the
   * caller must not reuse the piece's memory. Without `release`, the piece must simply stay as it is.
   */
  push(piece: Buffer, release?: () => void): Buffer[] {
    this.takeLeftover();
    // A source that scanned these bytes already (record-scan-notes.ts) saves the scan of a whole piece.
    const note = takeRecordScan(piece, this.inQuote);
    const out: Buffer[] = [];
    if (!this.headerSeen && this.headerMode === 'repeat') this.captureHeader(piece);
    let pos = 0;
    while (pos < piece.length) {
      const room = this.chunkSize - this.length;
      if (piece.length - pos < room) {
        if (out.length > 0 && this.length === 0) {
          // Just cut, nothing pending: keep the rest for the next push instead of copying it now.
          this.leftover = { bytes: piece.subarray(pos), release };
          return out;
        }
        const scanned = pos === 0 && note !== undefined ? { inQuote: note.endsInQuote, lastBoundary: note.lastBoundary } : undefined;
        this.append(piece, pos, piece.length, scanned);
        break;
      }
      let searchFrom = pos;
      let state = this.inQuote;
      if (room > 0) {
        const limit = pos + room;
        const scan = scanRecords(piece, pos, limit, this.inQuote);
        if (scan.lastBoundary !== -1) {
          out.push(this.cutWith(piece, pos, scan.lastBoundary));
          pos = scan.lastBoundary;
          continue;
        }
        searchFrom = limit;
        state = scan.inQuote;
      }
      if (this.pendingBoundary !== -1) {
        out.push(this.cutPending());
        continue;
      }
      // No boundary within the chunk size: this record is longer than a chunk; end it where it ends.
      const next = firstRecordEnd(piece, searchFrom, state);
      if (next.end === -1) {
        this.copyIn(piece, pos, piece.length);
        this.inQuote = next.inQuote;
        break;
      }
      out.push(this.cutWith(piece, pos, next.end));
      pos = next.end;
    }
    release?.();
    return out;
  }

  /** The rest, as a last chunk (none if nothing is left). */
  end(): Buffer[] {
    this.takeLeftover();
    if (this.length === 0) return [];
    const chunk = this.buffer.subarray(0, this.length);
    this.buffer = Buffer.alloc(0);
    this.length = 0;
    this.pendingBoundary = -1;
    this.inQuote = false;
    return [this.decorate(chunk)];
  }

  /** Copy in the rest of the previous piece (it fits: it was less than a chunk, with nothing pending). */
  private takeLeftover(): void {
    const leftover = this.leftover;
    if (!leftover) return;
    this.leftover = undefined;
    this.append(leftover.bytes, 0, leftover.bytes.length);
    leftover.release?.();
  }

  /** Copy in piece[start, end); `scan` is what scanning it from the current quote state gives, when already known. */
  private append(piece: Buffer, start: number, end: number, scan: ScanResult = scanRecords(piece, start, end, this.inQuote)): void {
    if (scan.lastBoundary !== -1) this.pendingBoundary = this.length + (scan.lastBoundary - start);
    this.inQuote = scan.inQuote;
    this.copyIn(piece, start, end);
  }

  private copyIn(piece: Buffer, start: number, end: number): void {
    const needed = this.length + (end - start);
    if (needed > this.buffer.length) {
      // Chunk-sized buffers come from the pool; only a record longer than a chunk grows one.
      const grown = needed <= this.chunkSize ? this.pool.take() : Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    piece.copy(this.buffer, this.length, start, end);
    this.length = needed;
  }

  /** Emit the pending bytes plus piece[start, end); `end` is a record boundary. */
  private cutWith(piece: Buffer, start: number, end: number): Buffer {
    this.copyIn(piece, start, end);
    const chunk = this.buffer.subarray(0, this.length);
    this.buffer = Buffer.alloc(0);
    this.length = 0;
    this.pendingBoundary = -1;
    this.inQuote = false;
    return this.decorate(chunk);
  }

  /** Emit the pending bytes up to their last boundary; the tail stays pending with its quote state. */
  private cutPending(): Buffer {
    const chunk = this.buffer.subarray(0, this.pendingBoundary);
    const tail = this.length - this.pendingBoundary;
    const next = tail === 0 ? Buffer.alloc(0) : tail <= this.chunkSize ? this.pool.take() : Buffer.allocUnsafe(tail);
    this.buffer.copy(next, 0, this.pendingBoundary, this.length);
    this.buffer = next;
    this.length = tail;
    // Cuts happen at the last boundary, so the tail holds none.
    this.pendingBoundary = -1;
    return this.decorate(chunk);
  }

  private decorate(chunk: Buffer): Buffer {
    const index = this.emitted++;
    if (this.headerMode === 'repeat' && index > 0 && this.header) return Buffer.concat([this.header, chunk]);
    return chunk;
  }

  private captureHeader(piece: Buffer): void {
    // The header is the first record; it may span pieces, so look until its end is seen.
    const sofar = this.length ? Buffer.concat([this.buffer.subarray(0, this.length), piece]) : piece;
    const end = firstRecordEnd(sofar, 0, false).end;
    if (end !== -1) {
      this.header = Buffer.from(sofar.subarray(0, end));
      this.headerSeen = true;
    }
  }
}
