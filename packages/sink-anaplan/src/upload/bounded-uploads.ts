/**
 * Runs `send` over a lazy sequence with at most `limit` sends in flight (a fixed number, or one
 * that adapts: core's ConcurrencyLimit), reading the next item only when a slot is free. So at
 * most `limit` items (plus the one being read) are held at any time, whatever the input size, and
 * item 0 is on the wire while item 1 is being read. Each send gets its slot's permit, to report
 * back pressure and success; the slot is freed when the send settles.
 *
 * The first failure stops everything: no more items are read, sends in flight are aborted through
 * their signal, and the failure is rethrown once they have settled.
 *
 * Memory note: never `Promise.race` against a promise that lives for the whole upload. Each race
 * leaves a reaction on every input that has not settled, and that reaction keeps the race's result
 * (here: a whole chunk) reachable. A fresh wake-up promise per wait avoids that.
 */
import { setMaxListeners } from 'node:events';
import type { ConcurrencyLimit, ConcurrencyPermit } from '@pipe/core';

export interface BoundedOptions {
  readonly limit: ConcurrencyLimit;
  readonly signal: AbortSignal;
}

export async function sendBounded<T>(
  items: AsyncIterable<T>,
  send: (item: T, signal: AbortSignal, permit: ConcurrencyPermit) => Promise<void>,
  options: BoundedOptions,
): Promise<void> {
  const controller = new AbortController();
  // Every send in flight listens on this signal (undici, retry sleeps): more than Node's default 10.
  setMaxListeners(options.limit.maximum * 4 + 16, controller.signal);
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
      if (controller.signal.aborted) {
        fail(controller.signal.reason);
        break;
      }
      let permit: ConcurrencyPermit;
      try {
        // A failure aborts the controller, which ends this wait.
        permit = await options.limit.acquire(controller.signal, { beforeWork: true });
      } catch (error) {
        fail(error);
        break;
      }
      if (failure) {
        permit.release();
        break;
      }
      // Stop waiting for the input as soon as a send fails: a slow source must not delay the error.
      const failedMeanwhile = new Promise<undefined>((resolve) => (wakeReader = () => resolve(undefined)));
      let next: IteratorResult<T> | undefined;
      try {
        next = await Promise.race([iterator.next(), failedMeanwhile]);
      } catch (error) {
        exhausted = true;
        permit.release();
        fail(error);
        break;
      } finally {
        wakeReader = undefined;
      }
      if (!next || next.done) {
        if (next?.done) exhausted = true;
        permit.release();
        break;
      }
      const slot = permit;
      // The slot was taken before the item was read: the request starts now.
      slot.started();
      const tracked: Promise<void> = send(next.value, controller.signal, slot)
        .catch((error: unknown) => fail(error))
        .finally(() => {
          slot.release();
          inFlight.delete(tracked);
        });
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
