/** The login flow a config's `auth` block names, with its settings resolved (key files, SFDX URLs, saved logins). */
import { CredentialStore, type SecretRegistry } from '@pipe/core';
import type { AuthSettings } from '../config';
import { SfdcError } from '../errors';
import type { AuthFlow } from './auth-flow';
import { ClientCredentialsFlow } from './client-credentials';
import { ExistingSessionFlow } from './existing-session';
import { JwtBearerFlow, defaultAudience, readPrivateKey } from './jwt-bearer';
import { PasswordFlow } from './password';
import { RefreshTokenFlow, loadSavedLogin } from './refresh-token';
import { parseSfdxAuthUrl } from './sfdx-auth-url';
import type { TokenEndpointOptions } from './token-endpoint';

export interface AuthFlowContext {
  readonly loginUrl: string;
  readonly instanceUrl?: string;
  readonly endpoint: TokenEndpointOptions;
  readonly secrets: SecretRegistry;
  resolvePath(path: string): string;
  /** The credential store holding `pipe auth login sfdc` logins; default the user's. */
  readonly credentials?: CredentialStore;
}

export async function createAuthFlow(auth: AuthSettings, ctx: AuthFlowContext): Promise<AuthFlow> {
  const trim = (url: string) => url.replace(/\/+$/, '');
  switch (auth.type) {
    case 'jwt': {
      if (!auth.privateKey === !auth.privateKeyFile) {
        throw new SfdcError('SFDC_CONFIG', 'auth type jwt needs exactly one of privateKeyFile and privateKey');
      }
      const privateKeyPem = auth.privateKey ?? (await readPrivateKey(ctx.resolvePath(auth.privateKeyFile!)));
      ctx.secrets.add(privateKeyPem);
      const loginUrl = trim(auth.loginUrl ?? ctx.loginUrl);
      return new JwtBearerFlow(
        {
          clientId: auth.clientId,
          username: auth.username,
          privateKeyPem,
          audience: auth.audience ?? defaultAudience(loginUrl),
          loginUrl,
          instanceUrl: ctx.instanceUrl,
        },
        ctx.endpoint,
      );
    }
    case 'client-credentials':
      return new ClientCredentialsFlow(
        {
          clientId: auth.clientId,
          clientSecret: auth.clientSecret,
          loginUrl: trim(auth.loginUrl ?? ctx.instanceUrl ?? ctx.loginUrl),
          instanceUrl: ctx.instanceUrl,
        },
        ctx.endpoint,
      );
    case 'refresh-token': {
      if (auth.sfdxAuthUrl && auth.refreshToken) throw new SfdcError('SFDC_CONFIG', 'give auth.refreshToken or auth.sfdxAuthUrl, not both');
      if (auth.sfdxAuthUrl) {
        const parsed = parseSfdxAuthUrl(auth.sfdxAuthUrl);
        ctx.secrets.add(parsed.refreshToken);
        ctx.secrets.add(parsed.clientSecret);
        return new RefreshTokenFlow(
          {
            ...parsed,
            clientId: auth.clientId ?? parsed.clientId,
            clientSecret: auth.clientSecret ?? parsed.clientSecret,
            loginUrl: trim(auth.loginUrl ?? parsed.instanceUrl),
            instanceUrl: ctx.instanceUrl ?? parsed.instanceUrl,
          },
          ctx.endpoint,
        );
      }
      if (auth.refreshToken) {
        if (!auth.clientId) throw new SfdcError('SFDC_CONFIG', 'auth type refresh-token with refreshToken needs clientId (the consumer key it was issued to)');
        return new RefreshTokenFlow(
          {
            clientId: auth.clientId,
            clientSecret: auth.clientSecret,
            refreshToken: auth.refreshToken,
            loginUrl: trim(auth.loginUrl ?? ctx.loginUrl),
            instanceUrl: ctx.instanceUrl,
          },
          ctx.endpoint,
        );
      }
      const saved = await loadSavedLogin(ctx.credentials ?? new CredentialStore(), auth.account, ctx.secrets);
      return new RefreshTokenFlow(
        {
          ...saved,
          clientId: auth.clientId ?? saved.clientId,
          clientSecret: auth.clientSecret ?? saved.clientSecret,
          loginUrl: trim(auth.loginUrl ?? saved.loginUrl),
          instanceUrl: ctx.instanceUrl ?? saved.instanceUrl,
        },
        ctx.endpoint,
      );
    }
    case 'password':
      return new PasswordFlow({ ...auth, loginUrl: trim(auth.loginUrl ?? ctx.loginUrl), instanceUrl: ctx.instanceUrl }, ctx.endpoint);
    case 'session':
      if (!ctx.instanceUrl)
        throw new SfdcError('SFDC_CONFIG', 'auth type session needs instanceUrl: the org the session belongs to (https://<domain>.my.salesforce.com)');
      ctx.secrets.add(auth.sessionId);
      return new ExistingSessionFlow({ accessToken: auth.sessionId, instanceUrl: trim(ctx.instanceUrl) });
  }
}
