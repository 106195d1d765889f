/** Find, load and validate the pipeline file a command names (or the one cosmiconfig finds). */
import { dirname, resolve } from 'node:path';
import { loadPipelineFile, PluginCatalog, resolvePipelineFile, type Redactor, type ResolvedPipelineFile } from '@pipe/core';
import { CLI_NODE_MODULES } from './cli-paths';

/** The plugin packages the CLI ships with: built with it against the same core, so Node loads them. */
const SHIPPED_PACKAGES = ['@pipe/source-sfdc', '@pipe/sink-anaplan'];

export function catalogFor(cwd: string): PluginCatalog {
  const nativeEntries = new Set(SHIPPED_PACKAGES.map((name) => require.resolve(name)));
  return new PluginCatalog({ cwd, extraNodeModules: [CLI_NODE_MODULES], nativeEntries });
}

export async function loadProject(file: string | undefined, redactor: Redactor): Promise<ResolvedPipelineFile> {
  const loaded = await loadPipelineFile({ file: file && resolve(file), cwd: process.cwd() });
  const resolved = await resolvePipelineFile(loaded, catalogFor(dirname(loaded.file)));
  for (const secret of resolved.secrets) redactor.add(secret);
  return resolved;
}
