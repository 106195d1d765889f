/**
 * Finding record boundaries in CSV bytes without decoding them.
 *
 * A record ends at an LF that is outside double quotes (a CRLF ending is kept whole, since the cut
 * falls after its LF). Inside quotes, LF, CRLF and escaped quotes `""` are data: `""` toggles the
 * quote state twice, so the parity of the quote count alone tells inside from outside. The bytes
 * are never re-encoded: a BOM, CRLF and non-UTF-8 bytes pass through as they are, because `"`
 * (0x22) and LF (0x0A) never occur inside a multi-byte UTF-8 sequence.
 *
 * Speed: the quote parity of a region is counted four bytes at a time with a branch-free word
 * trick (about 3x a byte loop or an indexOf per quote); then only the few bytes between the end
 * and the last LF are looked at again, walking back from LF to LF until one is outside quotes.
 * `countRecords` counts record ends with the same trick: LFs are found with indexOf, the words
 * between them only add their quotes to the parity, and a word holding an LF is read in its bits.
 * Ranges of `SIMD_MIN_BYTES` or more go to the WebAssembly SIMD scanner instead (simd-record-count.ts,
 * same results, about 3x faster); these word loops remain for short ranges and runtimes without it.
 */
import { simdRecordCount } from './simd-record-count';

const QUOTE = 0x22;
const LF = 0x0a;
/** Shorter ranges cost less in JavaScript than the SIMD scanner's copy and call. */
export const SIMD_MIN_BYTES = 4096;
/** Byte order of typed-array words here; `countRecords` reads bytes in words only on little-endian machines. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** A word of four quotes, and of four LFs. */
const QUOTES = 0x22222222;
const LFS = 0x0a0a0a0a;

export interface ScanResult {
  /** Quote state at `end`. */
  inQuote: boolean;
  /** Index just after the last record-ending LF in [start, end), or -1. */
  lastBoundary: number;
}

/** 0x80 in each byte of `word` that equals the byte repeated in `pattern` (exact, no false hits). */
function bytesEqual(word: number, pattern: number): number {
  const t = word ^ pattern;
  return ~(((t & 0x7f7f7f7f) + 0x7f7f7f7f) | t | 0x7f7f7f7f);
}

/** Parity (0 or 1) of the set bits of a 32-bit value. */
function bitParity(x: number): number {
  x ^= x >>> 16;
  x ^= x >>> 8;
  x ^= x >>> 4;
  x ^= x >>> 2;
  x ^= x >>> 1;
  return x & 1;
}

/** Parity (0 or 1) of the number of `"` bytes in buf[start, end). */
export function quoteParity(buf: Buffer, start: number, end: number): number {
  let parity = 0;
  let i = start;
  // Bytes before the first 4-byte-aligned address, one by one.
  const head = Math.min(end, i + ((4 - ((buf.byteOffset + i) & 3)) & 3));
  for (; i < head; i++) if (buf[i] === QUOTE) parity ^= 1;
  const words = (end - i) >> 2;
  if (words > 0) {
    const view = new Int32Array(buf.buffer, buf.byteOffset + i, words);
    let acc = 0;
    // The parity of all matches is the parity of the XOR of the masks' bits.
    for (let k = 0; k < words; k++) acc ^= bytesEqual(view[k], QUOTES);
    parity ^= bitParity(acc);
    i += words * 4;
  }
  for (; i < end; i++) if (buf[i] === QUOTE) parity ^= 1;
  return parity;
}

/** Scan `buf[start, end)` starting in quote state `inQuote`. */
export function scanRecords(buf: Buffer, start: number, end: number, inQuote: boolean): ScanResult {
  if (simdRecordCount !== undefined && end - start >= SIMD_MIN_BYTES) {
    const count = simdRecordCount(buf, start, end, inQuote);
    return { inQuote: count.inQuote, lastBoundary: count.lastBoundary };
  }
  const endState = inQuote !== (quoteParity(buf, start, end) === 1);
  // Walk back over LFs; the state just after an LF is the end state, undone by the quotes after it.
  let state = endState;
  let pos = end;
  while (pos > start) {
    const lf = buf.lastIndexOf(LF, pos - 1);
    if (lf < start) break;
    if (quoteParity(buf, lf + 1, pos) === 1) state = !state;
    if (!state) return { inQuote: endState, lastBoundary: lf + 1 };
    pos = lf;
  }
  return { inQuote: endState, lastBoundary: -1 };
}

/** Index just after the first record-ending LF at or after `start`, or -1; and the state there. */
export function firstRecordEnd(buf: Buffer, start: number, inQuote: boolean): { end: number; inQuote: boolean } {
  let pos = start;
  let quoted = inQuote;
  for (;;) {
    const quote = buf.indexOf(QUOTE, pos);
    const stop = quote === -1 ? buf.length : quote;
    if (!quoted) {
      const lf = buf.indexOf(LF, pos);
      if (lf !== -1 && lf < stop) return { end: lf + 1, inQuote: false };
    }
    if (quote === -1) return { end: -1, inQuote: quoted };
    quoted = !quoted;
    pos = quote + 1;
  }
}

export interface RecordCount {
  /** Record-ending LFs (outside quotes) in the range. */
  records: number;
  /** Quote state at the end of the range. */
  inQuote: boolean;
  /** Index just after the last record-ending LF in the range, or -1. */
  lastBoundary: number;
  /** Where counting stopped: the range's end, or with `stopBeforeEmptyRecord` an earlier record end. */
  end: number;
}

export interface CountOptions {
  /**
   * Stop just after the first record end whose next byte (within the range) is LF or CR: where an
   * empty record, a blank line, may start. For a reader that treats blank lines apart (the
   * Salesforce export's footer starts with one) at no cost beyond the count.
   */
  readonly stopBeforeEmptyRecord?: boolean;
}

const CR = 0x0d;

/**
 * Count the records that end in `buf[start, end)`, starting in quote state `inQuote`: the LFs
 * outside quotes. LFs are found with indexOf (memchr); the words between two LFs only add their
 * quotes to the parity, and just the word holding an LF is looked at byte by byte, in its bits.
 */
export function countRecords(buf: Buffer, start: number, end: number, inQuote: boolean, options: CountOptions = {}): RecordCount {
  if (simdRecordCount !== undefined && end - start >= SIMD_MIN_BYTES) return simdRecordCount(buf, start, end, inQuote, options);
  return countRecordsByWords(buf, start, end, inQuote, options);
}

/** `countRecords` in JavaScript, four bytes at a time: for short ranges, and where WebAssembly SIMD is missing. */
export function countRecordsByWords(buf: Buffer, start: number, end: number, inQuote: boolean, options: CountOptions = {}): RecordCount {
  const stopEarly = options.stopBeforeEmptyRecord === true;
  /** An empty record may start at `i` (just after a record end). */
  const lineBreakAt = (i: number): boolean => i < end && (buf[i] === LF || buf[i] === CR);
  let quoted = inQuote ? 1 : 0;
  let records = 0;
  let lastBoundary = -1;
  // Bytes before the first 4-byte-aligned address (all bytes on a big-endian machine) go one by one.
  const wordsStart = LITTLE_ENDIAN ? Math.min(end, start + ((4 - ((buf.byteOffset + start) & 3)) & 3)) : end;
  const words = (end - wordsStart) >> 2;
  const wordsEnd = wordsStart + words * 4;
  /** Counts buf[from, to) byte by byte; true when it stopped before an empty record. */
  const countBytes = (from: number, to: number): boolean => {
    for (let i = from; i < to; i++) {
      const byte = buf[i];
      if (byte === QUOTE) quoted ^= 1;
      else if (byte === LF && quoted === 0) {
        records += 1;
        lastBoundary = i + 1;
        if (stopEarly && lineBreakAt(i + 1)) return true;
      }
    }
    return false;
  };
  const stopped = (): RecordCount => ({ records, inQuote: false, lastBoundary, end: lastBoundary });
  if (countBytes(start, wordsStart)) return stopped();
  if (words > 0) {
    const view = new Int32Array(buf.buffer, buf.byteOffset + wordsStart, words);
    /** XOR of the quote masks of the words since the quote state was last brought up to date. */
    let pending = 0;
    let k = 0;
    for (let lf = buf.indexOf(LF, wordsStart); lf !== -1 && lf < wordsEnd; lf = buf.indexOf(LF, wordsStart + k * 4)) {
      const lfWord = (lf - wordsStart) >> 2;
      for (; k < lfWord; k++) pending ^= bytesEqual(view[k], QUOTES);
      quoted ^= bitParity(pending);
      pending = 0;
      const quotes = bytesEqual(view[k], QUOTES);
      const lfs = bytesEqual(view[k], LFS);
      // Byte j of the word is bits 8j..8j+7 (little-endian). `through` has 0x80 in byte j when the
      // quotes in bytes 0..j are odd; an LF is not a quote, so for an LF that is its own state.
      const through = quotes ^ (quotes << 8) ^ (quotes << 16) ^ (quotes << 24);
      const outside = lfs & (quoted === 1 ? through : ~through) & 0x80808080;
      if (outside !== 0) {
        if (stopEarly) {
          // Each record end in the word, in order: one followed by a line break stops the count.
          for (let bits = outside; bits !== 0; bits &= bits - 1) {
            records += 1;
            lastBoundary = wordsStart + k * 4 + ((31 - Math.clz32(bits & -bits)) >> 3) + 1;
            if (lineBreakAt(lastBoundary)) return stopped();
          }
        } else {
          records += Math.imul((outside >>> 7) & 0x01010101, 0x01010101) >>> 24;
          lastBoundary = wordsStart + k * 4 + ((31 - Math.clz32(outside)) >> 3) + 1;
        }
      }
      quoted ^= bitParity(quotes);
      k += 1;
    }
    for (; k < words; k++) pending ^= bytesEqual(view[k], QUOTES);
    quoted ^= bitParity(pending);
  }
  if (countBytes(wordsEnd, end)) return stopped();
  return { records, inQuote: quoted === 1, lastBoundary, end };
}
