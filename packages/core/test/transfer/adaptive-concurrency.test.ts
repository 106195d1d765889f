import { AdaptiveConcurrency, type ConcurrencyPermit, type LimitChange } from '../../src';

/** A clock the test moves by hand. */
function manualClock() {
  let time = 0;
  return { now: () => time, advance: (ms: number) => void (time += ms) };
}

/** Fill every free slot, let `rttMs(inFlight)` pass, and finish them all: one round of requests. */
function round(limiter: AdaptiveConcurrency, clock: ReturnType<typeof manualClock>, rttMs: (inFlight: number) => number): void {
  const permits: ConcurrencyPermit[] = [];
  for (let p = limiter.tryAcquire(); p; p = limiter.tryAcquire()) permits.push(p);
  clock.advance(rttMs(permits.length));
  for (const p of permits) p.succeeded();
}

/** `count` requests started 5 ms apart, each with a slot. */
function startedInTurn(limiter: AdaptiveConcurrency, clock: ReturnType<typeof manualClock>, count: number): ConcurrencyPermit[] {
  return Array.from({ length: count }, () => {
    clock.advance(5);
    return limiter.tryAcquire()!;
  });
}

describe('AdaptiveConcurrency', () => {
  it('starts at 2 and grows one slot per round trip while round trips stay flat', () => {
    const clock = manualClock();
    const changes: LimitChange[] = [];
    const limiter = new AdaptiveConcurrency({ now: clock.now, onChange: (c) => changes.push(c) });
    expect(limiter.limit).toBe(2);
    for (let i = 0; i < 6; i++) round(limiter, clock, () => 100);
    expect(limiter.limit).toBe(8);
    expect(changes.every((c) => c.reason === 'throughput rises' && c.to === c.from + 1)).toBe(true);
  });

  it('does not grow when each request in flight only makes the others slower (a shared bandwidth)', () => {
    const clock = manualClock();
    const limiter = new AdaptiveConcurrency({ now: clock.now });
    for (let i = 0; i < 30; i++) round(limiter, clock, (inFlight) => 100 * inFlight);
    expect(limiter.limit).toBeLessThanOrEqual(3);
  });

  it('hides latency: grows while requests are mostly waiting on it, stops when the bandwidth is full', () => {
    const clock = manualClock();
    const limiter = new AdaptiveConcurrency({ now: clock.now });
    // 400 ms of latency plus 100 ms per request on a shared link: 5 in flight fill it.
    for (let i = 0; i < 40; i++) round(limiter, clock, (inFlight) => 400 + 100 * inFlight);
    expect(limiter.limit).toBeGreaterThanOrEqual(4);
    expect(limiter.limit).toBeLessThanOrEqual(9);
  });

  it('does not grow when the limit is never reached', () => {
    const clock = manualClock();
    const limiter = new AdaptiveConcurrency({ now: clock.now });
    for (let i = 0; i < 10; i++) {
      const p = limiter.tryAcquire()!;
      clock.advance(100);
      p.succeeded();
    }
    expect(limiter.limit).toBe(2);
  });

  it('does not grow while the work sets the pace: slots taken before their work wait for it', () => {
    const clock = manualClock();
    const changes: LimitChange[] = [];
    const limiter = new AdaptiveConcurrency({ now: clock.now, onChange: (c) => changes.push(c) });
    const beforeWork = { beforeWork: true };
    // An uploader that takes a slot and then reads its chunk, from a source slower than the link:
    // every slot is taken (the limit is reached) but waits 30 ms for a chunk that uploads in 20.
    for (let i = 0; i < 20; i++) {
      const permits = [limiter.tryAcquire(beforeWork)!, limiter.tryAcquire(beforeWork)!];
      expect(limiter.tryAcquire(beforeWork)).toBeUndefined();
      clock.advance(30);
      for (const p of permits) p.started();
      clock.advance(20);
      for (const p of permits) p.succeeded();
    }
    expect(changes).toEqual([]);
  });

  it('does not grow while a slot is waiting for its work, even when the ones that finished did not wait', () => {
    const clock = manualClock();
    const changes: LimitChange[] = [];
    const limiter = new AdaptiveConcurrency({ now: clock.now, onChange: (c) => changes.push(c) });
    // The first chunk was read ahead (sent at once); the uploader then holds the other slot for
    // the next chunk, which is not read yet when the first one finishes.
    for (let i = 0; i < 10; i++) {
      const sent = limiter.tryAcquire({ beforeWork: true })!;
      sent.started();
      const waiting = limiter.tryAcquire({ beforeWork: true })!;
      clock.advance(20);
      sent.succeeded();
      clock.advance(30);
      waiting.started();
      waiting.succeeded();
    }
    expect(changes).toEqual([]);
  });

  it('grows when the work is ready as soon as a slot frees, and times the round trip from when it is sent', () => {
    const clock = manualClock();
    const changes: LimitChange[] = [];
    const limiter = new AdaptiveConcurrency({ now: clock.now, onChange: (c) => changes.push(c) });
    // The same uploader on a link where the chunks wait for slots: each is read at once.
    for (let i = 0; i < 6; i++) {
      const permits: ConcurrencyPermit[] = [];
      for (let p = limiter.tryAcquire({ beforeWork: true }); p; p = limiter.tryAcquire({ beforeWork: true })) permits.push(p);
      clock.advance(0.01);
      for (const p of permits) p.started();
      clock.advance(100);
      for (const p of permits) p.succeeded();
    }
    expect(limiter.limit).toBe(8);
    // A slot that waits 1 s for its work, then sends in 100 ms like the others: not a slower round trip.
    const slow = limiter.tryAcquire({ beforeWork: true })!;
    clock.advance(1000);
    slow.started();
    clock.advance(100);
    slow.succeeded();
    round(limiter, clock, () => 100);
    expect(changes.filter((c) => c.reason !== 'throughput rises')).toEqual([]);
    expect(limiter.limit).toBeGreaterThanOrEqual(8);
  });

  it('never goes above maximum', () => {
    const clock = manualClock();
    const limiter = new AdaptiveConcurrency({ now: clock.now, maximum: 5 });
    for (let i = 0; i < 20; i++) round(limiter, clock, () => 100);
    expect(limiter.limit).toBe(5);
    const permits = [1, 2, 3, 4, 5].map(() => limiter.tryAcquire());
    expect(permits.every(Boolean)).toBe(true);
    expect(limiter.tryAcquire()).toBeUndefined();
  });

  it('halves the limit on back pressure (a 503, a reset), once for all the requests that meet it in one round trip', () => {
    const clock = manualClock();
    const limiter = new AdaptiveConcurrency({ now: clock.now, initial: 8 });
    round(limiter, clock, () => 100);
    const permits = Array.from({ length: 9 }, () => limiter.tryAcquire()).filter((p): p is ConcurrencyPermit => p !== undefined);
    clock.advance(50);
    for (const p of permits.slice(0, 4)) p.backPressure();
    expect(limiter.limit).toBe(4);
    expect(limiter.backPressureEvents).toBe(4);
    clock.advance(200);
    permits[4].backPressure();
    expect(limiter.limit).toBe(2);
  });

  it('on a 429, goes to the number of requests the server had taken before the refused one', () => {
    const clock = manualClock();
    const limiter = new AdaptiveConcurrency({ now: clock.now, initial: 6 });
    // Six requests start one after another; the server takes three and refuses the rest.
    const permits = startedInTurn(limiter, clock, 6);
    permits[3].backPressure({ tooManyRequests: true, retryAfterMs: 1000 });
    expect(limiter.limit).toBe(3);
    permits[4].backPressure({ tooManyRequests: true, retryAfterMs: 1000 });
    permits[5].backPressure({ tooManyRequests: true, retryAfterMs: 1000 });
    expect(limiter.limit).toBe(3);
    expect(limiter.backPressureEvents).toBe(3);
    // The cap is found: what the server takes goes on (the refused requests wait out their own Retry-After).
    expect(limiter.pausedForMs()).toBe(0);
    for (const p of permits.slice(3)) p.release();
    // The cap went down: a request refused beside two lowers the limit to two.
    permits[0].succeeded();
    clock.advance(5);
    const late = limiter.tryAcquire()!;
    late.backPressure({ tooManyRequests: true, retryAfterMs: 1000 });
    expect(limiter.limit).toBe(2);
    expect(limiter.pausedForMs()).toBe(0);
  });

  it('on a 429, a slot still waiting for its work does not count as one the server took', () => {
    const clock = manualClock();
    const limiter = new AdaptiveConcurrency({ now: clock.now, initial: 6 });
    const sent = startedInTurn(limiter, clock, 3);
    clock.advance(5);
    const waiting = limiter.tryAcquire({ beforeWork: true })!; // its chunk is still being read
    clock.advance(5);
    const refused = limiter.tryAcquire({ beforeWork: true })!;
    refused.started();
    refused.backPressure({ tooManyRequests: true, retryAfterMs: 1000 });
    expect(limiter.limit).toBe(3);
    for (const p of [...sent, waiting, refused]) p.release();
  });

  it('a request refused at a cap leaves its slot to others while it waits, and gets the next free one before new requests', async () => {
    const clock = manualClock();
    const limiter = new AdaptiveConcurrency({ now: clock.now, initial: 4 });
    const permits = startedInTurn(limiter, clock, 4);
    permits[3].backPressure({ tooManyRequests: true, retryAfterMs: 1000 });
    expect(limiter.limit).toBe(3);
    expect(limiter.tryAcquire()).toBeUndefined();
    // While the refused request waits out its Retry-After, a slot freed by the server goes to a new request.
    permits[0].succeeded();
    const meanwhile = limiter.tryAcquire();
    expect(meanwhile).toBeDefined();
    // Its wait over, the refused request wants a slot: none is free, so it waits, and new requests queue behind it.
    let resent = false;
    const resending = permits[3].resend().then(() => void (resent = true));
    await Promise.resolve();
    expect(resent).toBe(false);
    permits[1].succeeded();
    expect(limiter.tryAcquire()).toBeUndefined();
    await resending;
    expect(resent).toBe(true);
    expect(limiter.inFlight).toBe(3);
    expect(limiter.tryAcquire()).toBeUndefined();
    for (const p of [permits[2], permits[3], meanwhile!]) p.succeeded();
    expect(limiter.inFlight).toBe(0);
  });

  it('never holds more than maximum requests, refused ones waiting to be sent again included', () => {
    const clock = manualClock();
    const limiter = new AdaptiveConcurrency({ now: clock.now, initial: 4, maximum: 4 });
    const permits = startedInTurn(limiter, clock, 4);
    permits[3].backPressure({ tooManyRequests: true, retryAfterMs: 1000 });
    for (const p of permits.slice(0, 3)) p.succeeded();
    // Flat round trips: the limit climbs back to 4, but one of the 4 requests allowed is still the refused one.
    let most = 0;
    for (let i = 0; i < 40; i++) round(limiter, clock, () => (most = Math.max(most, limiter.inFlight)) && 100);
    expect(limiter.limit).toBe(4);
    expect(most).toBe(4);
    permits[3].release();
  });

  it('a resend waiting for a slot rejects when the signal aborts, and new requests no longer wait behind it', async () => {
    const clock = manualClock();
    const limiter = new AdaptiveConcurrency({ now: clock.now, initial: 3 });
    const permits = startedInTurn(limiter, clock, 3);
    permits[2].backPressure({ tooManyRequests: true, retryAfterMs: 1000 });
    const controller = new AbortController();
    const resending = permits[2].resend(controller.signal);
    controller.abort(new Error('stopped'));
    await expect(resending).rejects.toThrow('stopped');
    permits[2].release();
    permits[0].succeeded();
    expect(limiter.tryAcquire()).toBeDefined();
  });

  it('halves on a 429 when the server had taken none of the requests before it', () => {
    const clock = manualClock();
    const limiter = new AdaptiveConcurrency({ now: clock.now, initial: 8 });
    const first = limiter.tryAcquire()!;
    first.backPressure({ tooManyRequests: true, retryAfterMs: 1000 });
    expect(limiter.limit).toBe(4);
    // A server that wants no requests at all for a while: nothing new starts until Retry-After has passed.
    expect(limiter.pausedForMs()).toBe(1000);
    expect(limiter.tryAcquire()).toBeUndefined();
    first.release();
  });

  it('starts nothing new until Retry-After has passed', async () => {
    const clock = manualClock();
    const slept: number[] = [];
    const limiter = new AdaptiveConcurrency({
      now: clock.now,
      initial: 4,
      sleep: async (ms) => {
        slept.push(ms);
        clock.advance(ms);
      },
    });
    const first = limiter.tryAcquire()!;
    first.backPressure({ retryAfterMs: 3000 });
    expect(limiter.tryAcquire()).toBeUndefined();
    clock.advance(1000);
    expect(limiter.pausedForMs()).toBe(2000);
    const next = await limiter.acquire();
    expect(slept).toEqual([2000]);
    expect(clock.now()).toBe(3000);
    next.release();
    first.release();
  });

  it('settles at or below a server cap that answers 429 above it, trying the cap rarely', () => {
    const clock = manualClock();
    const limiter = new AdaptiveConcurrency({ now: clock.now });
    const cap = 3;
    let refused = 0;
    const limits: number[] = [];
    for (let i = 0; i < 200; i++) {
      const permits: ConcurrencyPermit[] = [];
      for (let p = limiter.tryAcquire(); p; p = limiter.tryAcquire()) permits.push(p);
      clock.advance(100);
      permits.forEach((p, n) => {
        if (n < cap) return p.succeeded();
        refused++;
        p.backPressure({ retryAfterMs: 100, tooManyRequests: true });
        p.release();
      });
      clock.advance(limiter.pausedForMs());
      limits.push(limiter.limit);
    }
    expect(limits.slice(100).every((l) => l <= cap + 1)).toBe(true);
    expect(limits.slice(100).filter((l) => l === cap).length).toBeGreaterThan(80);
    expect(refused).toBeLessThan(15);
  });

  it('rejects a wait when the signal aborts', async () => {
    const limiter = new AdaptiveConcurrency({ initial: 1 });
    const held = limiter.tryAcquire()!;
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort(new Error('stopped'));
    await expect(waiting).rejects.toThrow('stopped');
    held.release();
    expect(limiter.inFlight).toBe(0);
  });
});
