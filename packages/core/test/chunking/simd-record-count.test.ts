import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { countRecords, countRecordsByWords, scanRecords, SIMD_MIN_BYTES } from '../../src/chunking/csv-scan';
import { RecordChunker } from '../../src/chunking/record-chunker';
import { simdRecordCount } from '../../src/chunking/simd-record-count';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { wasmSource, OUT } = require('../../../../scripts/build-wasm') as { wasmSource: () => Promise<string>; OUT: string };

/** Bytes where every rule of the scanner matters: quotes, "" escapes, LF, CR, blank lines. */
const bytes = fc
  .array(fc.constantFrom('a', ',', '"', '""', '\n', '\r', '\r\n', '\n\n', 'é', 'xyz,'), { maxLength: 600 })
  .map((parts) => Buffer.from(parts.join(''), 'utf8'));

const scanner = simdRecordCount!;

test('this runtime has WebAssembly SIMD, so large ranges take the SIMD scanner', () => {
  expect(simdRecordCount).toBeDefined();
});

test('the SIMD scanner counts exactly as the JavaScript one: any bytes, any range, either start state, block edges anywhere', () => {
  fc.assert(
    fc.property(
      bytes,
      fc.nat(),
      fc.nat(),
      fc.boolean(),
      fc.boolean(),
      fc.constantFrom(64, 128, 192, 1 << 20),
      (input, a, b, inQuote, stopEarly, blockBytes) => {
        const start = input.length === 0 ? 0 : a % (input.length + 1);
        const end = start + (input.length - start === 0 ? 0 : b % (input.length - start + 1));
        const options = { stopBeforeEmptyRecord: stopEarly };
        expect(scanner(input, start, end, inQuote, options, blockBytes)).toEqual(countRecordsByWords(input, start, end, inQuote, options));
      },
    ),
    { numRuns: 2000 },
  );
});

test('a record end at the very edge of a block, with the blank line starting in the next block, stops the count there', () => {
  // 64-byte blocks: the LF ends block 0, the LF of the blank line starts block 1.
  const input = Buffer.from(`"${'x'.repeat(61)}"\n\n"footer"\n`);
  expect(input[63]).toBe(0x0a);
  const stop = { stopBeforeEmptyRecord: true };
  expect(scanner(input, 0, input.length, false, stop, 64)).toEqual({ records: 1, inQuote: false, lastBoundary: 64, end: 64 });
  expect(countRecordsByWords(input, 0, input.length, false, stop)).toEqual({ records: 1, inQuote: false, lastBoundary: 64, end: 64 });
});

test('countRecords hands long ranges to the SIMD scanner and short ones to JavaScript, with the same answers', () => {
  const row = '"0061x00000AbCdE","Acme ""East""","line one\nline two",1200.50\n';
  const input = Buffer.from(row.repeat(Math.ceil((3 * SIMD_MIN_BYTES) / row.length)));
  const expected = countRecordsByWords(input, 0, input.length, false);
  expect(expected.records).toBe(Math.ceil((3 * SIMD_MIN_BYTES) / row.length));
  expect(countRecords(input, 0, input.length, false)).toEqual(expected);
  expect(countRecords(input, 5, 5 + SIMD_MIN_BYTES - 1, false)).toEqual(countRecordsByWords(input, 5, 5 + SIMD_MIN_BYTES - 1, false));
});

test('the committed module is what csv-scan.wat compiles to', async () => {
  expect(readFileSync(OUT, 'utf8')).toBe(await wasmSource());
  expect(OUT).toBe(join(__dirname, '../../src/chunking/csv-scan-wasm.ts'));
});

test('chunk-lines cuts the same with pieces large enough for the SIMD scanner as with small pieces scanned in JavaScript', () => {
  const row = fc
    .array(fc.constantFrom('abc', '"q"', '"a,b"', '"line\nbreak"', '"say ""hi"""', '"\r\n\n"', '12.5'), { minLength: 1, maxLength: 6 })
    .map((fields) => fields.join(','));
  const csv = fc.array(row, { minLength: 250, maxLength: 800 }).map((rows) => Buffer.from(`${rows.join('\n')}\n`));
  fc.assert(
    fc.property(csv, fc.integer({ min: 2000, max: 9000 }), fc.integer({ min: SIMD_MIN_BYTES, max: 3 * SIMD_MIN_BYTES }), (input, chunkSize, pieceSize) => {
      const cut = (size: number) => {
        const chunker = new RecordChunker({ chunkSize });
        const out: Buffer[] = [];
        for (let at = 0; at < input.length; at += size) out.push(...chunker.push(input.subarray(at, at + size)));
        return [...out, ...chunker.end()].map((chunk) => chunk.toString('latin1'));
      };
      expect(cut(pieceSize)).toEqual(cut(97));
    }),
    { numRuns: 200 },
  );
});

test('scanRecords on a long range gives what the JavaScript count gives', () => {
  fc.assert(
    fc.property(bytes, fc.boolean(), (input, inQuote) => {
      const long = Buffer.concat(Array.from({ length: Math.ceil(SIMD_MIN_BYTES / Math.max(1, input.length)) + 1 }, () => input));
      const expected = countRecordsByWords(long, 0, long.length, inQuote);
      expect(scanRecords(long, 0, long.length, inQuote)).toEqual({ inQuote: expected.inQuote, lastBoundary: expected.lastBoundary });
    }),
    { numRuns: 300 },
  );
});
