/**
 * OAuth 2.0 JWT bearer flow (sfdc.md (b)): an RS256 assertion {iss: client id, sub: username,
 * aud: login or test host, exp: now + 3 min} signed with the app's private key, exchanged for an
 * access token. No refresh token is issued, so renewing means signing a new assertion.
 */
import { sign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { SfdcError } from '../errors';
import type { AuthFlow, SalesforceSession } from './auth-flow';
import { requestToken, sessionFromToken, type TokenEndpointOptions } from './token-endpoint';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** Salesforce accepts an assertion that expires within 3 minutes. */
const ASSERTION_LIFETIME_SECONDS = 180;

export interface JwtBearerSettings {
  readonly clientId: string;
  readonly username: string;
  /** PEM text of the private key. */
  readonly privateKeyPem: string;
  readonly audience: string;
  readonly loginUrl: string;
  readonly instanceUrl?: string;
}

/** The `aud` Salesforce expects: the sandbox host for sandbox logins, else the production one. */
export function defaultAudience(loginUrl: string): string {
  const host = new URL(loginUrl).hostname;
  return host === 'test.salesforce.com' || host.includes('.sandbox.') ? 'https://test.salesforce.com' : 'https://login.salesforce.com';
}

export function signJwtBearerAssertion(settings: Pick<JwtBearerSettings, 'clientId' | 'username' | 'audience' | 'privateKeyPem'>, nowMs = Date.now()): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = encode({ alg: 'RS256' });
  const claims = encode({
    iss: settings.clientId,
    sub: settings.username,
    aud: settings.audience,
    exp: Math.floor(nowMs / 1000) + ASSERTION_LIFETIME_SECONDS,
  });
  let signature: Buffer;
  try {
    signature = sign('RSA-SHA256', Buffer.from(`${header}.${claims}`), settings.privateKeyPem);
  } catch (error) {
    throw new SfdcError(
      'SFDC_CONFIG',
      `the JWT private key cannot sign: ${(error as Error).message}. Give the PEM private key (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY) whose certificate is uploaded to the connected app.`,
      { cause: error },
    );
  }
  return `${header}.${claims}.${signature.toString('base64url')}`;
}

export async function readPrivateKey(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new SfdcError('SFDC_CONFIG', `cannot read the JWT private key file ${path}: ${(error as Error).message}`, { cause: error });
  }
}

export class JwtBearerFlow implements AuthFlow {
  readonly name = 'jwt';
  readonly renewable = true;

  constructor(
    private readonly settings: JwtBearerSettings,
    private readonly endpoint: TokenEndpointOptions,
  ) {}

  async login(signal: AbortSignal): Promise<SalesforceSession> {
    const assertion = signJwtBearerAssertion(this.settings);
    const token = await requestToken(
      this.endpoint,
      this.name,
      this.settings.loginUrl,
      { grant_type: JWT_BEARER_GRANT, assertion },
      signal,
      (error, description) => {
        if (/approved/i.test(description))
          return `Pre-authorise ${this.settings.username} for the app (Manage Connected Apps > Permitted Users: "Admin approved users are pre-authorized", then add a profile or permission set).`;
        if (/audience/i.test(description))
          return `The assertion's aud was ${this.settings.audience}; set auth.audience (https://test.salesforce.com for a sandbox).`;
        if (error === 'invalid_grant' && /assertion/i.test(description))
          return 'Check that the private key matches the certificate uploaded to the app and that clientId is its consumer key.';
        if (error === 'invalid_client_id') return `No connected app has the consumer key ${this.settings.clientId}.`;
        return '';
      },
    );
    return sessionFromToken(token, this.settings.instanceUrl);
  }
}
