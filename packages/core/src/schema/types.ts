/**
 * Building blocks for plugin config schemas. A schema written with these is JSON Schema at run
 * time (validated by ajv, rendered by `pipe plugins describe`) and, through `Static`, the config
 * type the plugin receives. The shared blocks are in config-blocks.ts; TypeBox's `Type` builds the rest.
 */
export { Type } from '@sinclair/typebox';
export type { Static, TSchema } from '@sinclair/typebox';
export { Secret, ByteSize, Concurrency, RetrySettings, Config, Durable, type ByteSizeOptions } from './config-blocks';
