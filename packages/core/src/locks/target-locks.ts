/**
 * Exclusive targets: while one pipeline loads a target (an Anaplan file from its first chunk to
 * the end of the import that reads it), no other pipeline may touch it, or the two uploads
 * interleave and one input is silently never imported.
 *
 * `TargetLocks` is the seam: the engine and plugins ask it for leases by key, and the store
 * behind it decides who waits. `InProcessTargetLocks` serves one `pipe run`; a shared store
 * (Redis, for workers on many machines) implements the same interface.
 */
import { InterruptedError } from '../errors';

/** A held set of targets; release it exactly once (a second call does nothing). */
export interface TargetLease {
  release(): Promise<void>;
}

export interface AcquireOptions {
  /** Who holds the lease, for messages (`pipeline "sales"`). A holder may take a key it already holds. */
  readonly owner: string;
  /** Stops waiting with an InterruptedError when aborted. */
  readonly signal: AbortSignal;
  /** Called once if the lease is not free at once: which key is held, and by whom. */
  readonly onWait?: (key: string, heldBy: string) => void;
}

export interface TargetLocks {
  /** Wait until none of `keys` is held by another owner, then hold them all at once. */
  acquire(keys: readonly string[], options: AcquireOptions): Promise<TargetLease>;
}

interface Waiter {
  readonly keys: readonly string[];
  readonly owner: string;
  readonly grant: () => void;
}

/** Leases within one process, granted first come, first served. */
export class InProcessTargetLocks implements TargetLocks {
  /** key -> owner and how many leases of that owner hold it. */
  private readonly held = new Map<string, { owner: string; count: number }>();
  private readonly waiting: Waiter[] = [];

  async acquire(keys: readonly string[], options: AcquireOptions): Promise<TargetLease> {
    const unique = [...new Set(keys)];
    if (options.signal.aborted) throw new InterruptedError();
    // Waiters queue in order: a later request never overtakes an earlier one for the same key,
    // except for keys the owner already holds (queueing behind its own waiters would deadlock).
    const wanted = unique.filter((k) => this.held.get(k)?.owner !== options.owner);
    if (!this.free(wanted, options.owner) || this.waiting.some((w) => w.owner !== options.owner && w.keys.some((k) => wanted.includes(k)))) {
      const blocker = unique.find((k) => this.held.has(k) && this.held.get(k)!.owner !== options.owner) ?? unique[0];
      options.onWait?.(blocker, this.held.get(blocker)?.owner ?? 'an earlier waiter');
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = { keys: unique, owner: options.owner, grant: () => (options.signal.removeEventListener('abort', onAbort), resolve()) };
        const onAbort = () => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          reject(new InterruptedError());
          this.grantWaiting();
        };
        options.signal.addEventListener('abort', onAbort, { once: true });
        this.waiting.push(waiter);
        this.grantWaiting();
      });
    } else {
      this.take(unique, options.owner);
    }
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        for (const key of unique) {
          const entry = this.held.get(key)!;
          if (--entry.count === 0) this.held.delete(key);
        }
        this.grantWaiting();
      },
    };
  }

  private free(keys: readonly string[], owner: string): boolean {
    return keys.every((k) => !this.held.has(k) || this.held.get(k)!.owner === owner);
  }

  private take(keys: readonly string[], owner: string): void {
    for (const key of keys) {
      const entry = this.held.get(key);
      if (entry) entry.count++;
      else this.held.set(key, { owner, count: 1 });
    }
  }

  /** Grant waiters in arrival order; one blocked waiter keeps later ones off its keys. */
  private grantWaiting(): void {
    const blocked = new Set<string>();
    for (let i = 0; i < this.waiting.length;) {
      const w = this.waiting[i];
      if (this.free(w.keys, w.owner) && !w.keys.some((k) => blocked.has(k))) {
        this.waiting.splice(i, 1);
        this.take(w.keys, w.owner);
        w.grant();
      } else {
        for (const k of w.keys) blocked.add(k);
        i++;
      }
    }
  }
}
