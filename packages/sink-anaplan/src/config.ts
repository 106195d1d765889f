/**
 * The `with:` block of the `anaplan` sink. This one schema is the runtime validation (ajv fills the
 * defaults), the config type the sink receives, and what `pipe plugins describe anaplan` shows.
 */
import {
  AllowInsecureHttp,
  AutoConcurrency,
  ByteSize,
  Config,
  MaxConcurrency,
  RetrySettings,
  Secret,
  JsonType,
  type CredentialUrl,
  type Static,
} from '@pipe/core';

const MB = 1_000_000;

/** Anaplan's documented ceiling for one chunk, in uncompressed bytes. */
export const MAX_CHUNK_BYTES = 50 * MB;
/** Anaplan's documented ceiling for chunks in one file. */
export const MAX_CHUNKS = 1000;
/** Anaplan access tokens live 35 minutes. */
export const MAX_TOKEN_TTL_SECONDS = 2100;

/** `acceptFailedRows` as a share of the rows processed, e.g. `0.5%`. */
export const FAILED_ROWS_SHARE = /^(\d+(?:\.\d+)?)%$/;

/** YAML reads `file: 113000000000` as a number; ids and names are both accepted. */
const IdOrName = (description: string) => JsonType.Union([JsonType.String({ minLength: 1 }), JsonType.Integer({ minimum: 0 })], { description });

const BasicAuth = JsonType.Object(
  {
    type: JsonType.Literal('basic'),
    username: JsonType.String({ minLength: 1, description: 'Anaplan user, e.g. "${ANAPLAN_USER}".' }),
    password: JsonType.Optional(
      Secret({ description: 'e.g. "${ANAPLAN_PASSWORD}". Absent: the password saved by `pipe auth login anaplan -o username=... -o password=...`.' }),
    ),
  },
  { additionalProperties: false, description: 'User name and password (POST /token/authenticate).' },
);

const CertificateAuth = JsonType.Object(
  {
    type: JsonType.Literal('certificate'),
    certificate: JsonType.String({ minLength: 1, description: 'PEM file of the CA-issued certificate, relative to the pipeline file.' }),
    privateKey: JsonType.String({ minLength: 1, description: 'PEM file of its private key (PKCS#1 or PKCS#8, optionally encrypted).' }),
    passphrase: JsonType.Optional(Secret({ description: 'Passphrase of an encrypted private key, e.g. "${ANAPLAN_KEY_PASSPHRASE}".' })),
  },
  { additionalProperties: false, description: 'CA certificate: random bytes signed SHA512withRSA.' },
);

const OAuthAuth = JsonType.Object(
  {
    type: JsonType.Literal('oauth'),
    clientId: JsonType.Optional(JsonType.String({ minLength: 1, description: 'Device-grant OAuth client id; picks the saved login when several exist.' })),
    account: JsonType.Optional(JsonType.String({ minLength: 1, description: 'Account the login was saved under (`pipe auth list`).' })),
    refreshToken: JsonType.Optional(
      Secret({ description: 'A non-rotatable refresh token given directly (needs clientId). Absent: the one saved by `pipe auth login anaplan`.' }),
    ),
  },
  { additionalProperties: false, description: 'OAuth device grant: run `pipe auth login anaplan --client-id ...` once.' },
);

export const AuthSettings = JsonType.Union([BasicAuth, CertificateAuth, OAuthAuth], { description: 'How to log in to Anaplan.' });

const MappingParameter = JsonType.Object(
  {
    entityType: JsonType.String({ minLength: 1, description: 'e.g. "Version".' }),
    entityName: JsonType.String({ minLength: 1, description: 'e.g. "Actual".' }),
  },
  { additionalProperties: false },
);

export const anaplanSinkSchema = Config({
  workspace: IdOrName('Workspace id or name.'),
  model: IdOrName('Model id or name.'),
  file: IdOrName('Id or name of the import data source file to upload to.'),
  import: JsonType.Optional(IdOrName('Import (id or name) to run after the upload. Absent, with no process: upload only.')),
  process: JsonType.Optional(IdOrName('Process (id or name) to run after the upload, instead of an import.')),
  auth: AuthSettings,
  concurrency: AutoConcurrency({
    default: 'auto',
    maximum: 200,
    description:
      'Chunks uploaded at once: `auto` (the default) starts at 2, adds one while more uploads bring more throughput and latency stays flat, ' +
      'on a 429 steps back to the uploads Anaplan had taken, halves on 503, resets and timeouts, waits out Retry-After, never goes above ' +
      'maxConcurrency; or a fixed number, 1 to 200.',
  }),
  maxConcurrency: MaxConcurrency({ maximum: 200 }),
  compress: JsonType.Union([JsonType.Literal('auto'), JsonType.Literal('gzip'), JsonType.Literal('none')], {
    default: 'auto',
    description:
      "`auto` (the default): per chunk, none, gzip level 1 or 6, whichever is predicted fastest from the link's measured throughput, " +
      "this machine's compression speed and this data's ratio. `gzip`: every chunk is sent as its own gzip member (application/x-gzip). " +
      '`none`: as it is.',
  }),
  gzipLevel: JsonType.Integer({ minimum: 1, maximum: 9, default: 6, description: 'zlib level for `compress: gzip`, 1 (fast) to 9 (small).' }),
  chunkSize: ByteSize({
    default: '10MB',
    minimum: 1 * MB,
    maximum: MAX_CHUNK_BYTES,
    description: 'Chunk size when the input is not already cut by chunk-lines; 1MB to 50MB (Anaplan allows at most 1000 chunks).',
  }),
  apiUrl: JsonType.String({ default: 'https://api.anaplan.com/2/0', description: 'Integration API base, e.g. https://us9.api.anaplan.com/2/0.' }),
  authUrl: JsonType.String({ default: 'https://auth.anaplan.com', description: 'Authentication service host.' }),
  oauthUrl: JsonType.String({
    default: 'https://us1a.app.anaplan.com',
    description: 'OAuth host (device grant and refresh). A saved login keeps using the host it was made on: its refresh token is only valid there.',
  }),
  allowInsecureHttp: AllowInsecureHttp,
  localeName: JsonType.String({ default: 'en_US', description: 'Locale of the import or process task.' }),
  mappingParameters: JsonType.Optional(JsonType.Array(MappingParameter, { description: 'Answers to the import’s mapping prompts.' })),
  acceptFailedRows: JsonType.Union([JsonType.Integer({ minimum: 0 }), JsonType.String({ pattern: FAILED_ROWS_SHARE.source })], {
    default: 0,
    description:
      'Failed rows an import or process may report and still succeed: a count (50) or a share of the rows processed ("0.5%"). ' +
      'Default 0: any failed row fails the pipeline. Either way the failure dump is saved and its path shown.',
  }),
  pollIntervalMs: JsonType.Integer({ minimum: 10, default: 5000, description: 'Task status poll interval; Anaplan asks for at least 5 s.' }),
  tokenTtlSeconds: JsonType.Integer({
    minimum: 10,
    maximum: MAX_TOKEN_TTL_SECONDS,
    default: MAX_TOKEN_TTL_SECONDS,
    description: 'Treat access tokens as expiring after this long (at most 2100 s); they are refreshed shortly before.',
  }),
  timeoutMs: JsonType.Integer({ minimum: 100, default: 300_000, description: 'Per-request timeout (headers, and each gap in a body).' }),
  retry: RetrySettings,
  verbose: JsonType.Boolean({ default: false, description: 'Log every request: method, URL, status, time (tokens redacted).' }),
});

export type AnaplanSinkConfig = Static<typeof anaplanSinkSchema>;
export type AuthConfig = Static<typeof AuthSettings>;
export type MappingParameters = Static<typeof MappingParameter>[];

/**
 * The URLs this config sends credentials or tokens to, by key: the API (every call carries the
 * token) and the login host of its auth type. They must be https (see core's secure-url.ts).
 */
export function credentialUrls(config: AnaplanSinkConfig): CredentialUrl[] {
  const login = config.auth.type === 'oauth' ? { path: ['oauthUrl'], url: config.oauthUrl } : { path: ['authUrl'], url: config.authUrl };
  return [{ path: ['apiUrl'], url: config.apiUrl }, login];
}
