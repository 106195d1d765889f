import fc from 'fast-check';
import { RecordChunker } from '../../src/chunking/record-chunker';

/** Feed `input` in pieces of the given sizes (cycled) and return the chunks. */
function chunk(input: Buffer, chunkSize: number, pieceSizes: number[] = [input.length || 1], header: 'first' | 'repeat' = 'first'): Buffer[] {
  const chunker = new RecordChunker({ chunkSize, header });
  const out: Buffer[] = [];
  let pos = 0;
  for (let i = 0; pos < input.length; i++) {
    const size = Math.max(1, pieceSizes[i % pieceSizes.length]);
    out.push(...chunker.push(input.subarray(pos, pos + size)));
    pos += size;
  }
  out.push(...chunker.end());
  return out;
}

/** Split CSV text into records exactly as a CSV reader would see them (quote-aware, LF ends a record). */
function records(text: Buffer): string[] {
  const out: string[] = [];
  let inQuote = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === 0x22) inQuote = !inQuote;
    else if (text[i] === 0x0a && !inQuote) {
      out.push(text.subarray(start, i + 1).toString('latin1'));
      start = i + 1;
    }
  }
  if (start < text.length) out.push(text.subarray(start).toString('latin1'));
  return out;
}

const field = fc.oneof(
  fc.stringMatching(/^[a-z0-9 .]{0,12}$/),
  fc.string({ unit: fc.constantFrom('a', ',', '\n', '\r\n', '""', 'é', '東', '😀', ' '), maxLength: 20 }).map((s) => `"${s}"`),
  fc.stringMatching(/^[a-z]{50,300}$/),
);
const row = fc.array(field, { minLength: 1, maxLength: 6 }).map((fields) => fields.join(','));
const csv = fc
  .record({
    bom: fc.boolean(),
    rows: fc.array(row, { minLength: 1, maxLength: 60 }),
    eol: fc.constantFrom('\n', '\r\n'),
    finalNewline: fc.boolean(),
  })
  .map(({ bom, rows, eol, finalNewline }) => Buffer.from((bom ? '\ufeff' : '') + rows.join(eol) + (finalNewline ? eol : ''), 'utf8'));

describe('RecordChunker', () => {
  it('joined chunks are the input byte for byte, and every cut falls on a record boundary', () => {
    fc.assert(
      fc.property(
        csv,
        fc.integer({ min: 8, max: 400 }),
        fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 5 }),
        (input, chunkSize, pieces) => {
          const chunks = chunk(input, chunkSize, pieces);
          expect(Buffer.concat(chunks).equals(input)).toBe(true);
          expect(chunks.every((c) => c.length > 0)).toBe(true);
          const all = records(input);
          // Each chunk holds whole records: re-splitting every chunk gives the input's records in order.
          expect(chunks.flatMap((c) => records(c))).toEqual(all);
          // A chunk exceeds chunkSize only when it is a single record longer than chunkSize.
          for (const c of chunks) if (c.length > chunkSize) expect(records(c)).toHaveLength(1);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('keeps chunks near the target size when records are small', () => {
    const input = Buffer.from(Array.from({ length: 1000 }, (_, i) => `${i},"a\nb",x`).join('\n') + '\n');
    const chunks = chunk(input, 1000, [333]);
    for (const c of chunks.slice(0, -1)) expect(c.length).toBeGreaterThan(1000 - 20);
  });

  it('never cuts inside a quoted field holding LF, CRLF and escaped quotes', () => {
    const input = Buffer.from('id,note\r\n1,"line one\r\nline ""two""\nthree"\r\n2,plain\r\n');
    const chunks = chunk(input, 12, [5]);
    expect(chunks.map((c) => c.toString())).toEqual(['id,note\r\n', '1,"line one\r\nline ""two""\nthree"\r\n', '2,plain\r\n']);
  });

  it('keeps the BOM, non-UTF-8 bytes and a last record without a final newline', () => {
    const input = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('h1,h2\n'),
      Buffer.from([0xff, 0xfe, 0x2c, 0x41, 0x0a]),
      Buffer.from('last,row'),
    ]);
    const chunks = chunk(input, 6, [3]);
    expect(Buffer.concat(chunks).equals(input)).toBe(true);
    expect(chunks[chunks.length - 1].toString()).toBe('last,row');
  });

  it('emits no chunk for empty input', () => {
    expect(chunk(Buffer.alloc(0), 10)).toEqual([]);
  });

  it('repeats the header at the start of every chunk with header: repeat', () => {
    const input = Buffer.from('a,b\n1,2\n3,4\n5,6\n');
    const chunks = chunk(input, 8, [3], 'repeat');
    expect(chunks.map((c) => c.toString())).toEqual(['a,b\n1,2\n', 'a,b\n3,4\n5,6\n']);
    const again = chunk(input, 4, [3], 'repeat').map((c) => c.toString());
    expect(again).toEqual(['a,b\n', 'a,b\n1,2\n', 'a,b\n3,4\n', 'a,b\n5,6\n']);
  });
});
