/**
 * The chunk bodies of an upload, the first one asked for at once: read, and compressed when it
 * goes gzipped, while the sink logs in and Anaplan opens the upload (auto's gzipped probe once the
 * request that opens it is sent), so that the first request finds it ready.
 */
import type { ChunkBody } from './chunk-bodies';
import { startingWith, type ReadAhead } from './starting-with';

export class BodiesAhead {
  private readonly reader: AsyncIterator<ChunkBody>;
  private readonly head: ReadAhead<ChunkBody>;
  private taken = false;

  constructor(bodies: AsyncIterable<ChunkBody>) {
    this.reader = bodies[Symbol.asyncIterator]();
    const first = this.reader.next();
    // Failing meanwhile (a chunk over the limit) is reported when the uploads get to it, not as an unhandled rejection.
    first.catch(() => undefined);
    this.head = { result: first };
  }

  /** Every body, the first included; once. */
  take(): AsyncIterable<ChunkBody> {
    if (this.taken) throw new Error('the chunk bodies were already taken');
    this.taken = true;
    return startingWith(this.head, this.reader);
  }

  /** Nothing will be sent: the first body (once ready) goes to `release`, and the input is given back. */
  async discard(release: (body: ChunkBody) => void): Promise<void> {
    const { result } = this.head;
    this.head.result = undefined;
    if (result) {
      void Promise.resolve(result).then(
        (head) => (head.done ? undefined : release(head.value)),
        () => undefined,
      );
    }
    await this.reader.return?.(undefined);
  }
}
