/**
 * The validators the build precompiled for the CLI's schemas (scripts/build.js writes them with
 * build-precompiled-verdicts.ts): `pipe run` then neither loads ajv nor compiles a schema unless
 * a config is invalid. Without the file (a build that skipped the step) every schema is compiled
 * at run time, as before.
 */
import { join } from 'node:path';
import { usePrecompiledVerdicts, type PrecompiledVerdicts } from '@pipe/core/pipeline-file';

export const PRECOMPILED_VERDICTS_FILE = join(__dirname, 'precompiled-verdicts.generated.js');

export function usePrecompiledCliVerdicts(): void {
  usePrecompiledVerdicts(() => {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return require(PRECOMPILED_VERDICTS_FILE) as PrecompiledVerdicts;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && String((error as Error).message).includes(PRECOMPILED_VERDICTS_FILE))
        return undefined;
      throw error;
    }
  });
}
