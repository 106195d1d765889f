/**
 * Sessions and the credentials that mint them: access tokens (session ids), refresh tokens and
 * one-time authorization codes. Session ids look like real ones ("{orgId15}!{random}") because
 * clients sometimes parse the org id out of them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { randomBase62, toId15 } from './ids';

/**
 * "api": works for REST and for the export's sid cookie (an OAuth token or API session).
 * "ui": works for the export only; REST answers "This session is not valid for use with the REST API".
 */
export type SessionKind = 'api' | 'ui';

export interface Session {
  readonly id: string;
  readonly username: string;
  readonly kind: SessionKind;
  /** Connected app that obtained it, if any. */
  readonly clientId?: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

export interface RefreshGrant {
  readonly token: string;
  readonly username: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
}

export interface AuthorizationCode {
  readonly code: string;
  readonly clientId: string;
  readonly username: string;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly codeChallenge?: string;
  readonly codeChallengeMethod?: string;
  readonly expiresAt: number;
}

/** Authorization codes live 15 minutes (Salesforce's documented validity). */
const CODE_TTL_MS = 15 * 60 * 1000;

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();
  private readonly codes = new Map<string, AuthorizationCode>();
  /** Spent codes; a second exchange is answered like an expired code, as Salesforce does. */
  private readonly usedCodes = new Set<string>();
  /** Every session id and refresh token ever issued, kept past expiry and revocation for tests that search output. */
  private readonly issued: string[] = [];

  constructor(
    private readonly orgId: string,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  issue(username: string, kind: SessionKind, clientId?: string): Session {
    const issuedAt = this.now();
    const session: Session = {
      id: `${toId15(this.orgId)}!AQ${randomBase62(94, randomBytes)}`,
      username,
      kind,
      clientId,
      issuedAt,
      expiresAt: issuedAt + this.ttlMs,
    };
    this.sessions.set(session.id, session);
    this.issued.push(session.id);
    return session;
  }

  /** The live session for an id; undefined when unknown or past its lifetime. */
  lookup(id: string | undefined): Session | undefined {
    if (id === undefined) return undefined;
    const session = this.sessions.get(id);
    if (session === undefined) return undefined;
    if (this.now() >= session.expiresAt) {
      this.sessions.delete(id);
      return undefined;
    }
    return session;
  }

  /** Ends every session; refresh tokens survive, as they do when a real session times out. */
  expireAll(): void {
    this.sessions.clear();
  }

  issueRefreshToken(username: string, clientId: string, scopes: readonly string[]): string {
    const token = `5Aep861${randomBase62(80, randomBytes)}`;
    this.refreshTokens.set(token, { token, username, clientId, scopes });
    this.issued.push(token);
    return token;
  }

  /** Session ids (access tokens) and refresh tokens issued so far, oldest first. */
  get issuedCredentials(): readonly string[] {
    return [...this.issued];
  }

  lookupRefreshToken(token: string): RefreshGrant | undefined {
    return this.refreshTokens.get(token);
  }

  /** Revokes a refresh token or ends a session, whichever the token is (POST /services/oauth2/revoke). */
  revoke(token: string): boolean {
    return this.refreshTokens.delete(token) || this.sessions.delete(token);
  }

  issueCode(grant: Omit<AuthorizationCode, 'code' | 'expiresAt'>): string {
    const code = `aPrx${randomBase62(60, randomBytes)}`;
    this.codes.set(code, { ...grant, code, expiresAt: this.now() + CODE_TTL_MS });
    return code;
  }

  /** One-time use: a code is gone after the first exchange, successful or not. */
  consumeCode(code: string): AuthorizationCode | 'expired' | undefined {
    if (this.usedCodes.has(code)) return 'expired';
    const grant = this.codes.get(code);
    if (grant === undefined) return undefined;
    this.codes.delete(code);
    this.usedCodes.add(code);
    return this.now() >= grant.expiresAt ? 'expired' : grant;
  }
}

/** PKCE S256: base64url(sha256(verifier)) must equal the challenge sent to /authorize. */
export function pkceS256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}
