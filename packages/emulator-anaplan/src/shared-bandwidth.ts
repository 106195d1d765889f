/**
 * A token bucket shared by every paced reader: bytes flow in at `bytesPerSecond`, up to
 * `burstBytes` can be saved up, and readers are served first come, first served, a piece at a
 * time. A reader asks again for its next piece only after the last one was granted, so
 * concurrent uploads take turns and each gets a fair share of the one link.
 *
 * The accounting makes the promise checkable: `grantedBytes` never exceeds
 * `burstBytes + bytesPerSecond * elapsedMs / 1000` since the bucket was made (full).
 */

export interface BandwidthAccount {
  bytesPerSecond: number;
  burstBytes: number;
  /** Bytes handed to readers since the bucket was made. */
  grantedBytes: number;
  /** Milliseconds since the bucket was made, on the bucket's own clock. */
  elapsedMs: number;
  /** Readers waiting for bytes right now. */
  waitingReaders: number;
}

interface Waiter {
  remaining: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class SharedBandwidth {
  private tokens: number;
  private lastRefill: number;
  private readonly startedAt: number;
  private readonly queue: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private granted = 0;

  constructor(
    readonly bytesPerSecond: number,
    readonly burstBytes: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    if (!(bytesPerSecond > 0) || !(burstBytes >= 1)) throw new Error('bandwidth: bytesPerSecond and burstBytes must be positive');
    this.startedAt = this.clock();
    this.lastRefill = this.startedAt;
    this.tokens = burstBytes;
  }

  /** Resolves once `bytes` were granted to this reader; rejects when `signal` aborts first (the bytes not yet granted go back). */
  take(bytes: number, signal?: AbortSignal): Promise<void> {
    if (bytes <= 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new Error('reader gone'));
      const waiter: Waiter = { remaining: bytes, resolve, reject };
      const onAbort = (): void => this.drop(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      waiter.resolve = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.queue.push(waiter);
      this.serve();
    });
  }

  account(): BandwidthAccount {
    return {
      bytesPerSecond: this.bytesPerSecond,
      burstBytes: this.burstBytes,
      grantedBytes: this.granted,
      elapsedMs: this.clock() - this.startedAt,
      waitingReaders: this.queue.length,
    };
  }

  /** Fails every waiting reader (the emulator stops). */
  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    for (const waiter of this.queue.splice(0)) waiter.reject(new Error('emulator stopped'));
  }

  private drop(waiter: Waiter): void {
    const index = this.queue.indexOf(waiter);
    if (index === -1) return;
    this.queue.splice(index, 1);
    waiter.reject(new Error('reader gone'));
    this.serve();
  }

  private refill(): void {
    const now = this.clock();
    this.tokens = Math.min(this.burstBytes, this.tokens + ((now - this.lastRefill) * this.bytesPerSecond) / 1000);
    this.lastRefill = now;
  }

  private serve(): void {
    this.refill();
    while (this.queue.length > 0) {
      const head = this.queue[0];
      const portion = Math.min(head.remaining, Math.floor(this.tokens));
      if (portion <= 0) break;
      this.tokens -= portion;
      this.granted += portion;
      head.remaining -= portion;
      if (head.remaining > 0) break;
      this.queue.shift();
      head.resolve();
    }
    if (this.queue.length === 0 || this.timer !== undefined) return;
    // Wake when the head's piece (or a full bucket) can be granted in one go: fewer timers than byte-by-byte.
    const needed = Math.min(this.queue[0].remaining, this.burstBytes) - this.tokens;
    const waitMs = Math.max(1, Math.ceil((needed * 1000) / this.bytesPerSecond));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.serve();
    }, waitMs);
  }
}
