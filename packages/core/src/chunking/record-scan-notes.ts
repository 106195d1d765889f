/**
 * What a stage already learnt scanning a piece's CSV bytes, handed to the next stage that would
 * scan the same bytes again.
 *
 * A report source counts records to check them against the report; `chunk-lines` after it needs
 * the quote state and the last record end of the same bytes. The second scan was a sixth of the
 * download's CPU (402 of 2,450 ms in its profile, before the SIMD scanner). The source leaves a
 * note on the Buffer it passes on; the chunker takes it and skips its own scan.
 *
 * Notes are kept by Buffer object, not on the piece: a transform that changes the bytes makes a
 * new Buffer, which has no note, so a stale note cannot follow a piece through it (a field on the
 * piece would, with every `{ ...piece, data }`). A note holds only for the quote state it was
 * taken from, and it is taken once: a producer that reuses a Buffer object notes it afresh.
 */
export interface RecordScanNote {
  /** Quote state before the first byte, as the scan assumed it. */
  readonly startsInQuote: boolean;
  /** Quote state after the last byte. */
  readonly endsInQuote: boolean;
  /** Index just after the last record-ending LF in the buffer, or -1 when no record ends in it. */
  readonly lastBoundary: number;
}

const notes = new WeakMap<Buffer, RecordScanNote>();

/**
 * Leave the facts of a scan of all of `data` (csv-scan.ts's rules: a record ends at an LF outside
 * double quotes) for the next stage. Call it just before passing `data` on; only a producer that
 * scanned every byte of it may.
 */
export function noteRecordScan(data: Buffer, note: RecordScanNote): void {
  if (note.lastBoundary !== -1 && (note.lastBoundary < 1 || note.lastBoundary > data.length || data[note.lastBoundary - 1] !== 0x0a)) {
    throw new RangeError(`noteRecordScan: lastBoundary ${note.lastBoundary} does not follow an LF in a buffer of ${data.length} bytes`);
  }
  notes.set(data, note);
}

/** The note on `data` for a reader in quote state `inQuote`, taken off it; undefined when there is none that applies. */
export function takeRecordScan(data: Buffer, inQuote: boolean): RecordScanNote | undefined {
  const note = notes.get(data);
  if (note === undefined) return undefined;
  notes.delete(data);
  return note.startsInQuote === inQuote ? note : undefined;
}
