/**
 * One access token shared by every concurrent request of a run.
 *
 * - Single flight: however many requests need a token at once, one login or refresh runs and they
 *   all await it. Anaplan asks for one token per 35-minute session, and a rotatable OAuth refresh
 *   token must never be spent twice.
 * - Proactive: a token is renewed shortly before it expires (its own expiry, or the configured TTL
 *   if sooner), so long uploads do not stall on 401s.
 * - After a 401 the caller reports the token it sent; only the first report for that token starts a
 *   new login, later ones (concurrent requests that sent the same token) await that login.
 */
import type { Logger, SecretRegistry } from '@pipe/core';

export interface AccessToken {
  readonly value: string;
  /** Epoch milliseconds when Anaplan stops accepting it, when the server said. */
  readonly expiresAt?: number;
}

/** One way to obtain tokens: a full login, and optionally a cheaper extension of a live token. */
export interface TokenIssuer {
  /** For log lines and errors, e.g. `basic login as ops@acme.com`. */
  readonly description: string;
  login(signal: AbortSignal): Promise<AccessToken>;
  /** Extend `current` (auth service `/token/refresh`). Absent: renewal is a new login. */
  refresh?(current: AccessToken, signal: AbortSignal): Promise<AccessToken>;
}

export interface TokenProviderOptions {
  /** Longest a token is used, whatever the server says. */
  readonly ttlMs: number;
  readonly secrets: SecretRegistry;
  readonly log?: Logger;
  readonly now?: () => number;
}

/** Renew this long before expiry: five minutes, as Anaplan Connect does, or a fifth of a short TTL. */
const MAX_REFRESH_MARGIN_MS = 5 * 60_000;

interface HeldToken {
  readonly value: string;
  readonly expiresAt: number;
  readonly renewAt: number;
}

export class TokenProvider {
  private current: HeldToken | undefined;
  private pending: Promise<HeldToken> | undefined;
  private readonly now: () => number;
  /** Logins and refreshes performed, for the run summary and tests. */
  readonly stats = { logins: 0, refreshes: 0, rejections: 0 };

  constructor(
    private readonly issuer: TokenIssuer,
    private readonly options: TokenProviderOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** A token valid for a while yet. */
  async token(signal: AbortSignal): Promise<string> {
    const held = this.current;
    if (held && this.now() < held.renewAt) return held.value;
    if (held && this.now() < held.expiresAt && this.issuer.refresh) return (await this.renew('refresh', signal)).value;
    return (await this.renew('login', signal)).value;
  }

  /** Anaplan answered 401 to a request sent with `rejected`: a token that works, from one shared login. */
  async afterRejection(rejected: string, signal: AbortSignal): Promise<string> {
    this.stats.rejections++;
    if (this.pending) await this.pending.catch(() => undefined);
    if (this.current && this.current.value !== rejected) return this.current.value;
    if (this.current?.value === rejected) this.current = undefined;
    return (await this.renew('login', signal)).value;
  }

  private renew(kind: 'login' | 'refresh', signal: AbortSignal): Promise<HeldToken> {
    this.pending ??= this.obtain(kind, signal).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async obtain(kind: 'login' | 'refresh', signal: AbortSignal): Promise<HeldToken> {
    const started = this.now();
    let token: AccessToken;
    const held = this.current;
    if (kind === 'refresh' && held && this.issuer.refresh) {
      try {
        token = await this.issuer.refresh({ value: held.value, expiresAt: held.expiresAt }, signal);
        this.stats.refreshes++;
      } catch (error) {
        if (signal.aborted) throw error;
        this.options.log?.warn(`Anaplan token refresh failed (${(error as Error).message}); logging in again`);
        token = await this.issuer.login(signal);
        this.stats.logins++;
      }
    } else {
      token = await this.issuer.login(signal);
      this.stats.logins++;
    }
    this.options.secrets.add(token.value);
    const expiresAt = Math.min(token.expiresAt ?? Number.POSITIVE_INFINITY, started + this.options.ttlMs);
    const lifetime = Math.max(0, expiresAt - started);
    const renewAt = expiresAt - Math.min(MAX_REFRESH_MARGIN_MS, lifetime / 5);
    this.current = { value: token.value, expiresAt, renewAt };
    this.options.log?.debug(`Anaplan ${kind === 'refresh' ? 'token refreshed' : 'login'} (${this.issuer.description}), valid ${Math.round(lifetime / 1000)}s`);
    return this.current;
  }
}
