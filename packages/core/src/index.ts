/**
 * @pipe/core: what a plugin is written against: the contract (pieces, context, plugin shapes),
 * errors, and helpers for HTTP, retries, credentials, chunking and logging. The engine that runs
 * pipelines is at @pipe/core/engine, the plugin test harness at @pipe/core/testing.
 */
export * from './plugin/piece';
export * from './plugin/context';
export * from './plugin/contract';
export * from './errors';
export * from './schema/types';
export { JsonType } from './schema/json-type';
export { createAjv } from './schema/ajv';
export { secretValues, redactSecretFields } from './schema/secret-fields';
export { validatePluginConfig } from './schema/validate-plugin-config';
export { parseByteSize, formatByteSize } from './util/byte-size';
export { RecordChunker, type HeaderMode, type RecordChunkerOptions } from './chunking/record-chunker';
export { countRecords, firstRecordEnd, type CountOptions, type RecordCount } from './chunking/csv-scan';
export { noteRecordScan, type RecordScanNote } from './chunking/record-scan-notes';
export { HttpClient, redactUrl, type HttpRequest, type HttpResponse, type HttpClientOptions, type HttpMethod } from './http/http-client';
export { HttpStatusError, retryAfterMs, isTransientNetworkError } from './http/http-error';
export { bodyPieces } from './http/body-pieces';
export {
  AllowInsecureHttp,
  CredentialUrlGuard,
  InsecureUrlError,
  credentialTransport,
  credentialUrlProblems,
  isLoopbackHost,
  type CredentialTransport,
  type CredentialUrl,
  type CredentialUrlGuardOptions,
} from './http/secure-url';
export { retry, sleep, backoffDelay, DEFAULT_RETRY, type RetryPolicy, type RetryOptions, type RetryDecision } from './http/retry';
export { CredentialStore, type CredentialSecret, type CredentialEntry, type CredentialStoreOptions } from './credentials/credential-store';
export { Redactor, REDACTED } from './log/redactor';
export { StreamLogger, type LogLevel } from './log/stream-logger';
export { PluginProgress, type ProgressCounts } from './engine/progress';
export { AtomicFile } from './fs/atomic-file';
export { BufferPool, once } from './util/buffer-pool';
export { AdaptiveConcurrency, DEFAULT_MAX_CONCURRENCY, type AdaptiveConcurrencyOptions, type LimitChange } from './transfer/adaptive-concurrency';
export { FixedConcurrency, type AcquireOptions, type ConcurrencyLimit, type ConcurrencyPermit } from './transfer/concurrency-limit';
export { AutoConcurrency, MaxConcurrency, concurrencyLimit, type ConcurrencySettingValue } from './transfer/concurrency-setting';
export { backPressureOf } from './transfer/back-pressure';
export { BackPressureHttpClient } from './transfer/back-pressure-http-client';
