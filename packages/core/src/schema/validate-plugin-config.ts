/** Validate one plugin's `with:` block on its own (tests, programmatic use). Pipeline files go through config/. */
import type { Static, TSchema } from '@sinclair/typebox';
import { PipeError, ExitCode } from '../errors';
import { validatorFor } from './compiled-validators';

// Takes only what it reads: a plugin type here makes TypeScript instantiate every plugin's config type.
export function validatePluginConfig<S extends TSchema>(plugin: { readonly name: string; readonly config: S }, raw: unknown): Static<S> {
  const config = structuredClone(raw ?? {});
  const validate = validatorFor(plugin.config);
  if (!validate(config)) {
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`.trim());
    throw new PipeError(`invalid config for plugin "${plugin.name}": ${problems.join('; ')}`, {
      code: 'INVALID_CONFIG',
      exitCode: ExitCode.Usage,
    });
  }
  return config;
}
