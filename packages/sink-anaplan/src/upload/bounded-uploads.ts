/**
 * Runs `send` over a lazy sequence with at most `concurrency` sends in flight, reading the next
 * item only when a slot is free. So at most `concurrency` items (plus the one being read) are held
 * at any time, whatever the input size, and item 0 is on the wire while item 1 is being read.
 *
 * The first failure stops everything: no more items are read, sends in flight are aborted through
 * their signal, and the failure is rethrown once they have settled.
 *
 * Memory note: never `Promise.race` against a promise that lives for the whole upload. Each race
 * leaves a reaction on every input that has not settled, and that reaction keeps the race's result
 * (here: a whole chunk) reachable. A fresh wake-up promise per wait avoids that.
 */
import { setMaxListeners } from 'node:events';

export interface BoundedOptions {
  readonly concurrency: number;
  readonly signal: AbortSignal;
}

export async function sendBounded<T>(items: AsyncIterable<T>, send: (item: T, signal: AbortSignal) => Promise<void>, options: BoundedOptions): Promise<void> {
  const controller = new AbortController();
  // Every send in flight listens on this signal (undici, retry sleeps): more than Node's default 10.
  setMaxListeners(options.concurrency * 4 + 16, controller.signal);
  const abort = () => controller.abort(options.signal.reason);
  if (options.signal.aborted) abort();
  options.signal.addEventListener('abort', abort, { once: true });

  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  let wakeReader: (() => void) | undefined;
  const fail = (error: unknown) => {
    if (failure) return;
    failure = { error };
    controller.abort(error);
    wakeReader?.();
  };

  const iterator = items[Symbol.asyncIterator]();
  let exhausted = false;
  try {
    while (!failure) {
      // Tracked sends never reject, and each settles, so racing them holds nothing for long.
      while (inFlight.size >= options.concurrency && !failure) await Promise.race(inFlight);
      if (failure) break;
      if (controller.signal.aborted) {
        fail(controller.signal.reason);
        break;
      }
      // Stop waiting for the input as soon as a send fails: a slow source must not delay the error.
      const failedMeanwhile = new Promise<undefined>((resolve) => (wakeReader = () => resolve(undefined)));
      let next: IteratorResult<T> | undefined;
      try {
        next = await Promise.race([iterator.next(), failedMeanwhile]);
      } catch (error) {
        exhausted = true;
        fail(error);
        break;
      } finally {
        wakeReader = undefined;
      }
      if (!next) break;
      if (next.done) {
        exhausted = true;
        break;
      }
      const tracked: Promise<void> = send(next.value, controller.signal)
        .catch((error: unknown) => fail(error))
        .finally(() => inFlight.delete(tracked));
      next = undefined;
      inFlight.add(tracked);
    }
    await Promise.all(inFlight);
  } finally {
    options.signal.removeEventListener('abort', abort);
    // Release the input (closes a file source) without waiting on a source that may hang.
    if (!exhausted) void iterator.return?.(undefined)?.catch(() => undefined);
  }
  if (failure) throw failure.error;
}
