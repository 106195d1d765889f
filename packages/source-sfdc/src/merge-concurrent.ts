/**
 * Runs up to `concurrency` async iterables at once and yields their items as they come, in one
 * stream. Memory stays bounded: each running iterable has at most one item waiting (its `next()`
 * is only called again once its previous item was taken downstream), so at most `concurrency`
 * items are in memory, and a slow consumer holds every producer, down to its socket.
 *
 * When the consumer stops early or one iterable throws, the others are closed (`return()`), so
 * their connections are released.
 */

export async function* mergeConcurrent<T>(sources: Iterable<() => AsyncIterable<T>>, concurrency: number): AsyncGenerator<T> {
  if (!(concurrency >= 1)) throw new RangeError('concurrency must be at least 1');
  const pending = sources[Symbol.iterator]();
  interface Running {
    readonly iterator: AsyncIterator<T>;
    next: Promise<{ running: Running; result: IteratorResult<T> }>;
  }
  const running = new Set<Running>();
  const pull = (r: Running) => {
    r.next = r.iterator.next().then((result) => ({ running: r, result }));
  };
  const startNext = (): boolean => {
    const step = pending.next();
    if (step.done) return false;
    const r: Running = { iterator: step.value()[Symbol.asyncIterator](), next: undefined as never };
    pull(r);
    running.add(r);
    return true;
  };

  try {
    while (running.size < concurrency && startNext());
    while (running.size > 0) {
      const { running: r, result } = await Promise.race([...running].map((x) => x.next));
      if (result.done) {
        running.delete(r);
        startNext();
        continue;
      }
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
        await r.next.catch(() => undefined);
        await r.iterator.return?.();
      }),
    );
  }
}
