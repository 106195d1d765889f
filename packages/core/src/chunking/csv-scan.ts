/**
 * Finding record boundaries in CSV bytes without decoding them.
 *
 * A record ends at an LF that is outside double quotes (a CRLF ending is kept whole, since the cut
 * falls after its LF). Inside quotes, LF, CRLF and escaped quotes `""` are data: `""` toggles the
 * quote state twice, so parity alone tells inside from outside. Quotes are found with indexOf
 * (memchr speed), so sparse quoting costs almost nothing. The bytes are never re-encoded: a BOM,
 * CRLF and non-UTF-8 bytes pass through as they are, because `"` (0x22) and LF (0x0A) never occur
 * inside a multi-byte UTF-8 sequence.
 */
const QUOTE = 0x22;
const LF = 0x0a;

export interface ScanResult {
  /** Quote state at `end`. */
  inQuote: boolean;
  /** Index just after the last record-ending LF in [start, end), or -1. */
  lastBoundary: number;
}

/** Scan `buf[start, end)` starting in quote state `inQuote`. */
export function scanRecords(buf: Uint8Array & { indexOf: Buffer['indexOf']; lastIndexOf: Buffer['lastIndexOf'] }, start: number, end: number, inQuote: boolean): ScanResult {
  let lastBoundary = -1;
  let pos = start;
  let quoted = inQuote;
  while (pos < end) {
    let quote = buf.indexOf(QUOTE, pos);
    if (quote === -1 || quote >= end) quote = end;
    if (!quoted && quote > pos) {
      // An unquoted run [pos, quote): its last LF is a record boundary.
      const lf = buf.lastIndexOf(LF, quote - 1);
      if (lf >= pos) lastBoundary = lf + 1;
    }
    if (quote === end) break;
    quoted = !quoted;
    pos = quote + 1;
  }
  return { inQuote: quoted, lastBoundary };
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
