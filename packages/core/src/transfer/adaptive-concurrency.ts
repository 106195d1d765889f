/**
 * `concurrency: auto`: a limit on requests in flight that finds its own level, in the spirit of
 * Vector's adaptive request concurrency (its AIMD controller): start low,
 * add one slot at a time while more requests in flight bring more throughput, take slots away
 * when they only queue, and drop on back pressure (429, 503, resets, timeouts; see below).
 *
 * Decisions are taken once per interval of about one round trip, from the requests that finished
 * in it. Each round trip (per unit of `weight`, e.g. per byte sent) is compared with the lowest
 * seen so far, the no-load round trip: `limit x (1 - lowest / now)` estimates how many requests
 * are only waiting in a queue somewhere (TCP Vegas' estimate). Under one: the extra slots still
 * add throughput, so grow, but only if the limit held work back: it was reached, no slot is
 * waiting for its work now, and none waited for a good part of a round trip in the interval
 * (`beforeWork` slots). A limit the work does not fill says nothing, and growing it only lets
 * more memory and sockets in (as TCP keeps its window when the application is what limits it,
 * RFC 7661). Above `QUEUE_TO_SHRINK`: latency rises with no gain, so shrink by one.
 *
 * A 429 says the server refuses more requests than it takes at once: the limit goes to the number
 * of this client's requests the server had already taken (those started before the refused one
 * and still running when it was sent), which finds a cap on requests in flight in one step instead of halving below it
 * and climbing back. Other back pressure (503, resets, timeouts: a server that struggles) halves.
 *
 * After back pressure at a limit, growing back to that limit waits longer each time it fails
 * again there, so a server that answers 429 above a fixed cap is probed rarely instead of every
 * few round trips. `Retry-After` is honoured by the refused request, which waits that long before
 * it is sent again (the caller's retry). New requests wait for it too after a 503 or a reset, and
 * after a 429 when the server had taken none of this client's requests (it wants none for a
 * while); not after a 429 that finds a cap, where the requests the server takes go on.
 *
 * A request refused with a 429 leaves its slot to others while it waits (the server is not running
 * it) and takes the next free one, ahead of new requests, before it is sent again (`resend`): a
 * probe above a cap then costs one refused request, not a slot idle for a whole Retry-After.
 * Requests held, waiting or running, never exceed `maximum` (a caller's memory is sized by it).
 *
 * Time comes from `now` and waits from `sleep`, both injectable, so tests drive it step by step.
 */
import { sleep as realSleep } from '../http/retry';
import type { BackPressure } from './back-pressure';
import { abortReason, SlotWaiters, type AcquireOptions, type ConcurrencyLimit, type ConcurrencyPermit } from './concurrency-limit';

export interface AdaptiveConcurrencyOptions {
  /** Limit at the start (default 2). */
  readonly initial?: number;
  /** The limit never goes above this (default 32). */
  readonly maximum?: number;
  /** Milliseconds on a monotonic clock (default `performance.now`). */
  readonly now?: () => number;
  /** Wait while a Retry-After pause lasts (default a timer). */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Told every time the limit moves, with why (for the debug log). */
  readonly onChange?: (change: LimitChange) => void;
}

export interface LimitChange {
  readonly from: number;
  readonly to: number;
  readonly reason: 'throughput rises' | 'latency rises' | 'back pressure';
}

/** When a request was (last) sent and ended (on the limiter's clock), and whether the server refused it. */
interface RequestSpan {
  at: number;
  endedAt?: number;
  refused: boolean;
  /** Its slot is taken, its work not come yet (`beforeWork`): the server has not seen it. */
  unsent: boolean;
}

export const DEFAULT_INITIAL_CONCURRENCY = 2;
export const DEFAULT_MAX_CONCURRENCY = 32;
/** Halve on back pressure: the server said plainly it has too much. */
const BACK_PRESSURE_DECREASE = 0.5;
/** Requests estimated to be only queuing above which the limit shrinks by one. */
const QUEUE_TO_SHRINK = 2.5;
/** Below this many queued requests the last slot added still paid off (under one whole request's worth). */
const QUEUE_TO_GROW = 0.9;
/**
 * A slot that waited for its work longer than this part of the request's round trip was idle: the
 * work, not the limit, set the pace. Work that is ready waits a few microtasks.
 */
const IDLE_SLOT_FRACTION = 0.25;
/** Weight of the newest interval in the average round trip that sets the interval length. */
const EWMA_ALPHA = 0.4;
/** Intervals at the limit that last met back pressure before trying it again; doubles per failure. */
const FIRST_PROBE_WAIT = 8;
const LONGEST_PROBE_WAIT = 64;
/** Requests remembered to tell what a server had taken when it refused one: more than ever run at once. */
const RECENT_REQUESTS = 256;

export class AdaptiveConcurrency implements ConcurrencyLimit {
  readonly maximum: number;
  inFlight = 0;
  /**
   * Of those, requests refused with a 429 that wait to be sent again: the server is not running
   * them, so their slots go to others until they `resend`.
   */
  private steppedAside = 0;
  /** Of those, the ones whose wait is over and that want a slot back: new requests let them go first. */
  private resending = 0;
  /** Of those, slots taken before their work and still waiting for it (`beforeWork`). */
  private awaitingWork = 0;
  /** Back-pressure events seen (every 429, 503, reset or timeout reported). */
  backPressureEvents = 0;
  private current: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly waiters = new SlotWaiters();
  private pausedUntil = -Infinity;

  /** Lowest mean round trip per unit of weight in any interval: the no-load round trip. */
  private baseline: number | undefined;
  /** Average unweighted round trip, in ms: one interval lasts this long. */
  private averageRttMs: number | undefined;
  private intervalEnd: number | undefined;
  private interval = freshInterval();
  private lastDecreaseAt = -Infinity;
  /** When recent requests started and ended, to tell which ones a server had taken when it refused one. */
  private readonly recent: RequestSpan[] = [];
  /** The limit that last met back pressure, and how many clean intervals to wait before trying it again. */
  private ceiling: number | undefined;
  private probeWait = FIRST_PROBE_WAIT;
  private intervalsBelowCeiling = 0;
  /** Bumped at every change of the limit: a request started under another limit measures that one. */
  private epoch = 0;

  constructor(private readonly options: AdaptiveConcurrencyOptions = {}) {
    this.maximum = options.maximum ?? DEFAULT_MAX_CONCURRENCY;
    if (!(this.maximum >= 1)) throw new RangeError('maximum concurrency must be at least 1');
    this.current = Math.min(this.maximum, Math.max(1, options.initial ?? DEFAULT_INITIAL_CONCURRENCY));
    this.now = options.now ?? (() => performance.now());
    this.sleep = options.sleep ?? realSleep;
  }

  get limit(): number {
    return this.current;
  }

  /** Milliseconds until new requests may start again after a Retry-After; 0 when they may. */
  pausedForMs(): number {
    return Math.max(0, this.pausedUntil - this.now());
  }

  /** A slot now, or undefined when the limit is reached or a Retry-After pause lasts. */
  tryAcquire(options: AcquireOptions = {}): ConcurrencyPermit | undefined {
    if (this.pausedForMs() > 0) return undefined;
    const reached = () => {
      if (this.running() >= this.current) this.interval.reachedLimit = true;
    };
    if (this.running() + this.resending >= this.current || this.inFlight >= this.maximum) {
      reached();
      return undefined;
    }
    this.inFlight++;
    reached();
    return this.permit(this.now(), this.epoch, options.beforeWork === true);
  }

  /** Requests holding a slot: in flight, less those refused that wait to be sent again. */
  private running(): number {
    return this.inFlight - this.steppedAside;
  }

  async acquire(signal?: AbortSignal, options?: AcquireOptions): Promise<ConcurrencyPermit> {
    let permit: ConcurrencyPermit | undefined;
    await this.waitUntil(() => (permit = this.tryAcquire(options)) !== undefined, signal);
    return permit!;
  }

  /** Until `ready()` holds: sleeps out a Retry-After pause, else waits for a slot to change hands. */
  private async waitUntil(ready: () => boolean, signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw abortReason(signal);
      if (ready()) return;
      const pause = this.pausedForMs();
      await (pause > 0 ? this.sleep(pause, signal) : this.waiters.wait(signal));
    }
  }

  /**
   * Back pressure not tied to one permit (a 429 on a request made outside the limiter, by the
   * same client): the limit drops and new requests wait for `retryAfterMs`.
   */
  backPressure(retryAfterMs?: number): void {
    this.backPressureEvents++;
    this.interval.backPressure = true;
    const now = this.now();
    if (retryAfterMs !== undefined && retryAfterMs > 0) this.pausedUntil = Math.max(this.pausedUntil, now + retryAfterMs);
    // Requests already in flight when the limit dropped report the same congestion: one decrease per round trip.
    if (now - this.lastDecreaseAt < (this.averageRttMs ?? 0)) return;
    this.lastDecreaseAt = now;
    this.lowerTo(Math.max(1, Math.floor(this.current * BACK_PRESSURE_DECREASE)));
  }

  /** A 429 to the request that started at `request.at`: the server took those started before it. */
  private refused(request: RequestSpan, retryAfterMs?: number): void {
    if (!request.refused) {
      request.refused = true;
      this.steppedAside++;
      this.waiters.wakeAll(); // its slot is free until it is sent again
    }
    let taken = 0;
    for (const other of this.recent) {
      if (other !== request && !other.refused && !other.unsent && other.at < request.at && (other.endedAt ?? Infinity) > request.at) taken++;
    }
    if (taken === 0) return this.backPressure(retryAfterMs);
    this.backPressureEvents++;
    this.interval.backPressure = true;
    const now = this.now();
    // Refused beside as many as the limit already allows (lowered for an earlier refusal of the same burst): nothing new.
    if (taken >= this.current) return;
    // The server's cap on requests in flight, found: fewer in flight is the cure, not silence. The
    // refused request waits its Retry-After before it is sent again; the ones the server takes go on.
    this.lastDecreaseAt = now;
    this.lowerTo(taken);
  }

  private lowerTo(limit: number): void {
    if (this.ceiling !== undefined && this.current >= this.ceiling) this.probeWait = Math.min(LONGEST_PROBE_WAIT, this.probeWait * 2);
    this.ceiling = this.current;
    this.intervalsBelowCeiling = 0;
    this.setLimit(limit, 'back pressure');
  }

  /** Requests changed shape (e.g. bodies are now compressed): earlier round trips no longer compare. */
  rebase(): void {
    this.baseline = undefined;
    this.interval = freshInterval();
    this.intervalEnd = undefined;
    this.epoch++;
  }

  private permit(acquiredAt: number, epoch: number, beforeWork: boolean): ConcurrencyPermit {
    let done = false;
    let metBackPressure = false;
    let startedAt = acquiredAt;
    let awaiting = beforeWork;
    if (awaiting) this.awaitingWork++;
    const workCame = () => {
      if (!awaiting) return false;
      awaiting = false;
      this.awaitingWork--;
      return true;
    };
    const request: RequestSpan = { at: startedAt, refused: false, unsent: beforeWork };
    this.recent.push(request);
    if (this.recent.length > RECENT_REQUESTS) this.recent.shift();
    const finish = () => {
      if (done) return false;
      done = true;
      workCame();
      request.endedAt = this.now();
      this.inFlight--;
      if (request.refused) this.steppedAside--;
      this.waiters.wakeAll();
      return true;
    };
    const resend = async (signal?: AbortSignal) => {
      if (!request.refused) return this.waitUntil(() => true, signal);
      this.resending++;
      try {
        await this.waitUntil(() => this.pausedForMs() === 0 && this.running() < this.current, signal);
      } catch (error) {
        this.waiters.wakeAll(); // new requests no longer wait behind this one
        throw error;
      } finally {
        this.resending--;
      }
      request.refused = false;
      this.steppedAside--;
      request.at = this.now();
    };
    return {
      started: () => {
        if (done || !workCame()) return;
        startedAt = request.at = this.now();
        request.unsent = false;
      },
      backPressure: (pressure: BackPressure = {}) => {
        metBackPressure = true;
        if (pressure.tooManyRequests) this.refused(request, pressure.retryAfterMs);
        else this.backPressure(pressure.retryAfterMs);
      },
      resend,
      succeeded: (weight = 1) => {
        if (!finish()) return;
        // A request that waited out a retry, or ran under another limit, says nothing about this one.
        if (!metBackPressure && epoch === this.epoch) this.sample(this.now() - startedAt, weight, startedAt - acquiredAt);
      },
      release: () => void finish(),
    };
  }

  private sample(rttMs: number, weight: number, waitedForWorkMs: number): void {
    const now = this.now();
    if (waitedForWorkMs > IDLE_SLOT_FRACTION * rttMs) this.interval.slotIdle = true;
    this.interval.weightedSum += rttMs / Math.max(weight, Number.MIN_VALUE);
    this.interval.rttSum += rttMs;
    this.interval.samples++;
    this.intervalEnd ??= now;
    if (now >= this.intervalEnd) this.adjust(now);
  }

  private adjust(now: number): void {
    const { weightedSum, samples, rttSum, reachedLimit, slotIdle, backPressure } = this.interval;
    this.interval = freshInterval();
    const meanRtt = rttSum / samples;
    this.averageRttMs = this.averageRttMs === undefined ? meanRtt : this.averageRttMs + EWMA_ALPHA * (meanRtt - this.averageRttMs);
    this.intervalEnd = now + this.averageRttMs;

    const latency = weightedSum / samples;
    const first = this.baseline === undefined;
    this.baseline = Math.min(this.baseline ?? latency, latency);
    if (backPressure) return; // already lowered when it happened
    const queued = this.current * (1 - this.baseline / latency);
    if (!first && queued > QUEUE_TO_SHRINK && this.current > 1) {
      this.setLimit(this.current - 1, 'latency rises');
      return;
    }
    if (queued >= QUEUE_TO_GROW || !reachedLimit || slotIdle || this.awaitingWork > 0 || this.current >= this.maximum) return;
    if (this.ceiling !== undefined && this.current + 1 >= this.ceiling) {
      // The next step is where the server pushed back last time: wait a while before trying it.
      if (++this.intervalsBelowCeiling < this.probeWait) return;
      this.intervalsBelowCeiling = 0;
    }
    this.setLimit(this.current + 1, 'throughput rises');
  }

  private setLimit(limit: number, reason: LimitChange['reason']): void {
    const from = this.current;
    if (limit === from) return;
    this.current = limit;
    this.epoch++;
    if (limit > from) this.waiters.wakeAll();
    this.options.onChange?.({ from, to: limit, reason });
  }
}

function freshInterval() {
  return { weightedSum: 0, samples: 0, rttSum: 0, reachedLimit: false, slotIdle: false, backPressure: false };
}
