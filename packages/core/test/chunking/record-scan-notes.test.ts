import fc from 'fast-check';
import * as csvScan from '../../src/chunking/csv-scan';
import { RecordChunker } from '../../src/chunking/record-chunker';
import { noteRecordScan } from '../../src/chunking/record-scan-notes';

const field = fc.oneof(
  fc.stringMatching(/^[a-z0-9 .]{0,12}$/),
  fc.string({ unit: fc.constantFrom('a', ',', '\n', '\r\n', '""', 'é', ' '), maxLength: 20 }).map((s) => `"${s}"`),
);
const csv = fc
  .array(
    fc.array(field, { minLength: 1, maxLength: 5 }).map((fields) => fields.join(',')),
    { minLength: 1, maxLength: 60 },
  )
  .map((rows) => Buffer.from(`${rows.join('\n')}\n`, 'utf8'));

/** Cut `input` into pieces of the given sizes (cycled); each a Buffer object of its own. */
function pieces(input: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  for (let pos = 0, i = 0; pos < input.length; i++) {
    const size = Math.max(1, sizes[i % sizes.length]);
    out.push(input.subarray(pos, pos + size));
    pos += size;
  }
  return out;
}

/** Pieces as a source that counted them would pass them on: each with the note of its own scan. */
function notedPieces(input: Buffer, sizes: number[]): Buffer[] {
  let inQuote = false;
  return pieces(input, sizes).map((piece) => {
    const scan = csvScan.countRecords(piece, 0, piece.length, inQuote);
    noteRecordScan(piece, { startsInQuote: inQuote, endsInQuote: scan.inQuote, lastBoundary: scan.lastBoundary });
    inQuote = scan.inQuote;
    return piece;
  });
}

function chunkAll(input: Buffer[], chunkSize: number): Buffer[] {
  const chunker = new RecordChunker({ chunkSize });
  return [...input.flatMap((piece) => chunker.push(piece)), ...chunker.end()];
}

afterEach(() => jest.restoreAllMocks());

test('pieces noted by a source that counted them are cut exactly as pieces the chunker scans itself', () => {
  fc.assert(
    fc.property(csv, fc.integer({ min: 8, max: 300 }), fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 4 }), (input, chunkSize, sizes) => {
      const scanned = chunkAll(pieces(input, sizes), chunkSize);
      const noted = chunkAll(notedPieces(input, sizes), chunkSize);
      expect(noted.map((c) => c.toString('latin1'))).toEqual(scanned.map((c) => c.toString('latin1')));
    }),
  );
});

test('a noted piece appended whole is not scanned again', () => {
  // Records of 20 bytes, pieces of 100, chunks of 1000: most pieces are appended whole.
  const input = Buffer.from('"abc","de,f","ghi"\n'.repeat(200));
  const scan = jest.spyOn(csvScan, 'scanRecords');
  chunkAll(pieces(input, [100]), 1000);
  const unnoted = scan.mock.calls.length;
  scan.mockClear();
  chunkAll(notedPieces(input, [100]), 1000);
  // 40 pieces, 4 chunks: only where a chunk is cut (the piece it ends in, and that piece's rest) is scanned now.
  expect(unnoted).toBeGreaterThanOrEqual(40);
  expect(scan.mock.calls.length).toBeLessThanOrEqual(2 * 4);
});

test('a note taken in another quote state than the chunker is in is ignored, so the cut stays right', () => {
  // After the first piece the chunker is inside a quoted value; the note on the second was taken
  // as if outside one, so its record end (3) and end state are wrong for this stream.
  const input = () => [Buffer.from('"a\n'), Buffer.from('b"\n"c"\n'), Buffer.from('"d"\n')];
  const expected = chunkAll(input(), 12).map(String);
  expect(expected).toEqual(['"a\nb"\n"c"\n', '"d"\n']);
  const [first, second, third] = input();
  noteRecordScan(second, { startsInQuote: false, endsInQuote: true, lastBoundary: 3 });
  expect(chunkAll([first, second, third], 12).map(String)).toEqual(expected);
});

test('a note is taken once: a Buffer object passed on again without a new note is scanned', () => {
  const piece = Buffer.from('"x"\n"y"\n');
  noteRecordScan(piece, { startsInQuote: false, endsInQuote: false, lastBoundary: 8 });
  const chunker = new RecordChunker({ chunkSize: 1_000_000 });
  chunker.push(piece);
  // The producer reuses the object for other bytes and forgets to note them.
  piece.write('"x\n"y\n"', 'latin1');
  const scan = jest.spyOn(csvScan, 'scanRecords');
  chunker.push(piece);
  expect(scan).toHaveBeenCalled();
});

test('a note whose last record end does not follow an LF is refused', () => {
  const piece = Buffer.from('"x"\n"y"');
  expect(() => noteRecordScan(piece, { startsInQuote: false, endsInQuote: false, lastBoundary: 7 })).toThrow(/does not follow an LF/);
  expect(() => noteRecordScan(piece, { startsInQuote: false, endsInQuote: false, lastBoundary: 9 })).toThrow(RangeError);
  expect(() => noteRecordScan(piece, { startsInQuote: false, endsInQuote: false, lastBoundary: 4 })).not.toThrow();
});
