/**
 * Verification of the JWT bearer assertion (sfdc.md (b), H-JWT): RS256 only, signature checked
 * against the connected app's certificate or public key, then iss / sub (or prn) / aud / exp.
 * Each failure maps to the error text Salesforce answers for it.
 */
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { oauthErrors } from './errors';

export interface JwtClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: readonly string[];
  readonly exp: number;
}

/** Salesforce allows three minutes of clock skew on exp (sfdc.md (b)). */
const EXP_SKEW_SECONDS = 180;

/** A public key from an X.509 certificate PEM, an SPKI public key PEM or a private key PEM. */
export function publicKeyFromPem(pem: string): KeyObject {
  return createPublicKey(pem);
}

function decodeJsonSegment(segment: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through: malformed
  }
  throw oauthErrors.invalidAssertion();
}

/** Decodes claims without trusting them: the issuer is needed to find the key that verifies them. */
export function readUnverifiedClaims(assertion: string): JwtClaims {
  const parts = assertion.split('.');
  if (parts.length !== 3) throw oauthErrors.invalidAssertion();
  const claims = decodeJsonSegment(parts[1]);
  const sub = typeof claims.sub === 'string' ? claims.sub : claims.prn; // prn: legacy name for sub
  const aud = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
  const exp = typeof claims.exp === 'string' ? Number(claims.exp) : claims.exp;
  if (typeof claims.iss !== 'string' || typeof sub !== 'string' || typeof exp !== 'number' || !Number.isFinite(exp)) {
    throw oauthErrors.invalidAssertion();
  }
  return { iss: claims.iss, sub, aud: aud.filter((a): a is string => typeof a === 'string'), exp };
}

/** Throws OAuthError unless the header says RS256 and the signature verifies with the key. */
export function verifyRs256Signature(assertion: string, key: KeyObject): void {
  const [header, payload, signature] = assertion.split('.') as [string, string, string];
  if (decodeJsonSegment(header).alg !== 'RS256') throw oauthErrors.invalidAssertion();
  const ok = verify('RSA-SHA256', Buffer.from(`${header}.${payload}`, 'ascii'), key, Buffer.from(signature, 'base64url'));
  if (!ok) throw oauthErrors.invalidAssertion();
}

function normaliseAudience(aud: string): string {
  return aud.replace(/\/+$/, '').toLowerCase();
}

/** Throws OAuthError when no audience is allowed or the assertion has expired. */
export function checkAudienceAndExpiry(claims: JwtClaims, allowedAudiences: readonly string[], nowMs: number): void {
  const allowed = new Set(allowedAudiences.map(normaliseAudience));
  if (!claims.aud.some((a) => allowed.has(normaliseAudience(a)))) throw oauthErrors.audienceInvalid();
  // exp in milliseconds (as the sf CLI sends it) is simply far in the future, and accepted.
  if (claims.exp + EXP_SKEW_SECONDS < nowMs / 1000) throw oauthErrors.expiredAuthorizationCode();
}

export interface JwtAssertionClaims {
  /** Connected app client id. */
  readonly iss: string;
  /** Salesforce username. */
  readonly sub: string;
  /** Login URL, e.g. the emulator URL or https://login.salesforce.com. */
  readonly aud: string;
  /** Expiry in seconds since the epoch; default now + 3 minutes. */
  readonly exp?: number;
}

/** Signs an RS256 JWT bearer assertion, as a client would; for tests and demos. */
export function signJwtAssertion(privateKeyPem: string, claims: JwtAssertionClaims): string {
  const header = Buffer.from(JSON.stringify({ alg: 'RS256' })).toString('base64url');
  const payload = Buffer.from(
    JSON.stringify({ iss: claims.iss, sub: claims.sub, aud: claims.aud, exp: claims.exp ?? Math.floor(Date.now() / 1000) + 180 }),
  ).toString('base64url');
  const signature = sign('RSA-SHA256', Buffer.from(`${header}.${payload}`, 'ascii'), privateKeyPem).toString('base64url');
  return `${header}.${payload}.${signature}`;
}
