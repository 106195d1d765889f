import { sleep } from '@pipe/core';
import { mergeConcurrent } from '../src/merge-concurrent';

async function* counted(name: string, n: number, started: Set<string>, live: { now: number; peak: number }, pulled: string[]) {
  started.add(name);
  live.now += 1;
  live.peak = Math.max(live.peak, live.now);
  try {
    for (let i = 0; i < n; i++) {
      await new Promise((r) => setImmediate(r));
      pulled.push(`${name}${i}`);
      yield `${name}${i}`;
    }
  } finally {
    live.now -= 1;
  }
}

test('runs at most `concurrency` sources, yields everything, each source in order', async () => {
  const started = new Set<string>();
  const live = { now: 0, peak: 0 };
  const pulled: string[] = [];
  const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
  const out: string[] = [];
  for await (const item of mergeConcurrent(
    names.map((n) => () => counted(n, 5, started, live, pulled)),
    3,
  ))
    out.push(item);
  expect(out).toHaveLength(35);
  expect(live.peak).toBe(3);
  for (const n of names) expect(out.filter((x) => x.startsWith(n))).toEqual([0, 1, 2, 3, 4].map((i) => `${n}${i}`));
});

test('a slow consumer holds every producer: at most one item per source is produced ahead', async () => {
  const started = new Set<string>();
  const live = { now: 0, peak: 0 };
  const pulled: string[] = [];
  let taken = 0;
  for await (const _ of mergeConcurrent(
    ['a', 'b', 'c'].map((n) => () => counted(n, 100, started, live, pulled)),
    3,
  )) {
    taken += 1;
    await sleep(1);
    // Produced but not yet taken: one per running source at most.
    expect(pulled.length - taken).toBeLessThanOrEqual(3);
    if (taken === 30) break;
  }
  // Stopping early closed every source.
  expect(live.now).toBe(0);
});

test('an error in one source ends the merge and closes the others', async () => {
  const live = { now: 0, peak: 0 };
  async function* failing() {
    yield 'x';
    throw new Error('boom');
  }
  const merged = mergeConcurrent([() => counted('a', 1000, new Set(), live, []), () => failing()], 2);
  await expect(
    (async () => {
      for await (const _ of merged);
    })(),
  ).rejects.toThrow('boom');
  expect(live.now).toBe(0);
});
