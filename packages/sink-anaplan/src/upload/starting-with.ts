/** A result read ahead (or on its way), held so that whoever hands it on can let go of it. */
export interface ReadAhead<T> {
  result?: IteratorResult<T> | Promise<IteratorResult<T>>;
}

/**
 * An iterable that yields `head.result` and then the rest of `reader`. The result is taken out of
 * `head` (the caller's variable no longer holds it), and this is a plain iterator, not a
 * generator: a suspended generator frame, or a variable in the caller, can keep the head (a whole
 * chunk) reachable for the whole upload.
 */
export function startingWith<T>(head: ReadAhead<T>, reader: AsyncIterator<T>): AsyncIterable<T> {
  let pending = head.result;
  head.result = undefined;
  const iterator: AsyncIterator<T> = {
    next: () => {
      const first = pending;
      pending = undefined;
      return first ? Promise.resolve(first) : reader.next();
    },
    // Stopped early (a chunk failed): release the input too.
    return: async (value?: unknown) => {
      pending = undefined;
      await reader.return?.(value);
      return { done: true, value: undefined };
    },
  };
  return { [Symbol.asyncIterator]: () => iterator };
}
