/**
 * The login host: OAuth 2.0 token endpoint (JWT bearer, client credentials, refresh token,
 * username-password, authorization code with PKCE), the auto-approving authorize endpoint for the
 * web-server flow, token revocation, and the identity/userinfo resources (sfdc.md (b)).
 */
import { createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { OAuthError, oauthErrors } from './errors';
import { bearerToken, htmlPage, readForm, send, sendHtml, sendJson, sendRedirect, type Exchange } from './http-io';
import { checkAudienceAndExpiry, readUnverifiedClaims, verifyRs256Signature } from './jwt';
import { pkceS256, type Session } from './sessions';
import { jwtAudiences, type EmulatorState, type GrantFlow, type ResolvedApp, type ResolvedUser } from './state';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** Token responses must never be cached (headers as Salesforce sends them). */
const NO_STORE = { 'cache-control': 'no-cache,must-revalidate,max-age=0,no-store,private', pragma: 'no-cache' };

interface ClientCredentials {
  readonly clientId?: string;
  readonly clientSecret?: string;
}

/** Client id and secret from the form, or from HTTP Basic auth (both are accepted by Salesforce). */
function clientCredentials(req: IncomingMessage, form: URLSearchParams): ClientCredentials {
  const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      return { clientId: decodeURIComponent(decoded.slice(0, colon)), clientSecret: decodeURIComponent(decoded.slice(colon + 1)) };
    }
  }
  return { clientId: form.get('client_id') ?? undefined, clientSecret: form.get('client_secret') ?? undefined };
}

function requireApp(state: EmulatorState, clientId: string | undefined): ResolvedApp {
  const app = clientId === undefined ? undefined : state.apps.get(clientId);
  if (app === undefined) throw oauthErrors.unknownClient();
  return app;
}

function requireSecret(app: ResolvedApp, secret: string | undefined): void {
  if (app.clientSecret === undefined || secret !== app.clientSecret) throw oauthErrors.badClientSecret();
}

function findUser(state: EmulatorState, username: string | undefined | null): ResolvedUser | undefined {
  return username ? state.users.get(username.toLowerCase()) : undefined;
}

function grantsRefreshToken(scopes: readonly string[]): boolean {
  return scopes.includes('refresh_token') || scopes.includes('offline_access');
}

/** The success body: field set and order as Salesforce returns them. */
function tokenBody(
  state: EmulatorState,
  app: ResolvedApp,
  user: ResolvedUser,
  session: Session,
  scopes: readonly string[],
  refreshToken?: string,
): Record<string, string> {
  const id = `${state.baseUrl}/id/${state.orgId}/${user.userId}`;
  const issuedAt = String(session.issuedAt);
  // Salesforce signs id + issued_at with the consumer secret so clients can check the response.
  const signature = createHmac('sha256', app.clientSecret ?? state.orgId)
    .update(id + issuedAt)
    .digest('base64');
  return {
    access_token: session.id,
    ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
    signature,
    scope: scopes.join(' '),
    instance_url: state.baseUrl,
    id,
    token_type: 'Bearer',
    issued_at: issuedAt,
  };
}

function openSession(state: EmulatorState, app: ResolvedApp, user: ResolvedUser): Session {
  return state.sessions.issue(user.username, app.sessionKind ?? 'api', app.clientId);
}

function jwtBearerGrant(state: EmulatorState, form: URLSearchParams): Record<string, string> {
  const assertion = form.get('assertion');
  if (!assertion) throw oauthErrors.missingParameter('assertion');
  const claims = readUnverifiedClaims(assertion);
  const app = requireApp(state, claims.iss);
  if (app.jwtKey === undefined) throw oauthErrors.invalidAssertion();
  verifyRs256Signature(assertion, app.jwtKey);
  checkAudienceAndExpiry(claims, jwtAudiences(state), state.now());
  const user = findUser(state, claims.sub);
  const approved = app.approvedUsernames === undefined || app.approvedUsernames.some((u) => u.toLowerCase() === claims.sub.toLowerCase());
  if (user === undefined || !approved) throw oauthErrors.userNotApproved();
  // No refresh token: the client mints a new assertion instead (sfdc.md (b)).
  return tokenBodyWithoutRefreshToken(state, app, user);
}

/** A new session for the flows that issue no refresh token (JWT bearer, client credentials, password). */
function tokenBodyWithoutRefreshToken(state: EmulatorState, app: ResolvedApp, user: ResolvedUser): Record<string, string> {
  return tokenBody(
    state,
    app,
    user,
    openSession(state, app, user),
    app.scopes.filter((s) => s !== 'refresh_token'),
  );
}

function clientCredentialsGrant(state: EmulatorState, client: ClientCredentials): Record<string, string> {
  const app = requireApp(state, client.clientId);
  requireSecret(app, client.clientSecret);
  const user = findUser(state, app.runAsUsername);
  if (user === undefined) throw oauthErrors.noClientCredentialsUser();
  return tokenBodyWithoutRefreshToken(state, app, user);
}

function passwordGrant(state: EmulatorState, form: URLSearchParams, client: ClientCredentials): Record<string, string> {
  const app = requireApp(state, client.clientId);
  requireSecret(app, client.clientSecret);
  // A blocked flow answers exactly like a wrong password (H-BLOCK; Login History tells them apart).
  if (state.passwordFlowBlocked) throw oauthErrors.authenticationFailure();
  const user = findUser(state, form.get('username'));
  if (user === undefined || user.password === undefined || form.get('password') !== user.password + (user.securityToken ?? '')) {
    throw oauthErrors.authenticationFailure();
  }
  return tokenBodyWithoutRefreshToken(state, app, user);
}

function refreshTokenGrant(state: EmulatorState, form: URLSearchParams, client: ClientCredentials): Record<string, string> {
  const app = requireApp(state, client.clientId);
  if (app.requireSecretForRefreshTokenFlow !== false || client.clientSecret !== undefined) requireSecret(app, client.clientSecret);
  const grant = state.sessions.lookupRefreshToken(form.get('refresh_token') ?? '');
  const user = grant === undefined ? undefined : findUser(state, grant.username);
  if (grant === undefined || grant.clientId !== app.clientId || user === undefined) throw oauthErrors.expiredRefreshToken();
  // Without refresh-token rotation Salesforce returns no new refresh token.
  return tokenBody(state, app, user, openSession(state, app, user), grant.scopes);
}

function authorizationCodeGrant(state: EmulatorState, form: URLSearchParams, client: ClientCredentials): Record<string, string> {
  const app = requireApp(state, client.clientId);
  if (app.requireSecretForWebServerFlow !== false || client.clientSecret !== undefined) requireSecret(app, client.clientSecret);
  const grant = state.sessions.consumeCode(form.get('code') ?? '');
  if (grant === 'expired') throw oauthErrors.expiredAuthorizationCode();
  if (grant === undefined || grant.clientId !== app.clientId) throw oauthErrors.invalidAuthorizationCode();
  if (form.get('redirect_uri') !== grant.redirectUri) throw oauthErrors.redirectUriMismatch();
  if (grant.codeChallenge !== undefined) {
    const verifier = form.get('code_verifier');
    if (!verifier || pkceS256(verifier) !== grant.codeChallenge) throw oauthErrors.invalidCodeVerifier();
  }
  const user = findUser(state, grant.username);
  if (user === undefined) throw oauthErrors.invalidAuthorizationCode();
  const refreshToken = grantsRefreshToken(grant.scopes) ? state.sessions.issueRefreshToken(user.username, app.clientId, grant.scopes) : undefined;
  return tokenBody(state, app, user, openSession(state, app, user), grant.scopes, refreshToken);
}

const GRANTS: Readonly<Record<string, GrantFlow>> = {
  [JWT_BEARER]: 'jwt-bearer',
  client_credentials: 'client_credentials',
  password: 'password',
  refresh_token: 'refresh_token',
  authorization_code: 'authorization_code',
};

/** POST /services/oauth2/token */
export async function handleToken(state: EmulatorState, ex: Exchange): Promise<void> {
  try {
    if (ex.req.method !== 'POST') throw oauthErrors.mustPost();
    const form = await readForm(ex.req);
    const grantType = form.get('grant_type') ?? '';
    ex.record.grantType = grantType;
    const flow = GRANTS[grantType];
    if (flow === undefined) throw oauthErrors.unsupportedGrant();
    const client = clientCredentials(ex.req, form);
    let body: Record<string, string>;
    switch (flow) {
      case 'jwt-bearer':
        body = jwtBearerGrant(state, form);
        break;
      case 'client_credentials':
        body = clientCredentialsGrant(state, client);
        break;
      case 'password':
        body = passwordGrant(state, form, client);
        break;
      case 'refresh_token':
        body = refreshTokenGrant(state, form, client);
        break;
      case 'authorization_code':
        body = authorizationCodeGrant(state, form, client);
        break;
    }
    state.grants[flow] += 1;
    sendJson(ex, 200, body, NO_STORE);
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    sendJson(ex, error.status, { error: error.error, error_description: error.description }, NO_STORE);
  }
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Exact match, or for loopback callbacks the same scheme and path on any port (RFC 8252 7.3). */
function callbackAllowed(app: ResolvedApp, redirectUri: string): boolean {
  let wanted: URL;
  try {
    wanted = new URL(redirectUri);
  } catch {
    return false;
  }
  return (app.callbackUrls ?? []).some((allowed) => {
    if (allowed === redirectUri) return true;
    const url = new URL(allowed);
    return LOOPBACK_HOSTS.has(url.hostname) && LOOPBACK_HOSTS.has(wanted.hostname) && url.protocol === wanted.protocol && url.pathname === wanted.pathname;
  });
}

function redirectWith(ex: Exchange, redirectUri: string, params: Record<string, string | undefined>): void {
  const target = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) target.searchParams.set(key, value);
  sendRedirect(ex, target.toString());
}

/**
 * GET /services/oauth2/authorize: the web-server flow without a browser. The configured user
 * (or a known login_hint) approves at once and the browser is sent straight to redirect_uri.
 */
export function handleAuthorize(state: EmulatorState, ex: Exchange): void {
  const q = ex.url.searchParams;
  const app = state.apps.get(q.get('client_id') ?? '');
  const redirectUri = q.get('redirect_uri') ?? '';
  // Before redirect_uri is trusted, errors render as a page, never as a redirect.
  if (app === undefined) return sendHtml(ex, 400, htmlPage('Error', '<p>error=invalid_client_id</p><p>client identifier invalid</p>'));
  if (!callbackAllowed(app, redirectUri))
    return sendHtml(ex, 400, htmlPage('Error', '<p>error=redirect_uri_mismatch</p><p>redirect_uri must match configuration</p>'));
  const stateParam = q.get('state') ?? undefined;
  if (q.get('response_type') !== 'code') {
    return redirectWith(ex, redirectUri, { error: 'unsupported_response_type', error_description: 'response type not supported', state: stateParam });
  }
  const challenge = q.get('code_challenge') ?? undefined;
  const method = q.get('code_challenge_method') ?? (challenge === undefined ? undefined : 'S256');
  if (method !== undefined && method !== 'S256') {
    return redirectWith(ex, redirectUri, { error: 'invalid_request', error_description: 'invalid code_challenge_method', state: stateParam });
  }
  const requested = (q.get('scope') ?? '').split(/\s+/).filter((s) => s !== '');
  const unknownScope = requested.find((s) => !app.scopes.includes(s) && s !== 'full' && s !== 'id' && s !== 'openid');
  if (unknownScope !== undefined) {
    return redirectWith(ex, redirectUri, {
      error: 'invalid_scope',
      error_description: `the requested scope is not allowed: ${unknownScope}`,
      state: stateParam,
    });
  }
  const user = findUser(state, q.get('login_hint')) ?? findUser(state, state.authorizeUsername);
  if (user === undefined) return sendHtml(ex, 500, htmlPage('Error', '<p>authorizeUsername is not a known user</p>'));
  const code = state.sessions.issueCode({
    clientId: app.clientId,
    username: user.username,
    redirectUri,
    scopes: requested.length > 0 ? requested : app.scopes,
    codeChallenge: challenge,
    codeChallengeMethod: method,
  });
  redirectWith(ex, redirectUri, { code, state: stateParam });
}

/** Session behind the bearer token of an identity call; answers 403 Bad_OAuth_Token otherwise (a Guess on the exact body). */
function identitySession(state: EmulatorState, ex: Exchange): { session: Session; user: ResolvedUser } | undefined {
  const session = state.sessions.lookup(bearerToken(ex.req));
  const user = session === undefined ? undefined : findUser(state, session.username);
  if (session === undefined || user === undefined) {
    send(ex, 403, { 'content-type': 'text/plain;charset=UTF-8' }, 'Bad_OAuth_Token');
    return undefined;
  }
  return { session, user };
}

function urls(state: EmulatorState, user: ResolvedUser): Record<string, string> {
  const v = state.apiVersion;
  return {
    rest: `${state.baseUrl}/services/data/v${v}/`,
    query: `${state.baseUrl}/services/data/v${v}/query/`,
    sobjects: `${state.baseUrl}/services/data/v${v}/sobjects/`,
    profile: `${state.baseUrl}/${user.userId}`,
  };
}

/** GET|POST /services/oauth2/userinfo (OpenID Connect shape). */
export function handleUserInfo(state: EmulatorState, ex: Exchange): void {
  const found = identitySession(state, ex);
  if (found === undefined) return;
  const { user } = found;
  sendJson(ex, 200, {
    sub: `${state.baseUrl}/id/${state.orgId}/${user.userId}`,
    user_id: user.userId,
    organization_id: state.orgId,
    preferred_username: user.username,
    nickname: user.username.split('@')[0],
    name: user.displayName,
    email: user.email ?? user.username,
    email_verified: true,
    zoneinfo: 'GMT',
    locale: 'en_US',
    user_type: 'STANDARD',
    active: true,
    urls: urls(state, user),
  });
}

/** GET /id/{orgId}/{userId}: the identity URL returned as `id` in token responses. */
export function handleIdentity(state: EmulatorState, ex: Exchange, orgId: string, userId: string): void {
  const found = identitySession(state, ex);
  if (found === undefined) return;
  const { user } = found;
  if (orgId !== state.orgId || userId !== user.userId) {
    send(ex, 403, { 'content-type': 'text/plain;charset=UTF-8' }, 'Bad_Id');
    return;
  }
  sendJson(ex, 200, {
    id: `${state.baseUrl}/id/${state.orgId}/${user.userId}`,
    asserted_user: true,
    user_id: user.userId,
    organization_id: state.orgId,
    username: user.username,
    nick_name: user.username.split('@')[0],
    display_name: user.displayName,
    email: user.email ?? user.username,
    active: true,
    user_type: 'STANDARD',
    language: 'en_US',
    locale: 'en_US',
    utcOffset: 0,
    urls: urls(state, user),
  });
}

/** POST /services/oauth2/revoke (token=...): ends a session or revokes a refresh token. */
export async function handleRevoke(state: EmulatorState, ex: Exchange): Promise<void> {
  const form = await readForm(ex.req);
  if (state.sessions.revoke(form.get('token') ?? ex.url.searchParams.get('token') ?? '')) return send(ex, 200, {});
  sendJson(ex, 400, { error: 'unsupported_token_type', error_description: 'this token type is not supported' });
}
