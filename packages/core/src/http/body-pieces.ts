/**
 * A response body's pieces as they came off the socket, pulled one at a time.
 *
 * `for await` over a Readable calls read(), which joins all buffered pieces into one new buffer
 * (Readable's fromList): when the consumer is a little slower than the socket, most of the body
 * is copied once more there. Taking 'data' events instead hands on each piece undici produced, as
 * it is; the stream flows only while the consumer waits for a piece, so backpressure holds
 * (paused, undici stops reading the socket once its buffer is full).
 *
 * undici's pieces are small (a socket read, split again at each chunked-encoding frame: about
 * 32 KiB), and every piece costs each stage a step and a file sink a write. With `minBytes`, pieces
 * are passed on `minBytes` at a time (the last may be shorter): small ones copied once into a
 * buffer of that size, the part of a large one that fills no buffer passed on as it is.
 *
 * Those buffers come from `pool` when one is given (its size must be `minBytes`), and the consumer
 * gives each back once nothing reads it (`DataPiece.release`). Fresh ones would be new memory for
 * every 256 KiB of the body: the copy into them touches pages the kernel has to map first, and
 * their churn sets off V8's full collections (a 600 MB download allocated 600 MB of them).
 */
import type { Readable } from 'node:stream';
import type { BufferPool } from '../util/buffer-pool';

export async function* bodyPieces(body: Readable, minBytes = 0, pool?: BufferPool): AsyncGenerator<Buffer, void, undefined> {
  if (minBytes <= 0) return yield* socketPieces(body);
  if (pool && pool.size !== minBytes) throw new RangeError(`bodyPieces: the pool's buffers are ${pool.size} bytes, not minBytes (${minBytes})`);
  let pending: Buffer = Buffer.alloc(0);
  let length = 0;
  const pieces = socketPieces(body);
  try {
    for (;;) {
      let next: IteratorResult<Buffer, void>;
      try {
        next = await pieces.next();
      } catch (error) {
        // What arrived before the body failed passes on first, as it would have without joining.
        if (length > 0) yield pending.subarray(0, length);
        throw error;
      }
      if (next.done === true) break;
      const piece = next.value;
      let offset = 0;
      while (offset < piece.length) {
        if (length === 0 && piece.length - offset >= minBytes) {
          yield offset === 0 ? piece : piece.subarray(offset);
          break;
        }
        if (length === 0) pending = pool ? pool.take() : Buffer.allocUnsafe(minBytes);
        const copied = piece.copy(pending, length, offset, Math.min(piece.length, offset + minBytes - length));
        length += copied;
        offset += copied;
        if (length === minBytes) {
          yield pending;
          length = 0;
        }
      }
    }
    if (length > 0) yield pending.subarray(0, length);
  } finally {
    // A consumer that stops early leaves the body's listeners behind otherwise.
    await pieces.return(undefined);
  }
}

async function* socketPieces(body: Readable): AsyncGenerator<Buffer, void, undefined> {
  const waiting: Buffer[] = [];
  let ended = false;
  let closed = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const wakeUp = (): void => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const onData = (piece: Buffer): void => {
    waiting.push(piece);
    // The first piece after a wait goes to the consumer; the stream stops at the next one.
    if (wake === undefined) body.pause();
    else wakeUp();
  };
  const onEnd = (): void => {
    ended = true;
    wakeUp();
  };
  const onError = (error: unknown): void => {
    failure ??= { error };
    wakeUp();
  };
  const onClose = (): void => {
    closed = true;
    wakeUp();
  };
  body.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  try {
    for (;;) {
      const piece = waiting.shift();
      if (piece !== undefined) {
        yield piece;
        continue;
      }
      if (failure !== undefined) throw failure.error;
      if (ended) return;
      if (closed) throw Object.assign(new Error('Premature close: the body ended before all of it arrived'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
      await new Promise<void>((resolve) => {
        wake = resolve;
        body.resume();
      });
    }
  } finally {
    body.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    body.pause();
  }
}
