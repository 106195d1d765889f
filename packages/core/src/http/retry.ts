/**
 * Retry with exponential backoff and full jitter (delay = random(0, min(max, initial * 2^n))),
 * honouring a server-given delay such as Retry-After when the caller reports one.
 */
import { InterruptedError } from '../errors';

export interface RetryPolicy {
  /** Tries in all, the first included. */
  readonly attempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

export type RetryDecision = { retry: false } | { retry: true; delayMs?: number; reason: string };

export interface RetryOptions extends RetryPolicy {
  readonly signal?: AbortSignal;
  /** Whether `error` deserves another try, and after how long if the server said. */
  classify(error: unknown, attempt: number): RetryDecision;
  onRetry?(info: { attempt: number; delayMs: number; reason: string; error: unknown }): void;
  /** For tests: a random source in [0, 1). */
  readonly random?: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, initialDelayMs: 500, maxDelayMs: 30_000 };

export function backoffDelay(policy: RetryPolicy, retryNumber: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** retryNumber);
  return Math.round(random() * ceiling);
}

export async function retry<T>(work: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason ?? error;
      const decision = options.classify(error, attempt);
      if (!decision.retry || attempt >= options.attempts) throw error;
      const delayMs = decision.delayMs ?? backoffDelay(options, attempt - 1, options.random);
      options.onRetry?.({ attempt, delayMs, reason: decision.reason, error });
      await sleep(Math.min(delayMs, Math.max(options.maxDelayMs, delayMs)), options.signal);
    }
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject((signal.reason as Error | undefined) ?? new InterruptedError());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject((signal?.reason as Error | undefined) ?? new InterruptedError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
