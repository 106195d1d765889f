/**
 * Username-password flow. Supported for old orgs, but Salesforce blocks it by default in orgs
 * created since Summer '23 and answers a blocked flow exactly like a wrong password, so the
 * error names both causes and points to jwt.
 */
import type { AuthFlow, SalesforceSession } from './auth-flow';
import { requestToken, sessionFromToken, type TokenEndpointOptions } from './token-endpoint';

export interface PasswordSettings {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly username: string;
  readonly password: string;
  readonly securityToken?: string;
  readonly loginUrl: string;
  readonly instanceUrl?: string;
}

export const PASSWORD_FLOW_BLOCKED_HINT =
  "Either the username, password or security token is wrong, or the org blocks the username-password flow: it is blocked by default in orgs created since Summer '23 " +
  '(Setup > OAuth and OpenID Connect Settings > "Allow OAuth Username-Password Flows"; Login History shows "Username-Password Flow Disabled"). ' +
  'Prefer auth type jwt for headless runs';

export class PasswordFlow implements AuthFlow {
  readonly name = 'password';
  readonly renewable = true;

  constructor(
    private readonly settings: PasswordSettings,
    private readonly endpoint: TokenEndpointOptions,
  ) {}

  async login(signal: AbortSignal): Promise<SalesforceSession> {
    const s = this.settings;
    const token = await requestToken(
      this.endpoint,
      this.name,
      s.loginUrl,
      { grant_type: 'password', client_id: s.clientId, client_secret: s.clientSecret, username: s.username, password: s.password + (s.securityToken ?? '') },
      signal,
      (error, description) => (error === 'invalid_grant' && /authentication failure/i.test(description) ? PASSWORD_FLOW_BLOCKED_HINT : ''),
    );
    return sessionFromToken(token, s.instanceUrl);
  }
}
