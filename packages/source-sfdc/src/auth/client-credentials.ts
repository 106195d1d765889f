/** OAuth 2.0 client credentials flow: the connected app's key and secret, running as its "Run As" user. */
import type { AuthFlow, SalesforceSession } from './auth-flow';
import { requestToken, sessionFromToken, type TokenEndpointOptions } from './token-endpoint';

export interface ClientCredentialsSettings {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Salesforce wants the org's My Domain here, not login.salesforce.com. */
  readonly loginUrl: string;
  readonly instanceUrl?: string;
}

export class ClientCredentialsFlow implements AuthFlow {
  readonly name = 'client-credentials';
  readonly renewable = true;

  constructor(
    private readonly settings: ClientCredentialsSettings,
    private readonly endpoint: TokenEndpointOptions,
  ) {}

  async login(signal: AbortSignal): Promise<SalesforceSession> {
    const { clientId, clientSecret, loginUrl } = this.settings;
    const token = await requestToken(
      this.endpoint,
      this.name,
      loginUrl,
      { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret },
      signal,
      (error, description) => {
        if (/client credentials user/i.test(description)) return 'Enable the client credentials flow on the app and choose its Run As user.';
        if (error === 'invalid_client' || error === 'invalid_client_id') return 'Check clientId and clientSecret (the consumer key and secret).';
        if (/login\.salesforce\.com|test\.salesforce\.com/.test(loginUrl))
          return "This flow must use the org's My Domain: set instanceUrl or auth.loginUrl to https://<domain>.my.salesforce.com.";
        return '';
      },
    );
    return sessionFromToken(token, this.settings.instanceUrl);
  }
}
