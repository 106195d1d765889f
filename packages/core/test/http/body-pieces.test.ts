import { Readable } from 'node:stream';
import { bodyPieces } from '../../src';

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
});
