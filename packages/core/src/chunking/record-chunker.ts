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
 * Memory: at most one chunk plus one input buffer is held.
 */
import { firstRecordEnd, scanRecords } from './csv-scan';

export type HeaderMode = 'first' | 'repeat';

export interface RecordChunkerOptions {
  readonly chunkSize: number;
  readonly header?: HeaderMode;
}

export class RecordChunker {
  private readonly chunkSize: number;
  private readonly headerMode: HeaderMode;
  private parts: Buffer[] = [];
  private pendingLength = 0;
  /** Quote state at the end of the pending bytes. */
  private inQuote = false;
  /** Offset in pending bytes just after the last record boundary, or -1. */
  private pendingBoundary = -1;
  private header: Buffer | undefined;
  private headerSeen = false;
  private emitted = 0;

  constructor(options: RecordChunkerOptions) {
    if (!(options.chunkSize > 0)) throw new RangeError('chunkSize must be positive');
    this.chunkSize = options.chunkSize;
    this.headerMode = options.header ?? 'first';
  }

  /** Number of chunks cut so far. */
  get chunkCount(): number {
    return this.emitted;
  }

  push(buf: Buffer): Buffer[] {
    const out: Buffer[] = [];
    if (!this.headerSeen && this.headerMode === 'repeat') this.captureHeader(buf);
    let pos = 0;
    while (pos < buf.length) {
      const room = this.chunkSize - this.pendingLength;
      if (buf.length - pos < room) {
        this.append(buf, pos, buf.length);
        break;
      }
      if (room > 0) {
        const stateBefore = this.inQuote;
        const limit = pos + room;
        const scan = scanRecords(buf, pos, limit, stateBefore);
        if (scan.lastBoundary !== -1) {
          out.push(this.cut(buf, pos, scan.lastBoundary));
          pos = scan.lastBoundary;
          continue;
        }
        if (this.pendingBoundary !== -1) {
          out.push(this.cutPending());
          continue;
        }
        // No boundary within the chunk size: this record is longer than a chunk.
        const next = firstRecordEnd(buf, limit, scan.inQuote);
        if (next.end === -1) {
          this.parts.push(buf.subarray(pos));
          this.pendingLength += buf.length - pos;
          this.inQuote = next.inQuote;
          break;
        }
        out.push(this.cut(buf, pos, next.end));
        pos = next.end;
        continue;
      }
      // Pending already holds at least a chunk: cut at its last boundary, or finish the long record.
      if (this.pendingBoundary !== -1) {
        out.push(this.cutPending());
        continue;
      }
      const next = firstRecordEnd(buf, pos, this.inQuote);
      if (next.end === -1) {
        this.parts.push(buf.subarray(pos));
        this.pendingLength += buf.length - pos;
        this.inQuote = next.inQuote;
        break;
      }
      out.push(this.cut(buf, pos, next.end));
      pos = next.end;
    }
    return out;
  }

  /** The rest, as a last chunk (none if nothing is left). */
  end(): Buffer[] {
    if (this.pendingLength === 0) return [];
    const last = this.take(this.pendingLength);
    this.inQuote = false;
    return [this.decorate(last)];
  }

  private append(buf: Buffer, start: number, end: number): void {
    const scan = scanRecords(buf, start, end, this.inQuote);
    if (scan.lastBoundary !== -1) this.pendingBoundary = this.pendingLength + (scan.lastBoundary - start);
    this.inQuote = scan.inQuote;
    this.parts.push(start === 0 && end === buf.length ? buf : buf.subarray(start, end));
    this.pendingLength += end - start;
  }

  /** Emit pending bytes plus buf[start, end); `end` is a boundary. */
  private cut(buf: Buffer, start: number, end: number): Buffer {
    this.parts.push(buf.subarray(start, end));
    this.pendingLength += end - start;
    const chunk = this.take(this.pendingLength);
    this.inQuote = false;
    return this.decorate(chunk);
  }

  /** Emit pending bytes up to their last boundary; the tail stays pending (its quote state is unchanged). */
  private cutPending(): Buffer {
    const chunk = this.take(this.pendingBoundary);
    return this.decorate(chunk);
  }

  /** Remove and return the first `length` pending bytes. */
  private take(length: number): Buffer {
    const all = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.pendingLength);
    const head = all.subarray(0, length);
    const tail = all.subarray(length);
    this.parts = tail.length > 0 ? [tail] : [];
    this.pendingLength = tail.length;
    // Cuts happen at the last boundary, so the tail holds none.
    this.pendingBoundary = -1;
    return head;
  }

  private decorate(chunk: Buffer): Buffer {
    const index = this.emitted++;
    if (this.headerMode === 'repeat' && index > 0 && this.header) return Buffer.concat([this.header, chunk]);
    return chunk;
  }

  private captureHeader(buf: Buffer): void {
    // The header is the first record; it may span pushes, so collect until its end is seen.
    const sofar = this.parts.length ? Buffer.concat([...this.parts, buf]) : buf;
    const end = firstRecordEnd(sofar, 0, false).end;
    if (end !== -1) {
      this.header = Buffer.from(sofar.subarray(0, end));
      this.headerSeen = true;
    }
  }
}
