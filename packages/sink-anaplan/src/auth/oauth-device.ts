/**
 * OAuth 2.0 device grant against Anaplan's OAuth host (`/oauth/device/code`, `/oauth/token`).
 *
 * `pipe auth login anaplan --client-id ...` runs the device flow once and saves the refresh token
 * in the encrypted credential store; runs then trade it for access tokens unattended.
 * Rotatable clients answer every refresh with a new refresh token and the old one dies: the new
 * one is written to the store (atomically, under its lock) before the access token is used, and
 * the grant itself runs under that lock so two runs never spend the same token.
 */
import { sleep, type CredentialSecret, type CredentialStore, type CredentialUrlGuard, type Logger, type SecretRegistry } from '@pipe/core';
import { AnaplanAuthError } from '../errors';
import { jsonRequest, joinUrl, parseJson, withRetries, type AnaplanTransport } from '../http/transport';
import type { AccessToken, TokenIssuer } from './token-provider';

/** Service name of Anaplan entries in the credential store. */
export const CREDENTIAL_SERVICE = 'anaplan';
const DEVICE_SCOPE = 'openid profile email offline_access';
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export interface DeviceCode {
  readonly device_code: string;
  readonly user_code: string;
  readonly verification_uri: string;
  readonly verification_uri_complete?: string;
  readonly expires_in: number;
  readonly interval?: number;
}

export interface OAuthTokens {
  readonly access_token: string;
  readonly refresh_token?: string;
  readonly id_token?: string;
  readonly expires_in?: number;
}

/** What `pipe auth login anaplan --client-id` saves. */
export interface SavedOAuthLogin extends CredentialSecret {
  readonly kind: 'oauth';
  readonly clientId: string;
  readonly refreshToken: string;
  readonly oauthUrl: string;
}

interface OAuthErrorBody {
  readonly error?: string;
  readonly error_description?: string;
}

interface OAuthAnswer<T> {
  readonly ok: boolean;
  readonly status: number;
  readonly value?: T;
  readonly error?: OAuthErrorBody;
}

/** POST a JSON body to the OAuth host; OAuth errors (4xx with `error`) come back as values, not exceptions. */
async function oauthPost<T>(transport: AnaplanTransport, url: string, body: unknown, signal: AbortSignal, timeoutMs?: number): Promise<OAuthAnswer<T>> {
  return withRetries(
    transport,
    async () => {
      const request = { ...jsonRequest('POST', url, body), signal, timeoutMs };
      const response = await transport.http.request(request);
      const text = await response.body.text();
      if (response.statusCode < 300) return { ok: true, status: response.statusCode, value: parseJson<T>(text, `POST ${url}`) };
      // A redirect is not followed (the refresh token would go along): it is an error like a 5xx.
      if (response.statusCode >= 400 && response.statusCode < 500 && response.statusCode !== 429) {
        let error: OAuthErrorBody = {};
        try {
          error = JSON.parse(text) as OAuthErrorBody;
        } catch {
          error = { error: `http_${response.statusCode}`, error_description: text.slice(0, 200) };
        }
        return { ok: false, status: response.statusCode, error };
      }
      throw transport.http.statusError(request, response.statusCode, text, response.headers);
    },
    signal,
  );
}

export async function requestDeviceCode(transport: AnaplanTransport, oauthUrl: string, clientId: string, signal: AbortSignal): Promise<DeviceCode> {
  const answer = await oauthPost<DeviceCode>(transport, joinUrl(oauthUrl, '/oauth/device/code'), { client_id: clientId, scope: DEVICE_SCOPE }, signal);
  if (!answer.ok || !answer.value?.device_code) {
    throw new AnaplanAuthError(`Anaplan refused to start the device login for client ${clientId}: ${describe(answer.error)}`);
  }
  return answer.value;
}

/** Poll `/oauth/token` at the server's interval until the user approves, denies, or the code expires. */
export async function awaitDeviceApproval(
  transport: AnaplanTransport,
  oauthUrl: string,
  clientId: string,
  code: DeviceCode,
  signal: AbortSignal,
  now: () => number = Date.now,
): Promise<OAuthTokens> {
  let intervalMs = Math.max(1, code.interval ?? 5) * 1000;
  const deadline = now() + code.expires_in * 1000;
  const url = joinUrl(oauthUrl, '/oauth/token');
  for (;;) {
    await sleep(intervalMs, signal);
    const answer = await oauthPost<OAuthTokens>(transport, url, { client_id: clientId, device_code: code.device_code, grant_type: DEVICE_GRANT }, signal);
    if (answer.ok && answer.value?.access_token) return answer.value;
    const error = answer.error?.error;
    if (error === 'authorization_pending' && now() < deadline) continue;
    if (error === 'slow_down' && now() < deadline) {
      // RFC 8628 3.5: add 5 seconds to the interval for this and all later requests.
      intervalMs += 5000;
      continue;
    }
    if (error === 'authorization_pending' || error === 'expired_token') {
      throw new AnaplanAuthError('the device code expired before it was approved; run the login again');
    }
    if (error === 'access_denied') throw new AnaplanAuthError('the device login was denied in the browser');
    throw new AnaplanAuthError(`Anaplan device login failed: ${describe(answer.error)}`);
  }
}

/** Trade a refresh token for an access token (and, with rotation, a new refresh token). */
export async function refreshGrant(
  transport: AnaplanTransport,
  oauthUrl: string,
  clientId: string,
  refreshToken: string,
  signal: AbortSignal,
  timeoutMs?: number,
): Promise<OAuthTokens> {
  const answer = await oauthPost<OAuthTokens>(
    transport,
    joinUrl(oauthUrl, '/oauth/token'),
    { client_id: clientId, refresh_token: refreshToken, grant_type: 'refresh_token' },
    signal,
    timeoutMs,
  );
  if (answer.ok && answer.value?.access_token) return answer.value;
  throw new AnaplanAuthError(
    `Anaplan refused the saved refresh token (${describe(answer.error)}); run \`pipe auth login anaplan --client-id ${clientId}\` again`,
  );
}

export function isSavedOAuthLogin(secret: CredentialSecret | undefined): secret is SavedOAuthLogin {
  return !!secret && secret.kind === 'oauth' && typeof secret.refreshToken === 'string' && typeof secret.clientId === 'string';
}

/** The saved OAuth login to use: the named account, or the only one (for `clientId` when given). */
export async function findSavedOAuthLogin(store: CredentialStore, account?: string, clientId?: string): Promise<{ account: string; login: SavedOAuthLogin }> {
  const hint = `run \`pipe auth login anaplan --client-id ${clientId ?? '<client id>'}\` first`;
  if (account) {
    const secret = await store.get(CREDENTIAL_SERVICE, account);
    if (!isSavedOAuthLogin(secret)) throw new AnaplanAuthError(`no saved Anaplan OAuth login for account "${account}" in ${store.file}; ${hint}`);
    return { account, login: secret };
  }
  const candidates: { account: string; login: SavedOAuthLogin }[] = [];
  for (const entry of await store.list()) {
    if (entry.service !== CREDENTIAL_SERVICE) continue;
    const secret = await store.get(CREDENTIAL_SERVICE, entry.account);
    if (isSavedOAuthLogin(secret) && (!clientId || secret.clientId === clientId)) candidates.push({ account: entry.account, login: secret });
  }
  if (candidates.length === 1) return candidates[0];
  if (candidates.length === 0) throw new AnaplanAuthError(`no saved Anaplan OAuth login in ${store.file}; ${hint}`);
  throw new AnaplanAuthError(`several saved Anaplan OAuth logins (${candidates.map((c) => c.account).join(', ')}); set auth.account to one of them`);
}

export interface OAuthRefreshLogin {
  readonly oauthUrl: string;
  readonly store: CredentialStore;
  readonly account?: string;
  readonly clientId?: string;
  /** A refresh token from the config instead of the store. */
  readonly refreshToken?: string;
  /** Checks the OAuth host a saved login was made on before its refresh token goes there. */
  readonly urls: CredentialUrlGuard;
}

/** The credential store's lock goes stale after 30 s; a refresh grant under it must finish sooner. */
const REFRESH_TIMEOUT_MS = 20_000;

export function oauthIssuer(login: OAuthRefreshLogin, transport: AnaplanTransport, secrets: SecretRegistry, log?: Logger): TokenIssuer {
  const toAccessToken = (tokens: OAuthTokens, started: number): AccessToken => {
    secrets.add(tokens.access_token);
    return { value: tokens.access_token, expiresAt: tokens.expires_in ? started + tokens.expires_in * 1000 : undefined };
  };

  if (login.refreshToken) {
    if (!login.clientId) throw new AnaplanAuthError('auth.refreshToken needs auth.clientId', { exitCode: 2 });
    const clientId = login.clientId;
    let refreshToken = login.refreshToken;
    secrets.add(refreshToken);
    return {
      description: `OAuth client ${clientId}`,
      async login(signal) {
        const started = Date.now();
        const tokens = await refreshGrant(transport, login.oauthUrl, clientId, refreshToken, signal);
        if (tokens.refresh_token && tokens.refresh_token !== refreshToken) {
          secrets.add(tokens.refresh_token);
          log?.warn(
            'Anaplan rotated the refresh token given in the config; the new one is used for this run only. Use `pipe auth login anaplan` for rotatable clients.',
          );
          refreshToken = tokens.refresh_token;
        }
        return toAccessToken(tokens, started);
      },
    };
  }

  return {
    description: `OAuth ${login.account ?? 'saved login'}`,
    async login(signal) {
      const { account, login: saved } = await findSavedOAuthLogin(login.store, login.account, login.clientId);
      secrets.add(saved.refreshToken);
      let tokens: OAuthTokens | undefined;
      const started = Date.now();
      // Under the store's lock: read the newest refresh token, spend it, and write its successor
      // before anyone can use the access token. A failed grant writes nothing.
      await login.store.update(CREDENTIAL_SERVICE, account, async (current) => {
        const live = isSavedOAuthLogin(current) ? current : saved;
        secrets.add(live.refreshToken);
        const oauthUrl = live.oauthUrl ? login.urls.check(live.oauthUrl, `the OAuth host saved with login ${account}`) : login.oauthUrl;
        tokens = await refreshGrant(transport, oauthUrl, live.clientId, live.refreshToken, signal, REFRESH_TIMEOUT_MS);
        secrets.add(tokens.refresh_token);
        if (!tokens.refresh_token || tokens.refresh_token === live.refreshToken) return live;
        return { ...live, refreshToken: tokens.refresh_token };
      });
      if (!tokens) throw new AnaplanAuthError('the OAuth refresh produced no token');
      return toAccessToken(tokens, started);
    },
  };
}

function describe(error: OAuthErrorBody | undefined): string {
  if (!error) return 'no answer';
  return [error.error, error.error_description].filter(Boolean).join(': ') || 'unknown error';
}
