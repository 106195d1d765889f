import fc from 'fast-check';
import { BufferPool, dataPiece, docEnd, RecordChunker, type Piece } from '../../src';
import * as testing from '../../src/testing';
import { chunkLines, fileSource } from '../../src/engine';
import { project } from '../helpers';

describe('buffer recycling', () => {
  it('a chunker whose chunks are recycled right after use still returns the input byte for byte', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a,b', '"x\ny"', '"q""r"', 'zz,"1,2"', '\r\n', '\n'), { minLength: 1, maxLength: 400 }),
        fc.integer({ min: 16, max: 128 }),
        fc.integer({ min: 1, max: 50 }),
        (parts, chunkSize, pieceSize) => {
          const input = Buffer.from(parts.join(''));
          const chunker = new RecordChunker({ chunkSize, pool: new BufferPool(chunkSize, 2) });
          const copies: Buffer[] = [];
          const consume = (chunks: Buffer[]) => {
            for (const c of chunks) {
              copies.push(Buffer.from(c));
              chunker.recycle(c);
            }
          };
          for (let i = 0; i < input.length; i += pieceSize) consume(chunker.push(input.subarray(i, i + pieceSize)));
          consume(chunker.end());
          expect(Buffer.concat(copies).equals(input)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a piece handed back through its release callback may be overwritten at once: the output is still the input', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a,b', '"x\ny"', '"q""r"', 'zz,"1,2"', '\r\n', '\n'), { minLength: 1, maxLength: 400 }),
        fc.integer({ min: 16, max: 128 }),
        fc.integer({ min: 1, max: 200 }),
        fc.constantFrom<'first' | 'repeat'>('first', 'repeat'),
        (parts, chunkSize, pieceSize, header) => {
          const input = Buffer.from(parts.join(''));
          const chunker = new RecordChunker({ chunkSize, header, pool: new BufferPool(chunkSize, 2) });
          const copies: Buffer[] = [];
          const consume = (chunks: Buffer[]) => {
            for (const c of chunks) {
              copies.push(Buffer.from(c));
              chunker.recycle(c);
            }
          };
          let pieces = 0;
          let released = 0;
          for (let i = 0; i < input.length; i += pieceSize) {
            const piece = Buffer.from(input.subarray(i, i + pieceSize)); // a copy the test may scribble on
            pieces++;
            consume(
              chunker.push(piece, () => {
                released++;
                piece.fill(0x21); // what a producer reusing its buffer would do
              }),
            );
          }
          consume(chunker.end());
          expect(released).toBe(pieces);
          const expected = header === 'first' ? input : undefined;
          if (expected) expect(Buffer.concat(copies).equals(expected)).toBe(true);
          else expect(copies.every((c) => !c.includes(0x21))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('after a cut, the rest of the piece waits uncopied: no new chunk buffer until more input comes', () => {
    let taken = 0;
    const pool = new (class extends BufferPool {
      override take(): Buffer {
        taken++;
        return super.take();
      }
    })(100, 4);
    const chunker = new RecordChunker({ chunkSize: 100, pool });
    const row = Buffer.from('x'.repeat(29) + '\n'); // 30 bytes
    let released = 0;
    expect(chunker.push(Buffer.concat([row, row, row]), () => released++)).toHaveLength(0);
    expect(released).toBe(1); // copied in whole
    const cut = chunker.push(Buffer.concat([row, row]), () => released++);
    expect(cut.map((c) => c.length)).toEqual([90]);
    expect(taken).toBe(1); // only the chunk's own buffer
    expect(released).toBe(1); // the second piece is still read from
    chunker.recycle(cut[0]);
    const last = chunker.push(row, () => released++);
    expect(last).toHaveLength(0);
    expect(released).toBe(3);
    expect(chunker.end().map((c) => c.toString())).toEqual([Buffer.concat([row, row, row]).toString()]);
    expect(taken).toBe(2); // and that one came back from the pool
  });

  it('chunk-lines releases input pieces once copied, and reuses the memory of chunks its sink released', async () => {
    const released: number[] = [];
    const doc = { id: 'd', name: 'd' };
    const row = 'x'.repeat(99) + '\n';
    const input: Piece[] = Array.from({ length: 60 }, (_, i) => dataPiece(doc, Buffer.from(row.repeat(1000)), undefined, () => released.push(i)));
    input.push(docEnd(doc));
    const ctx = testing.createTestContext();
    const stage = chunkLines.create({ chunkSize: 1_000_000, header: 'first' }, ctx);
    const seen = new Set<ArrayBufferLike>();
    let reused = 0;
    let bytes = 0;
    for (const piece of input) {
      for await (const out of stage.push(piece)) {
        if (out.type !== 'data') continue;
        if (seen.has(out.data.buffer)) reused++;
        seen.add(out.data.buffer);
        bytes += out.data.length;
        out.release?.();
      }
    }
    expect(released).toHaveLength(60);
    expect(bytes).toBe(60 * 100_000);
    expect(reused).toBeGreaterThan(0);
  });

  it('the file source reuses a read buffer once downstream releases it, and the bytes stay right', async () => {
    const content = Buffer.from(Array.from({ length: 5000 }, (_, i) => `${i},row\n`).join(''));
    const dir = project({ 'in.csv': content });
    const ctx = testing.createTestContext({ cwd: dir });
    const pieces = fileSource.open({ path: 'in.csv', readSize: 4096 }, ctx) as AsyncIterable<Piece>;
    const copies: Buffer[] = [];
    const buffers = new Set<ArrayBufferLike>();
    for await (const piece of pieces) {
      if (piece.type !== 'data') continue;
      copies.push(Buffer.from(piece.data));
      buffers.add(piece.data.buffer);
      piece.release?.();
    }
    expect(Buffer.concat(copies).equals(content)).toBe(true);
    expect(buffers.size).toBe(1);
  });

  it('a pool takes back only memory it handed out, whatever its size', () => {
    const pool = new BufferPool(4096, 4);
    pool.give(Buffer.alloc(4096)); // same size, someone else's: a socket's, a caller's
    expect(pool.idle).toBe(0);
    const mine = pool.take();
    pool.give(mine.subarray(10, 20)); // a view of one of its own gives back the whole buffer
    expect(pool.idle).toBe(1);
    expect(pool.take().buffer).toBe(mine.buffer);
  });
});
