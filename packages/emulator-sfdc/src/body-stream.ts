/**
 * Writes a generated body with backpressure: the next chunk is only produced once the socket
 * has taken the previous one, so a 500 MB report streams in constant memory. The stream faults
 * (cut after N bytes, throttle) act here because only here the byte position is known.
 */
import type { Writable } from 'node:stream';
import { sleep, type Exchange } from './http-io';

export interface StreamFaults {
  /** Stop after this many body bytes (see FaultSpec "drop-connection"). */
  readonly dropAfterBytes?: number;
  /** Rate cap in bytes per second. */
  readonly bytesPerSecond?: number;
}

/** "completed": all chunks written; "dropped": stopped at dropAfterBytes; "aborted": the client left. */
export type StreamOutcome = 'completed' | 'dropped' | 'aborted';

function gone(ex: Exchange, signal: AbortSignal): boolean {
  return signal.aborted || ex.res.destroyed || ex.req.socket.destroyed;
}

/** Resolves when the sink can take more, or when the client leaves or the emulator stops. */
function writable(sink: Writable, ex: Exchange, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      sink.off('drain', done);
      ex.res.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    sink.on('drain', done);
    ex.res.on('close', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Writes and waits until the bytes have left the stream's buffer (so a following destroy cannot lose them). */
function writeFlushed(sink: Writable, piece: Buffer): Promise<void> {
  return new Promise((resolve) => {
    sink.write(piece, () => resolve());
  });
}

async function writePiece(sink: Writable, piece: Buffer, ex: Exchange, signal: AbortSignal): Promise<void> {
  ex.record.bodyBytes += piece.length;
  if (!sink.write(piece)) await writable(sink, ex, signal);
}

/** Streams the chunks into the sink (the response, or a gzip stream in front of it); does not end it. */
export async function streamChunks(ex: Exchange, sink: Writable, chunks: Iterable<Buffer>, faults: StreamFaults, signal: AbortSignal): Promise<StreamOutcome> {
  let sent = 0;
  const slice = faults.bytesPerSecond === undefined ? Infinity : Math.max(1, Math.floor(faults.bytesPerSecond / 20));
  for (const chunk of chunks) {
    let piece = chunk;
    const drop = faults.dropAfterBytes;
    const cut = drop !== undefined && sent + piece.length >= drop;
    if (cut) piece = piece.subarray(0, drop - sent);
    for (let offset = 0; offset < piece.length; offset += slice) {
      if (gone(ex, signal)) return 'aborted';
      const part = slice === Infinity ? piece : piece.subarray(offset, offset + slice);
      if (cut && offset + part.length >= piece.length) {
        ex.record.bodyBytes += part.length;
        await writeFlushed(sink, part);
      } else await writePiece(sink, part, ex, signal);
      sent += part.length;
      if (slice !== Infinity) await sleep(50, signal);
    }
    if (cut) return 'dropped';
    if (gone(ex, signal)) return 'aborted';
  }
  return 'completed';
}

/** Cuts the connection without the terminating chunk: the client sees a truncated transfer. */
export function destroyConnection(ex: Exchange): void {
  ex.record.outcome = 'destroyed';
  ex.res.socket?.destroy();
}
