/**
 * OAuth 2.0 refresh token flow. The refresh token comes from config, from an SFDX auth URL, or
 * from the shared credential store, where `pipe auth login sfdc` saved it: one store for every
 * plugin. A refresh token outlives sessions, so renewing is one more refresh grant.
 */
import { CredentialStore, type SecretRegistry } from '@pipe/core';
import { SfdcError } from '../errors';
import type { AuthFlow, SalesforceSession } from './auth-flow';
import { requestToken, sessionFromToken, type TokenEndpointOptions } from './token-endpoint';

export interface RefreshTokenSettings {
  readonly clientId: string;
  readonly clientSecret?: string;
  readonly refreshToken: string;
  readonly loginUrl: string;
  readonly instanceUrl?: string;
}

/** What `pipe auth login sfdc` saves under service "sfdc", account = username. */
export interface SavedSfdcLogin {
  readonly refreshToken: string;
  readonly clientId: string;
  readonly clientSecret?: string;
  readonly instanceUrl: string;
  readonly loginUrl: string;
}

export const CREDENTIAL_SERVICE = 'sfdc';

/** The saved login for `account`, or the only saved one; registers its secrets. */
export async function loadSavedLogin(
  store: CredentialStore,
  account: string | undefined,
  secrets: SecretRegistry,
): Promise<SavedSfdcLogin & { account: string }> {
  const found = account
    ? await store.get(CREDENTIAL_SERVICE, account).then((secret) => secret && { account, secret })
    : await store.getOnly(CREDENTIAL_SERVICE);
  if (!found) {
    const which = account ? `for ${account}` : '(or more than one, and auth.account names none)';
    throw new SfdcError(
      'SFDC_CONFIG',
      `no saved Salesforce login ${which} in ${store.file}: run \`pipe auth login sfdc\`, or give auth.refreshToken or auth.sfdxAuthUrl`,
    );
  }
  const saved = found.secret as Partial<SavedSfdcLogin>;
  if (!saved.refreshToken || !saved.clientId || !saved.instanceUrl) {
    throw new SfdcError('SFDC_CONFIG', `the saved Salesforce login for ${found.account} is incomplete: run \`pipe auth login sfdc\` again`);
  }
  secrets.add(saved.refreshToken);
  secrets.add(saved.clientSecret);
  return {
    account: found.account,
    refreshToken: saved.refreshToken,
    clientId: saved.clientId,
    clientSecret: saved.clientSecret,
    instanceUrl: saved.instanceUrl,
    loginUrl: saved.loginUrl ?? saved.instanceUrl,
  };
}

export class RefreshTokenFlow implements AuthFlow {
  readonly name = 'refresh-token';
  readonly renewable = true;

  constructor(
    private readonly settings: RefreshTokenSettings,
    private readonly endpoint: TokenEndpointOptions,
  ) {}

  async login(signal: AbortSignal): Promise<SalesforceSession> {
    const { clientId, clientSecret, refreshToken, loginUrl } = this.settings;
    const token = await requestToken(
      this.endpoint,
      this.name,
      loginUrl,
      { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId, client_secret: clientSecret },
      signal,
      (error, description) =>
        /expired|revoked|invalid/i.test(description) && error === 'invalid_grant'
          ? 'The refresh token is expired or revoked: run `pipe auth login sfdc` again (or produce a new SFDX auth URL).'
          : '',
    );
    return sessionFromToken(token, this.settings.instanceUrl);
  }
}
