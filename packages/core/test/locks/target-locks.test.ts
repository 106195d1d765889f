import { InterruptedError } from '../../src';
import { InProcessTargetLocks } from '../../src/engine';

const owner = (name: string, signal = new AbortController().signal) => ({ owner: name, signal });

describe('InProcessTargetLocks', () => {
  it('a second holder of the same key waits until the first releases', async () => {
    const locks = new InProcessTargetLocks();
    const events: string[] = [];
    const first = await locks.acquire(['file:1'], owner('a'));
    const second = locks.acquire(['file:1'], owner('b')).then((lease) => (events.push('b granted'), lease));
    await new Promise((r) => setImmediate(r));
    events.push('a releases');
    await first.release();
    await (await second).release();
    expect(events).toEqual(['a releases', 'b granted']);
  });

  it('different keys do not wait for each other', async () => {
    const locks = new InProcessTargetLocks();
    const a = await locks.acquire(['file:1'], owner('a'));
    const b = await locks.acquire(['file:2'], owner('b'));
    await Promise.all([a.release(), b.release()]);
  });

  it('grants waiters in arrival order, and a waiter names who holds the key', async () => {
    const locks = new InProcessTargetLocks();
    const granted: string[] = [];
    const waitedFor: string[] = [];
    const first = await locks.acquire(['k'], owner('a'));
    const later = ['b', 'c', 'd'].map((name) =>
      locks.acquire(['k'], { ...owner(name), onWait: (key, heldBy) => waitedFor.push(`${name} waits for ${key} held by ${heldBy}`) }).then(async (lease) => {
        granted.push(name);
        await lease.release();
      }),
    );
    await first.release();
    await Promise.all(later);
    expect(granted).toEqual(['b', 'c', 'd']);
    expect(waitedFor[0]).toBe('b waits for k held by a');
  });

  it('an owner may take a key it already holds (a sink locking what its pipeline holds)', async () => {
    const locks = new InProcessTargetLocks();
    const outer = await locks.acquire(['k'], owner('a'));
    const inner = await locks.acquire(['k'], owner('a'));
    await inner.release();
    let otherGranted = false;
    const other = locks.acquire(['k'], owner('b')).then((lease) => ((otherGranted = true), lease));
    await new Promise((r) => setImmediate(r));
    expect(otherGranted).toBe(false);
    await outer.release();
    await (await other).release();
    expect(otherGranted).toBe(true);
  });

  it('an owner takes a key it holds again at once, even while another owner waits for it', async () => {
    const locks = new InProcessTargetLocks();
    const outer = await locks.acquire(['k'], owner('a'));
    const other = locks.acquire(['k'], owner('b'));
    const inner = await locks.acquire(['k'], owner('a'));
    await inner.release();
    await outer.release();
    await (await other).release();
  });

  it('several keys are taken together or not at all', async () => {
    const locks = new InProcessTargetLocks();
    const holdsY = await locks.acquire(['y'], owner('a'));
    let gotBoth = false;
    const both = locks.acquire(['x', 'y'], owner('b')).then((lease) => ((gotBoth = true), lease));
    await new Promise((r) => setImmediate(r));
    expect(gotBoth).toBe(false);
    // x is not held while b waits for y: c could take it, but must queue behind b (arrival order).
    let cGranted = false;
    const c = locks.acquire(['x'], owner('c')).then((lease) => ((cGranted = true), lease));
    await new Promise((r) => setImmediate(r));
    expect(cGranted).toBe(false);
    await holdsY.release();
    await (await both).release();
    await (await c).release();
    expect([gotBoth, cGranted]).toEqual([true, true]);
  });

  it('stops waiting when its signal aborts, and the key stays usable', async () => {
    const locks = new InProcessTargetLocks();
    const held = await locks.acquire(['k'], owner('a'));
    const controller = new AbortController();
    const waiting = locks.acquire(['k'], owner('b', controller.signal));
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(InterruptedError);
    await held.release();
    await (await locks.acquire(['k'], owner('c'))).release();
  });

  it('releasing twice frees the key once', async () => {
    const locks = new InProcessTargetLocks();
    const a1 = await locks.acquire(['k'], owner('a'));
    const a2 = await locks.acquire(['k'], owner('a'));
    await a1.release();
    await a1.release();
    let bGranted = false;
    const b = locks.acquire(['k'], owner('b')).then((lease) => ((bGranted = true), lease));
    await new Promise((r) => setImmediate(r));
    expect(bGranted).toBe(false);
    await a2.release();
    await (await b).release();
  });
});
