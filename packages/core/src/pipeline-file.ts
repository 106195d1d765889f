/**
 * @pipe/core/pipeline-file: reading a pipeline file and checking it against the plugins it uses,
 * without the run engine. `pipe validate` imports only this, so checking a file never loads what
 * runs one; @pipe/core/engine re-exports all of it.
 */
export { PluginCatalog, UnknownPluginError, type CatalogEntry, type CatalogOptions } from './plugin/catalog';
export { loadPipelineFile, pipelineFileFromText, SEARCH_PLACES, type LoadedPipelineFile } from './config/load-pipeline-file';
export { resolvePipelineFile, type ResolvedPipelineFile, type ResolvedPipeline, type ResolvedStage } from './config/resolve-pipeline-file';
export { PipelineFileSchema } from './config/pipeline-file-schema';
export { precompileVerdicts, usePrecompiledVerdicts, schemaKey, type PrecompiledVerdicts, type Verdict } from './schema/precompiled-validators';
