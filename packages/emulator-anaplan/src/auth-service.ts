/**
 * auth.anaplan.com: `/token/authenticate` (Basic or CACertificate), `/token/refresh`,
 * `/token/validate`, `/token/logout`. These four reject `Bearer` (validate/refresh 400,
 * logout 401), as the OAS auth README records.
 */
import { authError, empty, json, type EmulatorResponse } from './envelope';
import type { CertificateVerifier } from './certificate-auth';
import type { EmulatorUrls } from './emulator-urls';
import type { EmulatorUser } from './options';
import type { RequestLog } from './request-log';
import type { Route, RouteContext } from './router';
import { guidFor, humanReason, parseAuthorization, type IssuedToken, type TokenStore } from './token-store';

export class AuthService {
  constructor(
    private readonly users: readonly EmulatorUser[],
    private readonly certificates: CertificateVerifier,
    private readonly tokens: TokenStore,
    private readonly log: RequestLog,
    private readonly urls: EmulatorUrls,
  ) {}

  routes(): Route[] {
    return [
      { method: 'POST', pattern: '/token/authenticate', name: 'token.authenticate', handler: (ctx) => this.authenticate(ctx) },
      { method: 'POST', pattern: '/token/refresh', name: 'token.refresh', handler: (ctx) => this.refresh(ctx) },
      { method: 'GET', pattern: '/token/validate', name: 'token.validate', handler: (ctx) => this.validate(ctx) },
      { method: 'POST', pattern: '/token/logout', name: 'token.logout', handler: (ctx) => this.logout(ctx) },
    ];
  }

  private authenticate(ctx: RouteContext): EmulatorResponse {
    const auth = parseAuthorization(ctx.headers.authorization);
    const scheme = auth?.scheme.toLowerCase();
    if (auth === undefined || (scheme !== 'basic' && scheme !== 'cacertificate')) {
      return authError(400, 'FAILURE_BAD_HEADER', 'Authorization header must be "Basic …" or "CACertificate …"');
    }
    if (scheme === 'basic') {
      const decoded = Buffer.from(auth.credentials, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon === -1) return authError(400, 'FAILURE_BAD_HEADER', 'Basic credentials must be base64(user:password)');
      const username = decoded.slice(0, colon);
      const password = decoded.slice(colon + 1);
      const user = this.users.find((u) => u.username === username && u.password === password);
      if (user === undefined) return authError(401, 'FAILURE_BAD_CREDENTIAL', 'Invalid username or password');
      this.log.login('basic');
      return this.tokenAnswer(201, this.tokens.issue(user.username, 'auth-service'), 'Login successful');
    }
    let body: unknown;
    try {
      body = ctx.body.length === 0 ? undefined : JSON.parse(ctx.body.toString('utf8'));
    } catch {
      return authError(400, 'FAILURE_BAD_REQUEST', 'Body must be JSON with encodedData and encodedSignedData');
    }
    const verdict = this.certificates.verify(auth.credentials, body);
    if (!verdict.ok) {
      if (verdict.kind === 'bad-header') return authError(400, 'FAILURE_BAD_HEADER', verdict.message);
      if (verdict.kind === 'bad-request') return authError(400, 'FAILURE_BAD_REQUEST', verdict.message);
      return authError(401, 'FAILURE_BAD_CREDENTIAL', verdict.message);
    }
    this.log.login('certificate');
    return this.tokenAnswer(201, this.tokens.issue(verdict.userId, 'auth-service'), 'Login successful');
  }

  private refresh(ctx: RouteContext): EmulatorResponse {
    const token = this.requireAnaplanToken(ctx, 400);
    if (!('tokenId' in token)) return token;
    this.tokens.extend(token);
    this.log.login('tokenRefresh');
    return this.tokenAnswer(200, token, 'Token refreshed');
  }

  private validate(ctx: RouteContext): EmulatorResponse {
    const token = this.requireAnaplanToken(ctx, 400);
    if (!('tokenId' in token)) return token;
    return json(200, {
      meta: { validationUrl: `${this.urls.url}/token/validate` },
      status: 'SUCCESS',
      statusMessage: 'Token validated',
      tokenInfo: { expiresAt: token.expiresAt, tokenId: token.tokenId, refreshTokenId: token.refreshTokenId },
      userInfo: { userGuid: guidFor(`user:${token.userId}`), userId: token.userId, customerGuid: guidFor('customer:acme') },
    });
  }

  private logout(ctx: RouteContext): EmulatorResponse {
    const token = this.requireAnaplanToken(ctx, 401);
    if (!('tokenId' in token)) return token;
    this.tokens.revoke(token.value);
    return empty(204);
  }

  /** Only `AnaplanAuthToken` is accepted here; `bearerStatus` is what a Bearer header gets. */
  private requireAnaplanToken(ctx: RouteContext, bearerStatus: number): IssuedToken | EmulatorResponse {
    const auth = parseAuthorization(ctx.headers.authorization);
    const scheme = auth?.scheme.toLowerCase();
    if (scheme === 'bearer') return authError(bearerStatus, 'FAILURE_BAD_HEADER', 'Bearer tokens are not accepted by the auth service; use AnaplanAuthToken');
    if (auth === undefined || scheme !== 'anaplanauthtoken') return authError(401, 'FAILURE_BAD_HEADER', 'Authorization: AnaplanAuthToken {token} is required');
    const check = this.tokens.check(auth.credentials);
    if (!check.ok) return authError(401, 'FAILURE_BAD_CREDENTIAL', humanReason(check.reason));
    return check.token;
  }

  private tokenAnswer(status: number, token: IssuedToken, statusMessage: string): EmulatorResponse {
    return json(status, {
      meta: { validationUrl: `${this.urls.url}/token/validate` },
      status: 'SUCCESS',
      statusMessage,
      tokenInfo: {
        tokenId: token.tokenId,
        tokenValue: token.value,
        expiresAt: token.expiresAt,
        refreshTokenId: token.refreshTokenId,
      },
    });
  }
}
