/**
 * The Salesforce CLI's portable login, force://{clientId}:{clientSecret}:{refreshToken}@{host}
 * (sfdc.md (b); `sf org display --verbose` prints it). The secret may be empty; the short form
 * force://{refreshToken}@{host} means the CLI's own app, PlatformCLI.
 */
import { SfdcError } from '../errors';

export interface SfdxAuthUrl {
  readonly clientId: string;
  readonly clientSecret?: string;
  readonly refreshToken: string;
  /** https://{host}; plain http only for a loopback host (a local emulator). */
  readonly instanceUrl: string;
}

const SF_CLI_CLIENT_ID = 'PlatformCLI';

export function parseSfdxAuthUrl(url: string): SfdxAuthUrl {
  const invalid = () =>
    new SfdcError('SFDC_CONFIG', 'sfdxAuthUrl must look like force://<clientId>:<clientSecret>:<refreshToken>@<instance host> (the secret may be empty)');
  if (!url.startsWith('force://')) throw invalid();
  const rest = url.slice('force://'.length);
  // The host never holds "@"; the credentials might (refresh tokens are opaque), so split at the last one.
  const at = rest.lastIndexOf('@');
  if (at <= 0 || at === rest.length - 1) throw invalid();
  const credentials = rest.slice(0, at).split(':');
  const host = rest.slice(at + 1).replace(/\/+$/, '');
  let clientId: string, clientSecret: string | undefined, refreshToken: string;
  if (credentials.length === 1) [clientId, clientSecret, refreshToken] = [SF_CLI_CLIENT_ID, undefined, credentials[0]];
  else if (credentials.length >= 3) {
    clientId = credentials[0]!;
    clientSecret = credentials[1] || undefined;
    refreshToken = credentials.slice(2).join(':');
  } else throw invalid();
  if (!clientId || !refreshToken) throw invalid();
  return { clientId, clientSecret, refreshToken: decodeURIComponent(refreshToken), instanceUrl: hostUrl(host) };
}

function hostUrl(host: string): string {
  if (/^https?:\/\//i.test(host)) return host;
  const loopback = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/i.test(host);
  return `${loopback ? 'http' : 'https'}://${host}`;
}
