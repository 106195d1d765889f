/**
 * Anaplan's authentication service (`https://auth.anaplan.com/token/...`): the login calls of the
 * basic and certificate modes, and `/token/refresh`, which extends a live token.
 * Tokens come back as `tokenInfo.tokenValue` with `expiresAt` in epoch milliseconds.
 */
import { HttpStatusError } from '@pipe/core';
import { AnaplanAuthError } from '../errors';
import { joinUrl, parseJson, withRetries, type AnaplanTransport } from '../http/transport';
import type { AccessToken } from './token-provider';

interface AuthServiceAnswer {
  readonly status?: string;
  readonly statusMessage?: string;
  readonly tokenInfo?: { readonly tokenValue?: string; readonly expiresAt?: number };
}

/** `POST /token/authenticate` with the mode's Authorization header (and body, for certificates). */
export function authenticate(
  transport: AnaplanTransport,
  authUrl: string,
  authorization: string,
  body: unknown,
  signal: AbortSignal,
  who: string,
): Promise<AccessToken> {
  return tokenCall(transport, joinUrl(authUrl, '/token/authenticate'), authorization, body, signal, `login (${who})`);
}

/** `POST /token/refresh`: the same or a new token with a later expiry. */
export function refreshAuthToken(transport: AnaplanTransport, authUrl: string, token: string, signal: AbortSignal): Promise<AccessToken> {
  return tokenCall(transport, joinUrl(authUrl, '/token/refresh'), `AnaplanAuthToken ${token}`, undefined, signal, 'token refresh');
}

async function tokenCall(
  transport: AnaplanTransport,
  url: string,
  authorization: string,
  body: unknown,
  signal: AbortSignal,
  what: string,
): Promise<AccessToken> {
  const text = await withRetries(
    transport,
    async () => {
      const response = await transport.http.request({
        method: 'POST',
        url,
        headers: {
          authorization,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
      const answer = await response.body.text();
      // A redirect is not followed (the credentials would go along): it fails the login.
      if (response.statusCode >= 300) {
        const error = transport.http.statusError({ method: 'POST', url }, response.statusCode, answer, response.headers);
        if (response.statusCode === 401 || response.statusCode === 400 || response.statusCode === 403) {
          throw new AnaplanAuthError(`Anaplan ${what} was refused: ${authFailure(answer, response.statusCode)}`, { cause: error });
        }
        throw error;
      }
      return answer;
    },
    signal,
  ).catch((error: unknown) => {
    if (error instanceof HttpStatusError) throw new AnaplanAuthError(`Anaplan ${what} failed: ${error.message}`, { cause: error });
    throw error;
  });
  const parsed = parseJson<AuthServiceAnswer>(text, `Anaplan ${what}`);
  const value = parsed.tokenInfo?.tokenValue;
  if (!value) throw new AnaplanAuthError(`Anaplan ${what} answered without a token (${parsed.status ?? 'no status'})`);
  return { value, expiresAt: typeof parsed.tokenInfo?.expiresAt === 'number' ? parsed.tokenInfo.expiresAt : undefined };
}

/** `FAILURE_BAD_CREDENTIAL: Invalid credentials` from the auth service's error body. */
function authFailure(body: string, status: number): string {
  try {
    const parsed = JSON.parse(body) as AuthServiceAnswer;
    if (parsed.status || parsed.statusMessage) return [parsed.status, parsed.statusMessage].filter(Boolean).join(': ');
  } catch {
    // not JSON: fall through to the status
  }
  return `HTTP ${status}`;
}
