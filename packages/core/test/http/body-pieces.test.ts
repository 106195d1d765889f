import { Readable } from 'node:stream';
import { BufferPool, bodyPieces } from '../../src';

/** A body whose pieces are all buffered before anyone reads, as when the socket is faster than the consumer. */
function bufferedBody(pieces: Buffer[], end = true): Readable {
  const body = new Readable({ read() {} });
  for (const piece of pieces) body.push(piece);
  if (end) body.push(null);
  return body;
}

describe('bodyPieces', () => {
  it('hands on each buffered piece as it came, the same memory, never one joined copy', async () => {
    const sent = [Buffer.from('"a","b"\n'), Buffer.from('"1","x"\n'), Buffer.from('"2","y"\n')];
    const got: Buffer[] = [];
    for await (const piece of bodyPieces(bufferedBody(sent))) got.push(piece);
    expect(got).toHaveLength(3);
    got.forEach((piece, i) => expect(piece.buffer === sent[i].buffer && piece.byteOffset === sent[i].byteOffset).toBe(true));
  });

  it('keeps the rest in the stream while a piece is being handled, so backpressure reaches the socket', async () => {
    const body = bufferedBody([Buffer.alloc(1000), Buffer.alloc(1000), Buffer.alloc(1000)], false);
    const pieces = bodyPieces(body);
    await pieces.next();
    expect(body.isPaused()).toBe(true);
    expect(body.readableLength).toBeGreaterThan(0);
    await pieces.return(undefined);
  });

  it('a body that breaks off fails the iteration, with its error or as a premature close', async () => {
    const broken = bufferedBody([Buffer.from('x')], false);
    const reading = (async () => {
      for await (const piece of bodyPieces(broken)) if (piece.length > 0) broken.destroy(new Error('terminated'));
    })();
    await expect(reading).rejects.toThrow('terminated');
    const closed = bufferedBody([Buffer.from('x')], false);
    const readingClosed = (async () => {
      for await (const piece of bodyPieces(closed)) if (piece.length > 0) closed.destroy();
    })();
    await expect(readingClosed).rejects.toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
  });

  it('with minBytes, pieces pass on that large (but the last): small ones joined, the rest of a large one as it is', async () => {
    const large = Buffer.alloc(5000, 0x61);
    const sent = [...Array.from({ length: 7 }, (_, i) => Buffer.alloc(300, 0x30 + i)), large, Buffer.alloc(300, 0x7a)];
    const got: Buffer[] = [];
    for await (const piece of bodyPieces(bufferedBody(sent), 1000)) got.push(piece);
    expect(Buffer.concat(got).equals(Buffer.concat(sent))).toBe(true);
    expect(got.map((piece) => piece.length)).toEqual([1000, 1000, 1000, 4100, 300]);
    expect(got[3].buffer).toBe(large.buffer);
  });

  it('with a pool, joins into its buffers: one given back is filled again, one still held is not touched', async () => {
    const sent = Array.from({ length: 12 }, (_, i) => Buffer.alloc(250, 0x30 + i));
    const pool = new BufferPool(1000, 4);
    const got: Buffer[] = [];
    const kept: Buffer[] = [];
    for await (const piece of bodyPieces(bufferedBody(sent), 1000, pool)) {
      got.push(Buffer.from(piece)); // what the consumer read, before it gave the memory back
      if (got.length === 1) kept.push(piece);
      else pool.give(piece);
    }
    expect(Buffer.concat(got).equals(Buffer.concat(sent))).toBe(true);
    expect(kept[0].equals(got[0])).toBe(true); // never refilled while held
    expect(pool.idle).toBe(1); // the second and third pieces shared one buffer, given back after each
  });

  it('refuses a pool whose buffers are not minBytes long', async () => {
    await expect(bodyPieces(bufferedBody([Buffer.from('x')]), 1000, new BufferPool(512)).next()).rejects.toThrow(/512 bytes, not minBytes \(1000\)/);
  });

  it('with minBytes, a body that breaks off still passes on what arrived before the error', async () => {
    const broken = bufferedBody([Buffer.from('"a"\n'), Buffer.from('"b"\n')], false);
    const got: Buffer[] = [];
    const reading = (async () => {
      for await (const piece of bodyPieces(broken, 1000)) got.push(piece);
    })();
    setImmediate(() => broken.destroy(new Error('terminated')));
    await expect(reading).rejects.toThrow('terminated');
    expect(Buffer.concat(got).toString()).toBe('"a"\n"b"\n');
  });
});
