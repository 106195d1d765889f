/**
 * Target leases shared by every worker on one Redis: while a job holds an Anaplan file (from its
 * first chunk to the end of its import), no job anywhere else may start loading it.
 *
 * A lease is one key per target, `pipe:target:<key>`, set only if absent (all of a request's
 * keys at once, in one script) to a token that is this holder's alone, with a time to live. The
 * holder renews it every third of that time while it holds it, and deletes it only if the token is
 * still its own. So a worker that dies (even `kill -9`) holds nothing for longer than the time to
 * live; the next holder starts the file's upload over (a new upload drops the old chunks), and a
 * holder that learns its lease was lost (it stalled past the time to live) is told at once, to stop.
 *
 * Waiting is by polling with jitter: simple, and leases last minutes, not milliseconds. Unlike the
 * one-process store, waiters are not served in arrival order.
 */
import { randomBytes } from 'node:crypto';
import { InterruptedError } from '@pipe/core';
import { type AcquireOptions, type TargetLease, type TargetLocks } from '@pipe/core/engine';
import { KEY_PREFIX } from './pipe-queue';
import type { RedisCommands } from './redis-commands';

/** Sets every key to the token, or none of them: returns the value holding the first key that is taken by someone else. */
const TAKE_ALL = `
for i, key in ipairs(KEYS) do
  local holder = redis.call('GET', key)
  if holder and holder ~= ARGV[1] then return holder end
end
for i, key in ipairs(KEYS) do redis.call('SET', key, ARGV[1], 'PX', ARGV[2]) end
return false`;

/** Extends the keys still holding the token; returns how many no longer do. */
const RENEW = `
local lost = 0
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('PEXPIRE', key, ARGV[2]) else lost = lost + 1 end
end
return lost`;

/** Deletes the keys still holding the token, and only those. */
const RELEASE = `
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key) end
end
return 0`;

export interface RedisTargetLocksOptions {
  /** How long a lease outlives a holder that stopped renewing it. */
  readonly ttlMs: number;
  /** Who holds the leases, for other holders' messages (`worker host:123, run …`). */
  readonly holder: string;
  /** Called once if a lease is found lost (renewal came too late): the holder must stop using the target. */
  readonly onLost?: (key: string) => void;
  /** Between two tries while waiting (jittered); default a tenth of ttlMs, at most 1 s. */
  readonly pollMs?: number;
}

interface Held {
  count: number;
}

export class RedisTargetLocks implements TargetLocks {
  /** This holder's token: random, so no other holder can renew or delete its keys. */
  private readonly token: string;
  private readonly held = new Map<string, Held>();
  private readonly timer: NodeJS.Timeout;
  private lastRenewed = Date.now();
  private lost = false;

  constructor(
    private readonly redis: RedisCommands,
    private readonly options: RedisTargetLocksOptions,
  ) {
    this.token = `${randomBytes(12).toString('hex')} ${options.holder}`;
    this.timer = setInterval(() => void this.renew(), Math.max(50, Math.floor(options.ttlMs / 3)));
    this.timer.unref();
  }

  async acquire(keys: readonly string[], options: AcquireOptions): Promise<TargetLease> {
    const unique = [...new Set(keys)].sort();
    const wanted = unique.filter((k) => !this.held.has(k));
    let told = false;
    for (;;) {
      if (options.signal.aborted) throw new InterruptedError();
      const holder = wanted.length
        ? await this.redis.script<string | null>('pipeTargetTake', TAKE_ALL, wanted.map(redisKey), [this.token, this.options.ttlMs])
        : null;
      if (!holder) break;
      if (!told) {
        const blocker = wanted[0];
        options.onWait?.(blocker, holderName(holder));
        told = true;
      }
      await pause(this.pollMs(), options.signal);
    }
    for (const key of unique) {
      const entry = this.held.get(key);
      if (entry) entry.count++;
      else this.held.set(key, { count: 1 });
    }
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        const free: string[] = [];
        for (const key of unique) {
          const entry = this.held.get(key)!;
          if (--entry.count === 0) {
            this.held.delete(key);
            free.push(key);
          }
        }
        if (free.length) await this.redis.script('pipeTargetRelease', RELEASE, free.map(redisKey), [this.token]);
      },
    };
  }

  /** Stops renewing and lets go of whatever is still held. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    const keys = [...this.held.keys()];
    this.held.clear();
    if (keys.length) await this.redis.script('pipeTargetRelease', RELEASE, keys.map(redisKey), [this.token]).catch(() => undefined);
  }

  private pollMs(): number {
    const base = this.options.pollMs ?? Math.min(1000, Math.max(20, Math.floor(this.options.ttlMs / 10)));
    return base / 2 + Math.random() * base;
  }

  private async renew(): Promise<void> {
    const keys = [...this.held.keys()];
    if (!keys.length || this.lost) {
      this.lastRenewed = Date.now();
      return;
    }
    try {
      const lost = await this.redis.script<number>('pipeTargetRenew', RENEW, keys.map(redisKey), [this.token, this.options.ttlMs]);
      if (lost > 0) return this.loseLease(keys[0]);
      this.lastRenewed = Date.now();
    } catch {
      // Redis unreachable: once the time to live has passed unrenewed, another holder may have the target.
      if (Date.now() - this.lastRenewed > this.options.ttlMs) this.loseLease(keys[0]);
    }
  }

  private loseLease(key: string): void {
    if (this.lost) return;
    this.lost = true;
    this.options.onLost?.(key);
  }
}

function redisKey(key: string): string {
  return `${KEY_PREFIX}:target:${key}`;
}

/** The holder part of a token, for "held by …". */
function holderName(token: string): string {
  return token.slice(token.indexOf(' ') + 1);
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', aborted);
    };
    const aborted = () => (done(), reject(new InterruptedError()));
    const timer = setTimeout(() => (done(), resolve()), ms);
    signal.addEventListener('abort', aborted, { once: true });
  });
}
