/** Basic login: `Authorization: Basic base64(user:password)` to the auth service. */
import type { SecretRegistry } from '@pipe/core';
import type { AnaplanTransport } from '../http/transport';
import { authenticate, refreshAuthToken } from './auth-service';
import type { TokenIssuer } from './token-provider';

export interface BasicLogin {
  readonly username: string;
  readonly password: string;
  readonly authUrl: string;
}

export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

export function basicIssuer(login: BasicLogin, transport: AnaplanTransport, secrets: SecretRegistry): TokenIssuer {
  const authorization = basicAuthorization(login.username, login.password);
  // The header carries the password, only encoded: keep it out of any text too.
  secrets.add(login.password);
  secrets.add(authorization.slice('Basic '.length));
  return {
    description: `basic login as ${login.username}`,
    login: (signal) => authenticate(transport, login.authUrl, authorization, undefined, signal, `basic, ${login.username}`),
    refresh: (current, signal) => refreshAuthToken(transport, login.authUrl, current.value, signal),
  };
}
