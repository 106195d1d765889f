/** @pipe/core: the plugin contract, the engine, config loading, and the built-in plugins. */
export * from './plugin/piece';
export * from './plugin/context';
export * from './plugin/contract';
export * from './errors';
export * from './schema/types';
export { createAjv } from './schema/ajv';
export { secretValues, redactSecretFields } from './schema/secret-fields';
export { validatePluginConfig } from './schema/validate-plugin-config';
export { parseByteSize, formatByteSize } from './util/byte-size';
export { RecordChunker, type HeaderMode, type RecordChunkerOptions } from './chunking/record-chunker';
export { HttpClient, redactUrl, type HttpRequest, type HttpResponse, type HttpClientOptions, type HttpMethod } from './http/http-client';
export { HttpStatusError, retryAfterMs, isTransientNetworkError } from './http/http-error';
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
export * as testing from './testing/plugin-harness';
export { builtinPlugins, fileSource, chunkLines, fileSink, dirSink } from './plugins/builtin';
export { PluginCatalog, UnknownPluginError, type CatalogEntry, type CatalogOptions } from './plugin/catalog';
export { ConfigError, formatIssue, type ConfigIssue } from './config/config-error';
export { loadPipelineFile, pipelineFileFromText, SEARCH_PLACES, type LoadedPipelineFile } from './config/load-pipeline-file';
export { resolvePipelineFile, type ResolvedPipelineFile, type ResolvedPipeline, type ResolvedStage } from './config/resolve-pipeline-file';
export { PipelineFileSchema } from './config/pipeline-file-schema';
export { runPipeline, type PipelineRunOptions } from './engine/run-pipeline';
export { runPipelines, newRunId, type RunOptions } from './engine/run-pipelines';
export { planRun, type RunPlan, type PlannedPipeline, type PlannedStage } from './engine/plan';
export type { RunOutcome, PipelineOutcome, DocumentOutcome, PipelineStatus } from './engine/outcome';
export { AtomicFile } from './fs/atomic-file';
export { describeSchema, type SettingDoc } from './schema/describe-schema';
export { pipelineFileEditorSchema, pluginWithSchema, editorConfigSchema, requiredKeys, VARIABLE_REFERENCE, type JsonSchema } from './schema/editor-schema';
export { createRunLogger, type RunLogger, type RunLoggerOptions } from './log/run-logger';
export { saveRunRecord, saveRunRecordSync, loadRunRecord, runRecordPath, failedSince, type RetrySelection } from './engine/run-record';
export { watchStrayErrors, StrayError } from './engine/stray-errors';
export type { PluginScope } from './engine/plugin-scope';
export { BufferPool, once } from './util/buffer-pool';
export { InProcessTargetLocks, type TargetLocks, type TargetLease, type AcquireOptions } from './locks/target-locks';
