/**
 * A response body's pieces as they came off the socket, pulled one at a time.
 *
 * `for await` over a Readable calls read(), which joins all buffered pieces into one new buffer
 * (Readable's fromList): when the consumer is a little slower than the socket, most of the body
 * is copied once more there. Taking 'data' events instead hands on each piece undici produced, as
 * it is; the stream flows only while the consumer waits for a piece, so backpressure holds
 * (paused, undici stops reading the socket once its buffer is full).
 */
import type { Readable } from 'node:stream';

export async function* bodyPieces(body: Readable): AsyncGenerator<Buffer, void, undefined> {
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
