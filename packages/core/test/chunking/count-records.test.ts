import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { countRecords } from '../../src/chunking/csv-scan';

/** Offsets just after each record-ending LF, as csv-parse reads the CSV. */
function referenceBoundaries(input: Buffer): number[] {
  const rows = parse(input, { relax_column_count: true, info: true }) as unknown as { info: { bytes: number } }[];
  return rows.map((row) => row.info.bytes).filter((end) => input[end - 1] === 0x0a);
}

/** Offsets just after every record end, empty records' too (which csv-parse skips): each LF outside quotes, read byte by byte. */
function recordEnds(input: Buffer): number[] {
  const ends: number[] = [];
  let quoted = false;
  input.forEach((byte, i) => {
    if (byte === 0x22) quoted = !quoted;
    else if (byte === 0x0a && !quoted) ends.push(i + 1);
  });
  return ends;
}

const field = fc.oneof(
  fc.stringMatching(/^[a-z0-9 .]{0,12}$/),
  fc.string({ unit: fc.constantFrom('a', ',', '\n', '\r\n', '\n\n', '""', 'é', '東', '😀', ' '), maxLength: 30 }).map((s) => `"${s}"`),
  fc.stringMatching(/^[a-z]{20,120}$/),
);
const row = fc.array(field, { minLength: 1, maxLength: 8 }).map((fields) => fields.join(','));
/** Valid CSV: one line ending per file, quoted values holding LF, CRLF, blank lines and "" escapes. */
const csv = fc
  .record({ rows: fc.array(row, { minLength: 1, maxLength: 40 }), eol: fc.constantFrom('\n', '\r\n'), finalNewline: fc.boolean() })
  .map(({ rows, eol, finalNewline }) => Buffer.from(rows.join(eol) + (finalNewline ? eol : ''), 'utf8'));

/**
 * The input copied to `offset` in a larger buffer (so its words start at every alignment) and fed
 * in pieces cut at `cuts`; returns the record count, the boundaries found and the end state.
 */
function countInPieces(input: Buffer, offset: number, cuts: number[]) {
  const backing = Buffer.alloc(input.length + offset + 3, 0x22);
  input.copy(backing, offset);
  const bytes = backing.subarray(offset, offset + input.length);
  const ends = [...new Set(cuts.filter((c) => c > 0 && c < input.length))].sort((a, b) => a - b).concat(input.length);
  let inQuote = false;
  let records = 0;
  const boundaries: number[] = [];
  let start = 0;
  for (const end of ends) {
    const result = countRecords(bytes, start, end, inQuote);
    records += result.records;
    inQuote = result.inQuote;
    if (result.lastBoundary !== -1) boundaries.push(result.lastBoundary);
    start = end;
  }
  return { records, inQuote, boundaries };
}

describe('countRecords', () => {
  it('counts the records csv-parse reads, wherever the pieces are cut and however the bytes are aligned', () => {
    fc.assert(
      fc.property(csv, fc.integer({ min: 0, max: 3 }), fc.array(fc.nat({ max: 2000 }), { maxLength: 10 }), (input, offset, cuts) => {
        const expected = referenceBoundaries(input);
        const got = countInPieces(input, offset, cuts);
        expect(got.records).toBe(expected.length);
        expect(got.inQuote).toBe(false);
        // Each piece's last boundary is a real one, and no real boundary lies after it in that piece.
        for (const boundary of got.boundaries) expect(expected).toContain(boundary);
        expect(got.boundaries.at(-1) ?? -1).toBe(expected.at(-1) ?? -1);
      }),
    );
  });

  it('an LF inside quotes never ends a record, and a range that ends inside a value says so', () => {
    const input = Buffer.from('"a\nb","c\r\n\n"\n"open\n');
    expect(countRecords(input, 0, input.length, false)).toEqual({ records: 1, inQuote: true, lastBoundary: 13, end: input.length });
    // The same bytes read as the continuation of an open value: the first quote closes it.
    expect(countRecords(input, 0, 3, true)).toEqual({ records: 1, inQuote: false, lastBoundary: 3, end: 3 });
  });

  it('with stopBeforeEmptyRecord, stops just after each record end that a line break follows, and counts the same in all', () => {
    fc.assert(
      fc.property(csv, fc.integer({ min: 0, max: 3 }), fc.array(fc.nat({ max: 40 }), { maxLength: 6 }), (input, offset, blanks) => {
        // Blank lines (LF or CRLF, empty records) put at some record starts.
        const starts = [0, ...recordEnds(input)];
        const at = [...new Set(blanks.map((b) => starts[b % starts.length]))].sort((a, b) => b - a);
        const withBlanks = at.reduce(
          (bytes, cut, i) => Buffer.concat([bytes.subarray(0, cut), Buffer.from(i % 2 ? '\r\n' : '\n'), bytes.subarray(cut)]),
          input,
        );
        const backing = Buffer.alloc(withBlanks.length + offset, 0x22);
        withBlanks.copy(backing, offset);
        const bytes = backing.subarray(offset);
        const expectedStops = recordEnds(bytes).filter((i) => i < bytes.length && (bytes[i] === 0x0a || bytes[i] === 0x0d));
        let records = 0;
        const stops: number[] = [];
        for (let start = 0, inQuote = false; start < bytes.length;) {
          const result = countRecords(bytes, start, bytes.length, inQuote, { stopBeforeEmptyRecord: true });
          records += result.records;
          inQuote = result.inQuote;
          if (result.end < bytes.length) {
            expect(result.lastBoundary).toBe(result.end);
            stops.push(result.end);
          }
          expect(result.end).toBeGreaterThan(start);
          start = result.end;
        }
        expect(stops).toEqual(expectedStops);
        expect(records).toBe(recordEnds(bytes).length);
      }),
    );
  });
});
