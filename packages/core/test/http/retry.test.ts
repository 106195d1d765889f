import { HttpStatusError, isTransientNetworkError, retry, retryAfterMs } from '../../src';

describe('retry and HTTP errors', () => {
  it('recognises transient network errors by code, through causes, whatever realm made them', () => {
    expect(isTransientNetworkError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransientNetworkError(new Error('fetch failed', { cause: { code: 'UND_ERR_SOCKET' } }))).toBe(true);
    expect(isTransientNetworkError(Object.assign(new Error('nope'), { code: 'ENOENT' }))).toBe(false);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs('Wed, 21 Oct 2026 07:28:10 GMT', Date.parse('Wed, 21 Oct 2026 07:28:00 GMT'))).toBe(10_000);
    expect(new HttpStatusError('PUT', 'http://x', 429, 'slow down', { 'retry-after': '1' }).retryAfterMs).toBe(1000);
  });

  it('retries what the classifier allows, honours the server delay, and gives up after the last attempt', async () => {
    const delays: number[] = [];
    let calls = 0;
    const work = async () => {
      calls++;
      throw new HttpStatusError('PUT', 'http://x', 429, 'busy', { 'retry-after': '0' });
    };
    await expect(
      retry(work, {
        attempts: 3,
        initialDelayMs: 1,
        maxDelayMs: 5,
        classify: (e) => (e instanceof HttpStatusError ? { retry: true, delayMs: e.retryAfterMs, reason: 'busy' } : { retry: false }),
        onRetry: ({ delayMs }) => delays.push(delayMs),
      }),
    ).rejects.toThrow('answered 429: busy');
    expect(calls).toBe(3);
    expect(delays).toEqual([0, 0]);
  });
});
