/**
 * Building blocks for plugin config schemas. A schema written with these is JSON Schema at run
 * time (validated by ajv, rendered by `pipe plugins describe`) and, through `Static`, the config
 * type the plugin receives. The shared blocks are in config-blocks.ts; TypeBox's `Type` builds the rest.
 */
import type { Type as TypeBoxType } from '@sinclair/typebox';

export type { Static, TSchema } from '@sinclair/typebox';

/**
 * TypeBox's `Type`, loaded on first use: TypeBox is about 200 modules (a tenth of a second), and
 * importing @pipe/core, as every plugin does, should not cost that to a run whose plugins build
 * their schemas with `JsonType` (the shipped ones do) or not at all.
 */
export const Type: typeof TypeBoxType = new Proxy({} as typeof TypeBoxType, {
  get: (_target, key) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Type: typeBox } = require('@sinclair/typebox') as typeof import('@sinclair/typebox');
    // TypeBox's builders are plain functions of a module namespace: no `this` to bind.
    return Reflect.get(typeBox, key) as unknown;
  },
});
export { Secret, ByteSize, Concurrency, RetrySettings, Config, Durable, type ByteSizeOptions } from './config-blocks';
