/**
 * How many requests may be in flight at once, as the contract between an uploader (or downloader)
 * and whatever sets the number: a fixed setting, or AdaptiveConcurrency, which moves it with what
 * each request reports back through its permit.
 */
import { InterruptedError } from '../errors';
import type { BackPressure } from './back-pressure';

/** One request's slot. Give it back exactly once, with `succeeded` or `release`. */
export interface ConcurrencyPermit {
  /**
   * The request is sent now: for a slot taken before its work was ready (`acquire` with
   * `beforeWork`), when the work came. Its round trip counts from here.
   */
  started(): void;
  /**
   * The request met back pressure (429, 503, a reset, a timeout) and will be retried or fail:
   * the limit may drop, and new requests may have to wait `retryAfterMs` (the limit decides; the
   * request itself waits it in its retry). Keeps the permit; the limit may let other requests
   * use its slot until `resend`.
   */
  backPressure(pressure?: BackPressure): void;
  /**
   * The request is about to be sent again after back pressure: resolves once it holds a slot
   * (at once, unless the limit let another request take its slot while it waited out a
   * Retry-After). Rejects when `signal` aborts.
   */
  resend(signal?: AbortSignal): Promise<void>;
  /**
   * The request succeeded: frees the slot and, unless it met back pressure, its round trip is a
   * latency sample. `weight` (e.g. the bytes sent) makes requests of different sizes comparable.
   */
  succeeded(weight?: number): void;
  /** Free the slot without a latency sample (a failure that is not back pressure, a cancelled request). */
  release(): void;
}

export interface AcquireOptions {
  /**
   * The slot is taken before its work is ready (a caller that reads the next item only when it
   * may send it) and `started()` says when the work came. Until then the slot is idle: the work,
   * not the limit, sets the pace, and an adaptive limit does not grow on it.
   */
  readonly beforeWork?: boolean;
}

export interface ConcurrencyLimit {
  /** Requests allowed in flight now. */
  readonly limit: number;
  readonly inFlight: number;
  /** The most requests this limit will ever allow at once (connection pools are sized from it). */
  readonly maximum: number;
  /** Wait for a free slot; rejects when `signal` aborts. */
  acquire(signal?: AbortSignal, options?: AcquireOptions): Promise<ConcurrencyPermit>;
  /** A free slot now, or undefined. */
  tryAcquire(options?: AcquireOptions): ConcurrencyPermit | undefined;
}

/** Wakes everything waiting for a slot; each wait gets a fresh promise, so nothing holds a settled one. */
export class SlotWaiters {
  private waiters: Array<() => void> = [];

  wait(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const onAbort = () => {
        this.waiters = this.waiters.filter((w) => w !== wake);
        reject(abortReason(signal));
      };
      const wake = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(wake);
    });
  }

  wakeAll(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

export function abortReason(signal: AbortSignal | undefined): Error {
  return (signal?.reason as Error | undefined) ?? new InterruptedError();
}

/** A limit that never moves: `concurrency: 8`. */
export class FixedConcurrency implements ConcurrencyLimit {
  inFlight = 0;
  private readonly waiters = new SlotWaiters();

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError('concurrency must be at least 1');
  }

  get maximum(): number {
    return this.limit;
  }

  async acquire(signal?: AbortSignal): Promise<ConcurrencyPermit> {
    for (;;) {
      if (signal?.aborted) throw abortReason(signal);
      const permit = this.tryAcquire();
      if (permit) return permit;
      await this.waiters.wait(signal);
    }
  }

  tryAcquire(): ConcurrencyPermit | undefined {
    if (this.inFlight >= this.limit) return undefined;
    this.inFlight++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.inFlight--;
      this.waiters.wakeAll();
    };
    // A refused request keeps its slot while it waits: `concurrency: 8` means eight at most, retries included.
    return {
      started: () => undefined,
      backPressure: () => undefined,
      resend: (signal) => (signal?.aborted ? Promise.reject(abortReason(signal)) : Promise.resolve()),
      succeeded: release,
      release,
    };
  }
}
