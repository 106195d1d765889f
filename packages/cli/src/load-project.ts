/** Find, load and validate the pipeline file a command names (or the one cosmiconfig finds). */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Redactor } from '@pipe/core';
import { ExitCode, PipeError } from '@pipe/core/errors';
import { loadPipelineFile, PluginCatalog, resolvePipelineFile, type ResolvedPipelineFile } from '@pipe/core/pipeline-file';
import { CLI_NODE_MODULES } from './cli-paths';
import { usePrecompiledCliVerdicts } from './precompiled-verdicts';

/** The plugin packages the CLI ships with: built with it against the same core, so Node loads them. */
const SHIPPED_PACKAGES = ['@pipe/source-sfdc', '@pipe/sink-anaplan', '@pipe/emulator-sfdc', '@pipe/emulator-anaplan'];

/** The module a shipped package's `pipe.plugins` names, as the catalog will find it. */
function pluginEntry(packageName: string): string {
  const manifestPath = require.resolve(`${packageName}/package.json`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { pipe: { plugins: string } };
  return resolve(dirname(manifestPath), manifest.pipe.plugins);
}

let shippedEntries: Set<string> | undefined;

/** Read when the catalog first loads a package: a file using only built-in plugins needs none. */
function shippedPluginEntries(): Set<string> {
  shippedEntries ??= new Set(SHIPPED_PACKAGES.map(pluginEntry));
  return shippedEntries;
}

/** The catalog every command resolves plugins with; validation then uses the build's precompiled validators. */
export function catalogFor(cwd: string): PluginCatalog {
  usePrecompiledCliVerdicts();
  return new PluginCatalog({ cwd, extraNodeModules: CLI_NODE_MODULES, nativeEntries: shippedPluginEntries });
}

export async function loadProject(file: string | undefined, redactor: Redactor): Promise<ResolvedPipelineFile> {
  const loaded = await loadPipelineFile({ file: file && resolve(file), cwd: process.cwd() });
  const resolved = await resolvePipelineFile(loaded, catalogFor(dirname(loaded.file)));
  for (const secret of resolved.secrets) redactor.add(secret);
  return resolved;
}

/** `--pipeline` names the file does not have: a usage error listing the ones it has. */
export function checkPipelineNames(project: ResolvedPipelineFile, names: readonly string[] = []): void {
  const unknown = names.filter((name) => !project.pipelines.some((p) => p.name === name));
  if (unknown.length === 0) return;
  throw new PipeError(`no pipeline named ${unknown.join(', ')} in ${project.file}; pipelines: ${project.pipelines.map((p) => p.name).join(', ')}`, {
    code: 'UNKNOWN_PIPELINE',
    exitCode: ExitCode.Usage,
  });
}
