/** What every login flow gives the source: an access token and the org it is valid for. */

export interface SalesforceSession {
  /** Access token or session id: the REST bearer token and the export's `sid` cookie. */
  readonly accessToken: string;
  /** The org's own URL (https://acme.my.salesforce.com), where REST and the export are called. */
  readonly instanceUrl: string;
}

export interface AuthFlow {
  /** Flow name for messages: "jwt", "client-credentials", ... */
  readonly name: string;
  /** Whether `login` can be called again for a fresh token once one expires (false for a pasted session). */
  readonly renewable: boolean;
  /** Obtain a session; called once at start and once per expiry. */
  login(signal: AbortSignal): Promise<SalesforceSession>;
}
