/**
 * Access tokens shared by the auth service, the OAuth host and the Integration API: whoever
 * issued a token, the Integration API accepts it (as `AnaplanAuthToken` or `Bearer`).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';

export type TokenOrigin = 'auth-service' | 'oauth';

export interface IssuedToken {
  tokenId: string;
  value: string;
  userId: string;
  refreshTokenId: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  revoked: boolean;
  origin: TokenOrigin;
}

export type TokenCheck = { ok: true; token: IssuedToken } | { ok: false; reason: 'missing' | 'unknown' | 'expired' | 'revoked' };

export interface AuthorizationHeader {
  scheme: string;
  credentials: string;
}

/** Splits `Authorization: <scheme> <credentials>`; the scheme keeps its case for logging. */
export function parseAuthorization(header: string | undefined): AuthorizationHeader | undefined {
  if (header === undefined) return undefined;
  const trimmed = header.trim();
  const space = trimmed.indexOf(' ');
  if (space <= 0) return undefined;
  return { scheme: trimmed.slice(0, space), credentials: trimmed.slice(space + 1).trim() };
}

export class TokenStore {
  private readonly byValue = new Map<string, IssuedToken>();

  constructor(private readonly ttlSeconds: number) {}

  issue(userId: string, origin: TokenOrigin, now = Date.now()): IssuedToken {
    const token: IssuedToken = {
      tokenId: randomUUID(),
      value: randomBytes(32).toString('base64url'),
      userId,
      refreshTokenId: randomUUID(),
      expiresAt: now + this.ttlSeconds * 1000,
      revoked: false,
      origin,
    };
    this.byValue.set(token.value, token);
    return token;
  }

  check(value: string | undefined, now = Date.now()): TokenCheck {
    if (value === undefined || value.length === 0) return { ok: false, reason: 'missing' };
    const token = this.byValue.get(value);
    if (token === undefined) return { ok: false, reason: 'unknown' };
    if (token.revoked) return { ok: false, reason: 'revoked' };
    if (now >= token.expiresAt) return { ok: false, reason: 'expired' };
    return { ok: true, token };
  }

  /** The live service keeps the token string on refresh and only moves the expiry (OAS auth README). */
  extend(token: IssuedToken, now = Date.now()): void {
    token.expiresAt = now + this.ttlSeconds * 1000;
  }

  revoke(value: string): boolean {
    const token = this.byValue.get(value);
    if (token === undefined) return false;
    token.revoked = true;
    return true;
  }

  /** Revokes every token, as a password change or an admin action would. */
  revokeAll(): void {
    for (const token of this.byValue.values()) token.revoked = true;
  }

  get ttl(): number {
    return this.ttlSeconds;
  }
}

/** A stable 32-hex GUID per user id, so `/token/validate` and `/users/me` agree across runs. */
export function guidFor(seed: string): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, 32);
}

export function humanReason(reason: Exclude<TokenCheck, { ok: true }>['reason']): string {
  switch (reason) {
    case 'missing':
      return 'Authentication token is missing';
    case 'unknown':
      return 'Authentication token is invalid';
    case 'expired':
      return 'Authentication token has expired';
    case 'revoked':
      return 'Authentication token has been revoked';
  }
}
