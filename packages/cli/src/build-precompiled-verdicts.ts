/**
 * Build step (scripts/build.js, after `tsc -b`): precompile the validators of every schema a CLI
 * install knows: the pipeline file's, the built-in plugins' and those of the plugin packages it
 * ships with (what its catalog finds beside it).
 */
import { renameSync, writeFileSync } from 'node:fs';
import { PipelineFileSchema, precompileVerdicts } from '@pipe/core/pipeline-file';
import type { AnySchemaObject } from 'ajv';
import { CLI_ROOT } from './cli-paths';
import { catalogFor } from './load-project';
import { PRECOMPILED_VERDICTS_FILE } from './precompiled-verdicts';

export async function shippedSchemas(): Promise<AnySchemaObject[]> {
  const catalog = catalogFor(CLI_ROOT);
  const entries = await catalog.entries(); // the built-ins, then every package's plugins
  if (catalog.broken.size > 0) throw new Error(`plugin packages failed to load: ${[...catalog.broken].map(([name, why]) => `${name} (${why})`).join('; ')}`);
  return [PipelineFileSchema, ...entries.map((entry) => entry.plugin.config)];
}

/** Writes the module; returns how many schemas it covers. */
export async function writePrecompiledVerdicts(): Promise<number> {
  const schemas = await shippedSchemas();
  const temporary = `${PRECOMPILED_VERDICTS_FILE}.${process.pid}.tmp`;
  writeFileSync(temporary, `// Written by the build (src/build-precompiled-verdicts.ts); do not edit.\n${precompileVerdicts(schemas)}\n`);
  renameSync(temporary, PRECOMPILED_VERDICTS_FILE);
  return schemas.length;
}
