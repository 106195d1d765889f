/**
 * `pipe auth login sfdc`: the OAuth 2.0 web-server flow as the Salesforce CLI runs it, an
 * authorization code with PKCE (S256) delivered to a loopback callback server on 127.0.0.1 whose
 * port is chosen at run time. The refresh token it yields goes into the shared encrypted
 * credential store (service "sfdc", account = username), where `auth: { type: refresh-token }`
 * finds it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CredentialUrlGuard, HttpClient, InterruptedError, type LoginIO, type LoginProvider } from '@pipe/core';
import { DEFAULT_LOGIN_URL } from '../config';
import { SfdcError } from '../errors';
import { CREDENTIAL_SERVICE, type SavedSfdcLogin } from './refresh-token';
import { requestToken } from './token-endpoint';

/** The Salesforce CLI's own connected app; any app with a loopback callback and PKCE works. */
export const DEFAULT_WEB_LOGIN_CLIENT_ID = 'PlatformCLI';
const CALLBACK_PATH = '/OauthRedirect';
const DEFAULT_TIMEOUT_MS = 5 * 60_000;

/** The browser sends the password to the login host, and we the code and the token: https only, or this machine. */
const loginUrls = new CredentialUrlGuard({ allowInsecureHttp: false, howToAllow: '' });

interface CallbackResult {
  readonly code: string;
}

function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function page(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', connection: 'close' });
  res.end(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>pipe</title></head><body><p>${text}</p></body></html>`);
}

/** Serves the callback once; resolves with the code when `state` matches. */
async function startCallbackServer(state: string, signal: AbortSignal, timeoutMs: number) {
  let settle!: { resolve: (r: CallbackResult) => void; reject: (e: Error) => void };
  const result = new Promise<CallbackResult>((resolve, reject) => (settle = { resolve, reject }));
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== CALLBACK_PATH) return page(res, 404, 'Not found.');
    if (url.searchParams.get('state') !== state) return page(res, 400, 'This login answer does not belong to the login in progress.');
    const error = url.searchParams.get('error');
    if (error) {
      page(res, 400, 'Login failed. You may close this window.');
      return settle.reject(new SfdcError('SFDC_LOGIN_FAILED', `Salesforce refused the login: ${error}: ${url.searchParams.get('error_description') ?? ''}`));
    }
    const code = url.searchParams.get('code');
    if (!code) return page(res, 400, 'The answer has no authorization code.');
    page(res, 200, 'Logged in to Salesforce. You may close this window and return to the terminal.');
    settle.resolve({ code });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const timer = setTimeout(
    () => settle.reject(new SfdcError('SFDC_LOGIN_FAILED', `no answer from the browser within ${Math.round(timeoutMs / 1000)} s`)),
    timeoutMs,
  );
  const onAbort = () => settle.reject(new InterruptedError('login cancelled'));
  signal.addEventListener('abort', onAbort, { once: true });
  const close = () => {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { redirectUri: `http://127.0.0.1:${port}${CALLBACK_PATH}`, result, close };
}

export interface WebServerLoginOptions {
  readonly loginUrl?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly timeoutMs?: number;
}

/** Runs the flow and saves the login; returns the username it was saved under. */
export async function webServerLogin(options: WebServerLoginOptions, io: LoginIO): Promise<{ account: string }> {
  const loginUrl = loginUrls.check((options.loginUrl ?? DEFAULT_LOGIN_URL).replace(/\/+$/, ''), 'the login host (--login-url)');
  const clientId = options.clientId ?? DEFAULT_WEB_LOGIN_CLIENT_ID;
  const { verifier, challenge } = pkcePair();
  const state = randomBytes(16).toString('base64url');
  const callback = await startCallbackServer(state, io.signal, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const http = new HttpClient({ timeoutMs: 60_000 });
  try {
    const authorize = new URL(`${loginUrl}/services/oauth2/authorize`);
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: callback.redirectUri,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      scope: 'api refresh_token',
      state,
    }).toString();
    io.say('Open this URL in a browser and log in to Salesforce:');
    io.say(authorize.toString());
    const { code } = await callback.result;

    const secrets = { add: () => undefined, redact: (t: string) => t };
    const token = await requestToken(
      { http, secrets, retry: { attempts: 3, initialDelayMs: 500, maxDelayMs: 5000 }, urls: loginUrls },
      'web-server',
      loginUrl,
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: callback.redirectUri,
        client_id: clientId,
        client_secret: options.clientSecret,
        code_verifier: verifier,
      },
      io.signal,
    );
    if (!token.refresh_token) {
      throw new SfdcError('SFDC_LOGIN_FAILED', 'Salesforce issued no refresh token: add the "refresh_token, offline_access" scope to the connected app');
    }
    loginUrls.check(token.instance_url, 'the org URL (instance_url) Salesforce answered');
    const username = token.id ? await identityUsername(http, token.id, token.access_token, io.signal) : undefined;
    const account = username ?? new URL(token.instance_url).host;
    const saved: SavedSfdcLogin = {
      refreshToken: token.refresh_token,
      clientId,
      ...(options.clientSecret ? { clientSecret: options.clientSecret } : {}),
      instanceUrl: token.instance_url,
      loginUrl,
    };
    await io.credentials.set(CREDENTIAL_SERVICE, account, { ...saved });
    io.say(`Logged in as ${account} (${token.instance_url}); the refresh token is saved in ${io.credentials.file}.`);
    return { account };
  } finally {
    await callback.close();
    await http.close();
  }
}

/** The username behind a token, from its identity URL. */
async function identityUsername(http: HttpClient, idUrl: string, accessToken: string, signal: AbortSignal): Promise<string | undefined> {
  try {
    loginUrls.check(idUrl, 'the identity URL');
    const identity = await http.json<{ username?: string }>({ method: 'GET', url: idUrl, headers: { authorization: `Bearer ${accessToken}` }, signal });
    return identity?.username;
  } catch {
    return undefined;
  }
}

export const sfdcLogin: LoginProvider = {
  summary: 'Log in to Salesforce in a browser (web-server flow with PKCE) and save the refresh token for `auth: { type: refresh-token }`.',
  options: {
    'login-url': { description: `Login host: ${DEFAULT_LOGIN_URL} (default), https://test.salesforce.com or a My Domain URL.` },
    'client-id': {
      description: `Consumer key of a connected app with a loopback callback ${CALLBACK_PATH} and PKCE; default ${DEFAULT_WEB_LOGIN_CLIENT_ID}, the Salesforce CLI's app.`,
    },
    'client-secret': { description: 'Consumer secret, when the app requires one for the web-server flow.', secret: true },
  },
  login: (options, io) => webServerLogin({ loginUrl: options['login-url'], clientId: options['client-id'], clientSecret: options['client-secret'] }, io),
};
