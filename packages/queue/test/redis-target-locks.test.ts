/**
 * The target lease every worker shares, against a real Redis: one holder at a time, a dead
 * holder's lease expires and is taken over, and a holder never frees or renews a lease that is
 * no longer its own.
 */
import { InterruptedError } from '@pipe/core';
import { PipeQueue } from '../src/pipe-queue';
import { RedisTargetLocks } from '../src/redis-target-locks';
import { describeWithRedis, startRedis, type RedisServer } from './support/redis-server';
import { waitFor } from './support/wait-for';

const KEY = 'anaplan-file:api.example.com/M1/113000000000';
const REDIS_KEY = `pipe:target:${KEY}`;

describeWithRedis('RedisTargetLocks', () => {
  let redis: RedisServer;
  let queue: PipeQueue;
  const open: RedisTargetLocks[] = [];
  const locks = (holder: string, ttlMs = 2000, onLost?: (key: string) => void) => {
    const l = new RedisTargetLocks(queue.redis, { ttlMs, holder, onLost, pollMs: 20 });
    open.push(l);
    return l;
  };
  const acquire = (l: RedisTargetLocks, owner: string, signal = new AbortController().signal, onWait?: (key: string, heldBy: string) => void) =>
    l.acquire([KEY], { owner, signal, onWait });

  beforeAll(async () => {
    redis = await startRedis();
    queue = await PipeQueue.connect(redis.url);
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((l) => l.close()));
    await queue.redis.call('del', [REDIS_KEY]);
  });
  afterAll(async () => {
    await queue?.close();
    await redis?.stop();
  });

  it('a second holder waits until the first releases, and is told who holds the target', async () => {
    const first = await acquire(locks('worker a'), 'pipeline "east"');
    const waits: string[] = [];
    let secondHas = false;
    const second = acquire(locks('worker b'), 'pipeline "west"', undefined, (key, heldBy) => waits.push(`${key} ${heldBy}`)).then((lease) => {
      secondHas = true;
      return lease;
    });
    await waitFor(() => waits.length, 'the second holder to wait');
    expect(waits).toEqual([`${KEY} worker a`]);
    expect(secondHas).toBe(false);
    await first.release();
    await (await second).release();
    expect(secondHas).toBe(true);
  });

  it('a lease kept alive by its holder outlasts its time to live', async () => {
    await acquire(locks('worker a', 300), 'pipeline "east"');
    // Watch Redis count the lease down and the holder push it back up, three times over.
    let renewals = 0;
    let last = Infinity;
    await waitFor(async () => {
      const ttl = await queue.redis.call<number>('pttl', [REDIS_KEY]);
      expect(ttl).toBeGreaterThan(0);
      if (ttl > last) renewals++;
      last = ttl;
      return renewals >= 3;
    }, 'three renewals');
    expect(await queue.redis.call('get', [REDIS_KEY])).toMatch(/ worker a$/);
  });

  it("a dead holder's lease expires and the next holder takes it over", async () => {
    // What a worker killed with kill -9 leaves: its lease, no longer renewed.
    await queue.redis.call('set', [REDIS_KEY, 'deadbeef worker killed', 'PX', 300]);
    const waits: string[] = [];
    const lease = await acquire(locks('worker b'), 'pipeline "west"', undefined, (_, heldBy) => waits.push(heldBy));
    expect(waits).toEqual(['worker killed']);
    expect(await queue.redis.call('get', [REDIS_KEY])).toMatch(/ worker b$/);
    await lease.release();
    expect(await queue.redis.call('get', [REDIS_KEY])).toBeNull();
  });

  it('a holder whose lease was taken over is told, and its release leaves the new holder alone', async () => {
    const lost: string[] = [];
    const lease = await acquire(
      locks('worker a', 300, (key) => lost.push(key)),
      'pipeline "east"',
    );
    // As if worker a stalled past its TTL and worker b took the target.
    await queue.redis.call('set', [REDIS_KEY, 'cafe worker b', 'PX', 10_000]);
    await waitFor(() => lost.length, 'worker a to be told');
    expect(lost).toEqual([KEY]);
    await lease.release();
    expect(await queue.redis.call('get', [REDIS_KEY])).toBe('cafe worker b');
  });

  it('waiting stops when the job is stopped', async () => {
    await acquire(locks('worker a'), 'pipeline "east"');
    const controller = new AbortController();
    const waiting = acquire(locks('worker b'), 'pipeline "west"', controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(InterruptedError);
  });
});
