/**
 * @pipe/core/engine: what runs pipelines rather than what a plugin is written against. Loading
 * and validating pipeline files, the plugin catalog, planning and running, run records and logs,
 * target locks, and the schemas editors and `pipe plugins describe` show. The CLI and the queue
 * worker import it; a plugin needs only `@pipe/core` (and `@pipe/core/testing` in its tests).
 */
export * from './pipeline-file';
export { builtinPlugins, fileSource, chunkLines, fileSink, dirSink } from './plugins/builtin';
export { ConfigError, formatIssue, type ConfigIssue } from './config/config-error';
export { PipelineFileSchema } from './config/pipeline-file-schema';
export { runPipeline, type PipelineRunOptions } from './engine/run-pipeline';
export { runPipelines, newRunId, type RunOptions } from './engine/run-pipelines';
export { planRun, type RunPlan, type PlannedPipeline, type PlannedStage } from './engine/plan';
export type { RunOutcome, PipelineOutcome, DocumentOutcome, PipelineStatus } from './engine/outcome';
export { describeSchema, type SettingDoc } from './schema/describe-schema';
export { pipelineFileEditorSchema, pluginWithSchema, editorConfigSchema, requiredKeys, VARIABLE_REFERENCE, type JsonSchema } from './schema/editor-schema';
export { createRunLogger, type RunLogger, type RunLoggerOptions } from './log/run-logger';
export { saveRunRecord, saveRunRecordSync, loadRunRecord, runRecordPath, failedSince, type RetrySelection } from './engine/run-record';
export { watchStrayErrors, StrayError } from './engine/stray-errors';
export type { PluginScope } from './engine/plugin-scope';
export { InProcessTargetLocks, type TargetLocks, type TargetLease, type AcquireOptions } from './locks/target-locks';
