/**
 * Runs up to `concurrency` async iterables at once (a number, or a limit that adapts: core's
 * ConcurrencyLimit) and yields their items as they come, in one stream. Memory stays bounded:
 * each running iterable has at most one item waiting (its `next()` is only called again once its
 * previous item was taken downstream), so at most `concurrency` items are in memory, and a slow
 * consumer holds every producer, down to its socket.
 *
 * Each iterable holds a permit of the limit while it runs: one that finishes reports success
 * weighted by its items (so long and short ones compare), one that throws frees its slot. More
 * are started whenever the limit has room, which for an adaptive limit changes as they finish.
 *
 * When the consumer stops early or one iterable throws, the others are closed (`return()`), so
 * their connections are released.
 */
import { FixedConcurrency, type ConcurrencyLimit, type ConcurrencyPermit } from '@pipe/core';

export async function* mergeConcurrent<T>(sources: Iterable<() => AsyncIterable<T>>, concurrency: number | ConcurrencyLimit): AsyncGenerator<T> {
  const limit = typeof concurrency === 'number' ? new FixedConcurrency(concurrency) : concurrency;
  const pending = sources[Symbol.iterator]();
  interface Running {
    readonly iterator: AsyncIterator<T>;
    readonly permit: ConcurrencyPermit;
    items: number;
    next: Promise<{ running: Running; result: IteratorResult<T> }>;
  }
  const running = new Set<Running>();
  let exhausted = false;
  const pull = (r: Running) => {
    r.next = r.iterator.next().then((result) => ({ running: r, result }));
  };
  const start = (permit: ConcurrencyPermit): void => {
    const step = pending.next();
    if (step.done) {
      exhausted = true;
      permit.release();
      return;
    }
    const r: Running = { iterator: step.value()[Symbol.asyncIterator](), permit, items: 0, next: undefined as never };
    pull(r);
    running.add(r);
  };
  const startWhileRoom = () => {
    for (let permit = limit.tryAcquire(); permit; permit = exhausted ? undefined : limit.tryAcquire()) start(permit);
  };

  try {
    for (;;) {
      if (!exhausted) startWhileRoom();
      if (running.size === 0) {
        if (exhausted) break;
        start(await limit.acquire()); // nothing running: wait out a Retry-After pause
        continue;
      }
      // A source that throws ends the merge; its slot is freed with the others' below.
      const { running: r, result } = await Promise.race([...running].map((x) => x.next));
      if (result.done) {
        running.delete(r);
        r.permit.succeeded(Math.max(1, r.items));
        continue;
      }
      r.items++;
      // Ask this source for its next item only after downstream took this one.
      yield result.value;
      pull(r);
    }
  } finally {
    const open = [...running];
    running.clear();
    // Pending next() calls settle first; then return() lets each generator run its finally.
    await Promise.allSettled(
      open.map(async (r) => {
        try {
          await r.next.catch(() => undefined);
          await r.iterator.return?.();
        } finally {
          r.permit.release();
        }
      }),
    );
  }
}
