/**
 * The validators the build precompiled for the CLI's schemas (scripts/build.js writes them with
 * build-precompiled-verdicts.ts): `pipe run` then neither loads ajv nor compiles a schema unless
 * a config is invalid. Without the file (a build that skipped the step) every schema is compiled
 * at run time, as before.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { usePrecompiledVerdicts, type PrecompiledVerdicts } from '@pipe/core/pipeline-file';

export const PRECOMPILED_VERDICTS_FILE = join(__dirname, 'precompiled-verdicts.generated.js');

let registered = false;

/** Registers the build's validators with core once per process (every command's catalog asks). */
export function usePrecompiledCliVerdicts(): void {
  if (registered) return;
  registered = true;
  // A file that exists but does not load (a dependency missing) is an error, not a reason to go without.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  usePrecompiledVerdicts(() => (existsSync(PRECOMPILED_VERDICTS_FILE) ? (require(PRECOMPILED_VERDICTS_FILE) as PrecompiledVerdicts) : undefined));
}
