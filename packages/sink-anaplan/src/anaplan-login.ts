/**
 * `pipe auth login anaplan`: save what unattended runs need in the encrypted credential store.
 *
 * - `--client-id ID`: OAuth device grant. Shows the verification URL and user code, polls
 *   `/oauth/token` at the server's interval until the user approves, saves the refresh token.
 * - `-o username=U -o password=P`: checks the password with one basic login, then saves it, for
 *   pipelines whose `auth: {type: basic}` leaves the password out.
 */
import { CredentialUrlGuard, DEFAULT_RETRY, ExitCode, HttpClient, PipeError, type LoginIO, type LoginProvider } from '@pipe/core';
import { basicIssuer } from './auth/basic';
import { awaitDeviceApproval, CREDENTIAL_SERVICE, requestDeviceCode, type SavedOAuthLogin } from './auth/oauth-device';
import type { AnaplanTransport } from './http/transport';

const DEFAULT_OAUTH_URL = 'https://us1a.app.anaplan.com';
const DEFAULT_AUTH_URL = 'https://auth.anaplan.com';

/** A login sends a password or mints a refresh token: https only, or this machine (the emulator). */
const loginUrls = new CredentialUrlGuard({ allowInsecureHttp: false, howToAllow: '' });

export const anaplanLogin: LoginProvider = {
  summary: 'Log in to Anaplan once (OAuth device grant, or a saved password) for unattended runs.',
  options: {
    'client-id': { description: 'Device-grant OAuth client id (from the Anaplan administration console).' },
    username: { description: 'Save a password for basic login instead.' },
    password: { description: 'The password to save with --username.', secret: true },
    account: { description: 'Name to save the login under (default: the user e-mail, or the client id).' },
    'login-url': { description: `OAuth host for --client-id (default ${DEFAULT_OAUTH_URL}), auth service host for --username (default ${DEFAULT_AUTH_URL}).` },
    'oauth-url': { description: 'Same as --login-url, for --client-id.' },
    'auth-url': { description: 'Same as --login-url, for --username.' },
  },
  async login(options, io) {
    const http = new HttpClient({ timeoutMs: 60_000 });
    const transport: AnaplanTransport = { http, retry: DEFAULT_RETRY, signal: io.signal };
    try {
      if (options['client-id']) return await deviceLogin(options['client-id'], options, io, transport);
      if (options.username) return await passwordLogin(options.username, options, io, transport);
      throw new PipeError('give --client-id (OAuth device login), or -o username=... -o password=... (a password to save)', {
        code: 'USAGE',
        exitCode: ExitCode.Usage,
      });
    } finally {
      await http.close();
    }
  },
};

async function deviceLogin(
  clientId: string,
  options: Record<string, string | undefined>,
  io: LoginIO,
  transport: AnaplanTransport,
): Promise<{ account: string }> {
  const oauthUrl = loginUrls.check(options['oauth-url'] ?? options['login-url'] ?? DEFAULT_OAUTH_URL, 'the OAuth host (--oauth-url)');
  const code = await requestDeviceCode(transport, oauthUrl, clientId, io.signal);
  io.say(`Open ${code.verification_uri_complete ?? code.verification_uri} in a browser`);
  io.say(`and confirm the code ${code.user_code} (valid for ${Math.round(code.expires_in / 60)} minutes).`);
  const tokens = await awaitDeviceApproval(transport, oauthUrl, clientId, code, io.signal);
  if (!tokens.refresh_token) {
    throw new PipeError('Anaplan returned no refresh token: the OAuth client must allow refresh tokens (offline_access)', {
      code: 'ANAPLAN_AUTH_FAILED',
    });
  }
  const account = options.account ?? emailFromIdToken(tokens.id_token) ?? clientId;
  const saved: SavedOAuthLogin = { kind: 'oauth', clientId, refreshToken: tokens.refresh_token, oauthUrl };
  await io.credentials.set(CREDENTIAL_SERVICE, account, saved);
  io.say(`Logged in; the refresh token is saved (encrypted) as anaplan/${account}.`);
  return { account };
}

async function passwordLogin(
  username: string,
  options: Record<string, string | undefined>,
  io: LoginIO,
  transport: AnaplanTransport,
): Promise<{ account: string }> {
  const password = options.password;
  if (!password) throw new PipeError('-o password=... is required with -o username=...', { code: 'USAGE', exitCode: ExitCode.Usage });
  const ignoredSecrets = { add: () => undefined, redact: (text: string) => text };
  const authUrl = loginUrls.check(options['auth-url'] ?? options['login-url'] ?? DEFAULT_AUTH_URL, 'the auth service host (--auth-url)');
  const issuer = basicIssuer({ username, password, authUrl }, transport, ignoredSecrets);
  await issuer.login(io.signal);
  await io.credentials.set(CREDENTIAL_SERVICE, username, { kind: 'basic', password });
  io.say(`Password checked and saved (encrypted) as anaplan/${username}.`);
  return { account: username };
}

/** The `email` claim of an OpenID id_token, read without verification (it only names the account). */
function emailFromIdToken(idToken: string | undefined): string | undefined {
  const payload = idToken?.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { email?: unknown };
    return typeof claims.email === 'string' && claims.email ? claims.email : undefined;
  } catch {
    return undefined;
  }
}
