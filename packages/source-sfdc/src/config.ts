/**
 * The `with:` block of the `sfdc-report` source: one TypeBox schema that is the runtime JSON
 * Schema (validated by the engine, defaults filled, secrets registered) and, through `Static`, the
 * config type `open` receives.
 */
import { availableParallelism } from 'node:os';
import { AllowInsecureHttp, AutoConcurrency, Config, MaxConcurrency, RetrySettings, Secret, JsonType, type CredentialUrl, type Static } from '@pipe/core';
import { parseSfdxAuthUrl } from './auth/sfdx-auth-url';

/** Half the CPU threads, at least one: what the Python tool this replaces defaults to. */
export const DEFAULT_CONCURRENCY = Math.max(1, Math.floor(availableParallelism() / 2));
export const DEFAULT_LOGIN_URL = 'https://login.salesforce.com';
export const DEFAULT_API_VERSION = '62.0';

const loginUrl = JsonType.Optional(
  JsonType.String({ description: 'Token endpoint host for this flow; default the top-level `loginUrl` (client-credentials: `instanceUrl`).' }),
);

export const JwtAuth = JsonType.Object(
  {
    type: JsonType.Literal('jwt'),
    clientId: JsonType.String({ minLength: 1, description: 'Consumer key of the connected app (or external client app) with "Use digital signatures".' }),
    username: JsonType.String({ minLength: 1, description: 'Salesforce username the token is issued for (JWT `sub`); must be pre-authorised for the app.' }),
    privateKeyFile: JsonType.Optional(
      JsonType.String({ minLength: 1, description: 'PEM private key matching the certificate uploaded to the app; relative to the pipeline file.' }),
    ),
    privateKey: JsonType.Optional(Secret({ minLength: 1, description: 'The PEM private key itself, e.g. "${SF_JWT_KEY}", instead of privateKeyFile.' })),
    audience: JsonType.Optional(
      JsonType.String({
        description: 'JWT `aud`: https://login.salesforce.com (default), https://test.salesforce.com for sandboxes, or an Experience Cloud URL.',
      }),
    ),
    loginUrl,
  },
  {
    additionalProperties: false,
    description: 'OAuth 2.0 JWT bearer flow: the recommended headless login. No refresh token; a new assertion is signed when the token expires.',
  },
);

export const ClientCredentialsAuth = JsonType.Object(
  {
    type: JsonType.Literal('client-credentials'),
    clientId: JsonType.String({ minLength: 1 }),
    clientSecret: Secret({ minLength: 1 }),
    loginUrl,
  },
  { additionalProperties: false, description: 'OAuth 2.0 client credentials flow; the app runs as its configured "Run As" user.' },
);

export const RefreshTokenAuth = JsonType.Object(
  {
    type: JsonType.Literal('refresh-token'),
    clientId: JsonType.Optional(JsonType.String({ minLength: 1, description: 'Consumer key the refresh token was issued to.' })),
    clientSecret: JsonType.Optional(Secret({ description: 'Consumer secret, when the app requires it for the refresh token flow.' })),
    refreshToken: JsonType.Optional(Secret({ minLength: 1 })),
    sfdxAuthUrl: JsonType.Optional(
      Secret({ pattern: '^force://', description: 'An SFDX auth URL force://clientId:clientSecret:refreshToken@instance (`sf org display --verbose`).' }),
    ),
    account: JsonType.Optional(
      JsonType.String({
        description: 'Username saved by `pipe auth login sfdc` to use when neither refreshToken nor sfdxAuthUrl is given; default the only saved one.',
      }),
    ),
    loginUrl,
  },
  { additionalProperties: false, description: 'OAuth 2.0 refresh token flow: a token given here, in an SFDX auth URL, or saved by `pipe auth login sfdc`.' },
);

export const PasswordAuth = JsonType.Object(
  {
    type: JsonType.Literal('password'),
    clientId: JsonType.String({ minLength: 1 }),
    clientSecret: Secret({ minLength: 1 }),
    username: JsonType.String({ minLength: 1 }),
    password: Secret({ minLength: 1 }),
    securityToken: JsonType.Optional(Secret({ description: 'Appended to the password, as Salesforce requires outside trusted IP ranges.' })),
    loginUrl,
  },
  { additionalProperties: false, description: "Username-password flow. Blocked by default in orgs created since Summer '23; prefer jwt." },
);

export const SessionAuth = JsonType.Object(
  {
    type: JsonType.Literal('session'),
    sessionId: Secret({ minLength: 1, description: 'An existing session id (e.g. "${SF_SESSION_ID}"); checked once before any report is fetched.' }),
  },
  {
    additionalProperties: false,
    description: 'An existing session, as SSO-only orgs give people. It cannot be renewed: an expired one fails the run with a clear message.',
  },
);

export const AuthSettings = JsonType.Union([JwtAuth, ClientCredentialsAuth, RefreshTokenAuth, PasswordAuth, SessionAuth], {
  description: 'How to log in, keyed by `type`: jwt, client-credentials, refresh-token, password or session.',
});
export type AuthSettings = Static<typeof AuthSettings>;

export const ReportRef = JsonType.Object(
  {
    id: JsonType.String({ pattern: '^00O[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$', description: 'Report id, 15 or 18 characters, starting 00O.' }),
    name: JsonType.Optional(
      JsonType.String({ minLength: 1, description: 'Document name (e.g. the output file name); default the report name in Salesforce.' }),
    ),
  },
  { additionalProperties: false },
);
export type ReportRef = Static<typeof ReportRef>;

export const sfdcReportConfig = Config({
  instanceUrl: JsonType.Optional(
    JsonType.String({
      description: 'The org, e.g. https://acme.my.salesforce.com. Required for `session`; other flows take it from the token response when absent.',
    }),
  ),
  loginUrl: JsonType.String({
    default: DEFAULT_LOGIN_URL,
    description: 'Where OAuth logins go: https://login.salesforce.com, https://test.salesforce.com or the My Domain URL.',
  }),
  auth: AuthSettings,
  mode: JsonType.Union([JsonType.Literal('report'), JsonType.Literal('soql')], {
    default: 'report',
    description: '`report`: the report export as CSV, checked against the Reports API. `soql`: a Bulk API 2.0 query (`soql`).',
  }),
  reportId: JsonType.Optional(
    JsonType.String({ pattern: '^00O[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$', description: 'One report; any failure fails the pipeline.' }),
  ),
  reports: JsonType.Optional(
    JsonType.Union([JsonType.String({ minLength: 1 }), JsonType.Array(ReportRef, { minItems: 1 })], {
      description:
        'Many reports, each its own document: a CSV file with `id` and `name` columns (relative to the pipeline file), or a list of { id, name }. One failing does not stop the others.',
    }),
  ),
  soql: JsonType.Optional(JsonType.String({ minLength: 1, description: 'The query for `mode: soql`, e.g. SELECT Id, Name FROM Opportunity.' })),
  name: JsonType.Optional(JsonType.String({ minLength: 1, description: 'Document name in `soql` mode; default the queried object.' })),
  concurrency: AutoConcurrency({
    default: DEFAULT_CONCURRENCY,
    maximum: 32,
    description:
      'Reports downloaded at once, 1 to 32 (default half the CPU threads), or `auto`: start at 2, add one while more downloads bring more ' +
      'throughput, halve on 429, 503, resets and timeouts, wait out Retry-After, never above maxConcurrency.',
  }),
  maxConcurrency: MaxConcurrency({ maximum: 32 }),
  apiVersion: JsonType.String({ default: DEFAULT_API_VERSION, pattern: '^v?\\d+\\.0$', description: 'Salesforce REST API version, e.g. 62.0.' }),
  timeoutMs: JsonType.Integer({ minimum: 1000, default: 120_000, description: 'Time allowed for response headers, and for each gap in a body.' }),
  pollIntervalMs: JsonType.Integer({ minimum: 10, default: 2000, description: 'soql mode: first delay between job status polls (doubles up to 30 s).' }),
  retry: RetrySettings,
  allowInsecureHttp: AllowInsecureHttp,
});
export type SfdcReportConfig = Static<typeof sfdcReportConfig>;

/**
 * The URLs of this config that credentials or tokens go to, by key: the login hosts and the org.
 * They must be https (see core's secure-url.ts); the host of an SFDX auth URL too.
 */
export function credentialUrls(config: SfdcReportConfig): CredentialUrl[] {
  const urls: CredentialUrl[] = [
    { path: ['loginUrl'], url: config.loginUrl },
    { path: ['instanceUrl'], url: config.instanceUrl },
  ];
  if ('loginUrl' in config.auth) urls.push({ path: ['auth', 'loginUrl'], url: config.auth.loginUrl });
  if (config.auth.type === 'refresh-token' && config.auth.sfdxAuthUrl) {
    try {
      urls.push({ path: ['auth', 'sfdxAuthUrl'], url: parseSfdxAuthUrl(config.auth.sfdxAuthUrl).instanceUrl });
    } catch {
      // A malformed one fails at run time, with what it should look like.
    }
  }
  return urls;
}
