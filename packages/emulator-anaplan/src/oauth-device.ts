/**
 * The OAuth host: device authorization grant (RFC 8628) and refresh grant, as Anaplan runs
 * them. The verification page is served by the emulator itself (`/activate`).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { escapeHtml, html, json, oauthError, type EmulatorResponse } from './envelope';
import type { EmulatorUrls } from './emulator-urls';
import type { OAuthClientConfig } from './options';
import type { RequestLog } from './request-log';
import type { Route, RouteContext } from './router';
import type { TokenStore } from './token-store';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** Anaplan drops `profile` from the granted scope (OAS oauth README). */
const GRANTED_SCOPE = 'openid email offline_access';
const USER_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
/** "By default … 43,000 seconds (equivalent to 12 hours)" — the community post's 12 h. */
const DEFAULT_ROTATABLE_REFRESH_TTL_SECONDS = 43_200;

interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  clientId: string;
  expiresAt: number;
  state: 'pending' | 'approved' | 'denied' | 'consumed';
  approvedBy?: string;
  lastPollAt?: number;
}

interface RefreshGrant {
  value: string;
  clientId: string;
  userId: string;
  expiresAt?: number;
  used: boolean;
}

export interface OAuthDeviceSettings {
  clients: readonly OAuthClientConfig[];
  autoApprove: boolean;
  deviceCodeTtlSeconds: number;
  pollIntervalSeconds: number;
  /** Who approves when nobody says (the first configured user). */
  defaultUserId: string;
}

export class OAuthDeviceService {
  private readonly byDeviceCode = new Map<string, DeviceAuthorization>();
  private readonly byUserCode = new Map<string, DeviceAuthorization>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();
  private readonly idTokenKey = randomBytes(32);

  constructor(
    private readonly settings: OAuthDeviceSettings,
    private readonly tokens: TokenStore,
    private readonly log: RequestLog,
    private readonly urls: EmulatorUrls,
    private readonly say: (line: string) => void,
  ) {}

  routes(): Route[] {
    return [
      { method: 'POST', pattern: '/oauth/device/code', name: 'oauth.device.code', handler: (ctx) => this.deviceCode(ctx) },
      { method: 'POST', pattern: '/oauth/token', name: 'oauth.token', handler: (ctx) => this.token(ctx) },
      { method: 'GET', pattern: '/activate', name: 'activate.page', handler: (ctx) => this.activatePage(ctx) },
      { method: 'POST', pattern: '/activate', name: 'activate.submit', handler: (ctx) => this.activateSubmit(ctx) },
    ];
  }

  /** Test hook: the user approved `userCode` (case and dash insensitive). Throws if unknown. */
  approve(userCode: string, userId = this.settings.defaultUserId): void {
    const device = this.byUserCode.get(normalizeUserCode(userCode));
    if (device === undefined) throw new Error(`Unknown device user code "${userCode}"`);
    if (device.state === 'pending') {
      device.state = 'approved';
      device.approvedBy = userId;
      this.say(`oauth: device ${device.userCode} approved for ${userId}`);
    }
  }

  private deviceCode(ctx: RouteContext): EmulatorResponse {
    const params = readParams(ctx);
    if (params === undefined) return oauthError(400, 'invalid_request', 'Body must be JSON or form-encoded');
    const client = this.client(params['client_id']);
    if (client === undefined) return oauthError(401, 'invalid_client', 'Unknown client_id');
    const userCode = newUserCode();
    const device: DeviceAuthorization = {
      deviceCode: randomBytes(32).toString('base64url'),
      userCode,
      clientId: client.clientId,
      expiresAt: Date.now() + this.settings.deviceCodeTtlSeconds * 1000,
      state: 'pending',
    };
    this.byDeviceCode.set(device.deviceCode, device);
    this.byUserCode.set(normalizeUserCode(userCode), device);
    if (this.settings.autoApprove) this.approve(userCode);
    const verificationUri = `${this.urls.url}/activate`;
    return json(200, {
      device_code: device.deviceCode,
      user_code: userCode,
      verification_uri: verificationUri,
      verification_uri_complete: `${verificationUri}?user_code=${encodeURIComponent(userCode)}`,
      expires_in: this.settings.deviceCodeTtlSeconds,
      interval: this.settings.pollIntervalSeconds,
    });
  }

  private token(ctx: RouteContext): EmulatorResponse {
    const params = readParams(ctx);
    if (params === undefined) return oauthError(400, 'invalid_request', 'Body must be JSON or form-encoded');
    const client = this.client(params['client_id']);
    if (client === undefined) return oauthError(401, 'invalid_client', 'Unknown client_id');
    switch (params['grant_type']) {
      case DEVICE_CODE_GRANT:
        return this.deviceCodeGrant(client, params['device_code']);
      case 'refresh_token':
        return this.refreshGrant(client, params['refresh_token']);
      default:
        return oauthError(400, 'unsupported_grant_type', `grant_type must be "${DEVICE_CODE_GRANT}" or "refresh_token"`);
    }
  }

  private deviceCodeGrant(client: OAuthClientConfig, deviceCode: string | undefined): EmulatorResponse {
    const device = deviceCode === undefined ? undefined : this.byDeviceCode.get(deviceCode);
    if (device === undefined || device.clientId !== client.clientId) return oauthError(400, 'invalid_grant', 'Unknown device_code');
    const now = Date.now();
    if (now >= device.expiresAt) return oauthError(400, 'expired_token', 'The device code has expired; request a new one');
    if (device.state === 'consumed') return oauthError(400, 'invalid_grant', 'The device code was already exchanged');
    if (device.state === 'denied') return oauthError(400, 'access_denied', 'The user denied the request');
    const lastPoll = device.lastPollAt;
    device.lastPollAt = now;
    if (lastPoll !== undefined && now - lastPoll < this.settings.pollIntervalSeconds * 1000) {
      return oauthError(400, 'slow_down', `Polling faster than every ${this.settings.pollIntervalSeconds} s`);
    }
    if (device.state === 'pending') return oauthError(400, 'authorization_pending', 'The user has not approved the request yet');
    device.state = 'consumed';
    this.log.login('deviceCode');
    return this.issue(client, device.approvedBy ?? this.settings.defaultUserId, undefined);
  }

  private refreshGrant(client: OAuthClientConfig, value: string | undefined): EmulatorResponse {
    const grant = value === undefined ? undefined : this.refreshTokens.get(value);
    if (grant === undefined || grant.clientId !== client.clientId) return oauthError(400, 'invalid_grant', 'Unknown refresh token');
    if (grant.used) return oauthError(400, 'invalid_grant', 'Refresh token was already used (rotated)');
    if (grant.expiresAt !== undefined && Date.now() >= grant.expiresAt) return oauthError(400, 'invalid_grant', 'Refresh token has expired');
    this.log.login('refreshToken');
    if (client.rotatable) {
      grant.used = true;
      return this.issue(client, grant.userId, undefined);
    }
    return this.issue(client, grant.userId, grant);
  }

  /** Access token (also valid on the Integration API), id_token, and a new or kept refresh token. */
  private issue(client: OAuthClientConfig, userId: string, keep: RefreshGrant | undefined): EmulatorResponse {
    const access = this.tokens.issue(userId, 'oauth');
    let refresh = keep;
    if (refresh === undefined) {
      const ttl = client.refreshTokenTtlSeconds ?? (client.rotatable ? DEFAULT_ROTATABLE_REFRESH_TTL_SECONDS : undefined);
      refresh = { value: randomBytes(32).toString('base64url'), clientId: client.clientId, userId, used: false };
      if (ttl !== undefined) refresh.expiresAt = Date.now() + ttl * 1000;
      this.refreshTokens.set(refresh.value, refresh);
    }
    return json(200, {
      access_token: access.value,
      id_token: this.idToken(client.clientId, userId, access.expiresAt),
      refresh_token: refresh.value,
      scope: GRANTED_SCOPE,
      expires_in: this.tokens.ttl,
      token_type: 'Bearer',
    });
  }

  private activatePage(ctx: RouteContext): EmulatorResponse {
    const code = ctx.query.get('user_code') ?? '';
    const device = this.byUserCode.get(normalizeUserCode(code));
    const state = device === undefined ? '' : `<p>Status: ${device.state}</p>`;
    return html(
      200,
      `<!doctype html><meta charset="utf-8"><title>Activate device</title>
<h1>Anaplan emulator: activate a device</h1>${state}
<form method="post" action="/activate">
<label>Code <input name="user_code" value="${escapeHtml(code)}"></label>
<button name="action" value="approve">Approve</button> <button name="action" value="deny">Deny</button>
</form>`,
    );
  }

  private activateSubmit(ctx: RouteContext): EmulatorResponse {
    const params = readParams(ctx) ?? {};
    const code = params['user_code'] ?? ctx.query.get('user_code') ?? '';
    const device = this.byUserCode.get(normalizeUserCode(code));
    if (device === undefined) return html(404, `<!doctype html><title>Unknown code</title><p>Unknown code ${escapeHtml(code)}.</p>`);
    if (params['action'] === 'deny') {
      if (device.state === 'pending') device.state = 'denied';
      return html(200, '<!doctype html><title>Denied</title><p>Device denied.</p>');
    }
    this.approve(code, params['username'] ?? this.settings.defaultUserId);
    return html(200, '<!doctype html><title>Approved</title><p>Device approved. You can return to your terminal.</p>');
  }

  private client(clientId: string | undefined): OAuthClientConfig | undefined {
    return this.settings.clients.find((c) => c.clientId === clientId);
  }

  /** A JWT-shaped id_token (HS256 with a per-run key); clients should not need to verify it. */
  private idToken(clientId: string, userId: string, expiresAt: number): string {
    const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const head = part({ alg: 'HS256', typ: 'JWT' });
    const body = part({
      iss: this.urls.url,
      aud: clientId,
      sub: userId,
      email: userId,
      iat: Math.floor(Date.now() / 1000),
      exp: Math.floor(expiresAt / 1000),
    });
    const signature = createHmac('sha256', this.idTokenKey).update(`${head}.${body}`).digest('base64url');
    return `${head}.${body}.${signature}`;
  }
}

/** JSON or form-encoded, whatever the client sent (SEED/AC/OAS send JSON; the SDK sends forms). */
function readParams(ctx: RouteContext): Record<string, string> | undefined {
  const text = ctx.body.toString('utf8').trim();
  if (text.length === 0) return {};
  const type = (ctx.headers['content-type'] ?? '').toLowerCase();
  const fromForm = (): Record<string, string> => Object.fromEntries(new URLSearchParams(text));
  if (type.includes('application/x-www-form-urlencoded')) return fromForm();
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
    return out;
  } catch {
    return type.includes('json') ? undefined : fromForm();
  }
}

/** `grant_type` of a token request, for fault rules that target one grant. */
export function grantTypeOf(ctx: RouteContext): string | undefined {
  return readParams(ctx)?.['grant_type'];
}

function newUserCode(): string {
  const bytes = randomBytes(8);
  const chars = [...bytes].map((b) => USER_CODE_ALPHABET[b % USER_CODE_ALPHABET.length]);
  return `${chars.slice(0, 4).join('')}-${chars.slice(4).join('')}`;
}

function normalizeUserCode(code: string): string {
  return code.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
}
