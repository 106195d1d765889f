import { Redactor, sleep } from '@pipe/core';
import { TokenProvider, type AccessToken, type TokenIssuer } from '../../src/auth/token-provider';

/** An issuer that counts calls and answers after a tick, so concurrent callers overlap. */
function countingIssuer(lifetimeMs: number, now: () => number) {
  const calls = { login: 0, refresh: 0 };
  const issuer: TokenIssuer = {
    description: 'test',
    async login(): Promise<AccessToken> {
      calls.login++;
      await sleep(10);
      return { value: `login-token-${calls.login}`, expiresAt: now() + lifetimeMs };
    },
    async refresh(): Promise<AccessToken> {
      calls.refresh++;
      await sleep(10);
      return { value: `refreshed-token-${calls.refresh}`, expiresAt: now() + lifetimeMs };
    },
  };
  return { issuer, calls };
}

const signal = new AbortController().signal;

describe('TokenProvider', () => {
  it('fifty concurrent requests share one login', async () => {
    const { issuer, calls } = countingIssuer(60_000, Date.now);
    const provider = new TokenProvider(issuer, { ttlMs: 2_100_000, secrets: new Redactor() });
    const tokens = await Promise.all(Array.from({ length: 50 }, () => provider.token(signal)));
    expect(new Set(tokens)).toEqual(new Set(['login-token-1']));
    expect(calls).toEqual({ login: 1, refresh: 0 });
  });

  it('fifty concurrent 401s for the same token cause exactly one re-login', async () => {
    const { issuer, calls } = countingIssuer(60_000, Date.now);
    const provider = new TokenProvider(issuer, { ttlMs: 2_100_000, secrets: new Redactor() });
    const first = await provider.token(signal);
    const renewed = await Promise.all(Array.from({ length: 50 }, () => provider.afterRejection(first, signal)));
    expect(new Set(renewed)).toEqual(new Set(['login-token-2']));
    expect(calls.login).toBe(2);
    // A late 401 for the old token does not log in again.
    expect(await provider.afterRejection(first, signal)).toBe('login-token-2');
    expect(calls.login).toBe(2);
  });

  it('refreshes shortly before expiry, once, and never uses a token past the configured TTL', async () => {
    let clock = 1_000_000;
    const now = () => clock;
    const { issuer, calls } = countingIssuer(35 * 60_000, now);
    const secrets = new Redactor();
    const provider = new TokenProvider(issuer, { ttlMs: 100_000, secrets, now });
    expect(await provider.token(signal)).toBe('login-token-1');
    clock += 70_000; // well inside the 100 s TTL
    expect(await provider.token(signal)).toBe('login-token-1');
    clock += 15_000; // within the last fifth of the TTL: refresh, single flight
    const refreshed = await Promise.all([provider.token(signal), provider.token(signal), provider.token(signal)]);
    expect(new Set(refreshed)).toEqual(new Set(['refreshed-token-1']));
    expect(calls).toEqual({ login: 1, refresh: 1 });
    clock += 200_000; // past expiry: a refresh would be too late, log in again
    expect(await provider.token(signal)).toBe('login-token-2');
    // Every token obtained is registered as a secret.
    expect(secrets.redact('login-token-1 refreshed-token-1 login-token-2')).toBe('[redacted] [redacted] [redacted]');
  });

  it('falls back to a full login when the refresh call fails', async () => {
    let clock = 0;
    const issuer: TokenIssuer = {
      description: 'test',
      login: async () => ({ value: `login-${clock}`, expiresAt: clock + 100_000 }),
      refresh: async () => {
        throw new Error('refresh refused');
      },
    };
    const provider = new TokenProvider(issuer, { ttlMs: 2_100_000, secrets: new Redactor(), now: () => clock });
    expect(await provider.token(signal)).toBe('login-0');
    clock = 90_000;
    expect(await provider.token(signal)).toBe('login-90000');
  });
});
