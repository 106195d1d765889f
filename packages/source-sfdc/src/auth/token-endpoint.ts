/**
 * POST {loginUrl}/services/oauth2/token, shared by every OAuth flow: form-encoded request, the
 * success body, and OAuth errors ({"error", "error_description"}) turned into SfdcError. Server
 * errors and network failures are retried with backoff; a 4xx is the answer and is not retried.
 */
import { HttpClient, HttpStatusError, isTransientNetworkError, retry, type CredentialUrlGuard, type RetryPolicy, type SecretRegistry } from '@pipe/core';
import { SfdcError } from '../errors';
import type { SalesforceSession } from './auth-flow';

/** The fields of a token response the source uses. */
export interface TokenResponse {
  readonly access_token: string;
  readonly instance_url: string;
  readonly id?: string;
  readonly refresh_token?: string;
  readonly token_type?: string;
  readonly issued_at?: string;
  readonly scope?: string;
}

export interface TokenEndpointOptions {
  readonly http: HttpClient;
  readonly secrets: SecretRegistry;
  readonly retry: RetryPolicy;
  /** Checked before a secret is posted: https only, or this machine (unless allowInsecureHttp). */
  readonly urls: CredentialUrlGuard;
}

/** An OAuth error answer from the token endpoint. */
export class OAuthTokenError extends SfdcError {
  constructor(
    readonly flow: string,
    readonly error: string,
    readonly description: string,
    readonly status: number,
    hint = '',
  ) {
    super('SFDC_LOGIN_FAILED', `Salesforce refused the ${flow} login (${status} ${error}: ${description})${hint ? `. ${hint}` : ''}`);
  }
}

export function tokenUrl(loginUrl: string): string {
  return `${loginUrl.replace(/\/+$/, '')}/services/oauth2/token`;
}

function parseOAuthError(body: string): { error: string; description: string } {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; error_description?: unknown };
    if (typeof parsed.error === 'string') return { error: parsed.error, description: String(parsed.error_description ?? '') };
  } catch {
    // not JSON: fall through
  }
  return { error: 'unknown_error', description: body.slice(0, 200) };
}

/**
 * Request a token. `hint` turns a known refusal into advice (the password flow's Summer '23
 * block, an unapproved JWT user). Every token obtained is registered as a secret at once.
 */
export async function requestToken(
  options: TokenEndpointOptions,
  flow: string,
  loginUrl: string,
  form: Record<string, string | undefined>,
  signal: AbortSignal,
  hint: (error: string, description: string) => string = () => '',
): Promise<TokenResponse> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) if (v !== undefined) body.set(k, v);
  const url = options.urls.check(tokenUrl(loginUrl), `the ${flow} login's token URL`);
  const response = await retry(
    async () => {
      const res = await options.http.request({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: body.toString(),
        signal,
      });
      const text = await res.body.text();
      // A redirect is not followed (the form carries the secret): it fails the login, and is not retried.
      if (res.statusCode >= 500 || (res.statusCode >= 300 && res.statusCode < 400))
        throw options.http.statusError({ method: 'POST', url }, res.statusCode, text, res.headers);
      return { status: res.statusCode, text };
    },
    {
      ...options.retry,
      signal,
      classify: (error) =>
        (error instanceof HttpStatusError && error.status >= 500) || isTransientNetworkError(error)
          ? { retry: true, reason: `token endpoint: ${(error as Error).message}` }
          : { retry: false },
    },
  );
  if (response.status !== 200) {
    const { error, description } = parseOAuthError(response.text);
    throw new OAuthTokenError(flow, error, description, response.status, hint(error, description));
  }
  const token = JSON.parse(response.text) as TokenResponse;
  if (typeof token.access_token !== 'string' || token.access_token === '') {
    throw new SfdcError('SFDC_LOGIN_FAILED', `the ${flow} login answered 200 without an access_token`);
  }
  options.secrets.add(token.access_token);
  options.secrets.add(token.refresh_token);
  return token;
}

/** The session a token response opens; `instanceUrl` from config wins only when the response has none. */
export function sessionFromToken(token: TokenResponse, configuredInstanceUrl: string | undefined): SalesforceSession {
  const instanceUrl = token.instance_url || configuredInstanceUrl;
  if (!instanceUrl) throw new SfdcError('SFDC_LOGIN_FAILED', 'the token response has no instance_url and no instanceUrl is configured');
  return { accessToken: token.access_token, instanceUrl: instanceUrl.replace(/\/+$/, '') };
}
