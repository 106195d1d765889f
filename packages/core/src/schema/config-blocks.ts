/**
 * Building blocks for plugin config schemas, shared so every plugin's YAML looks alike: `Config`
 * for a `with:` block, `Secret`, `ByteSize`, `Concurrency`, `RetrySettings`, `Durable`. Plugin
 * authors import them from `@pipe/core` beside TypeBox's `Type`; they are built with core's own
 * TypeBox-compatible builders (json-type.ts), so the built-in plugins load without TypeBox.
 */
import type { SchemaOptions, TSchema, TUnsafe } from '@sinclair/typebox';
import { formatByteSize } from '../util/byte-size';
import { JsonType } from './json-type';

/** A string that must never be shown: redacted in logs, errors, `--json` and `--dry-run`. */
export const Secret = (options: SchemaOptions = {}) => JsonType.String({ ...options, secret: true });

export interface ByteSizeOptions {
  minimum?: number;
  maximum?: number;
  default?: string | number;
  description?: string;
}

/**
 * A size such as `10MB` or a number of bytes. ajv checks the range and hands the plugin bytes as a
 * number (the `byteSize` keyword converts in place), so the config type is `number`.
 */
export const ByteSize = (options: ByteSizeOptions = {}): TUnsafe<number> => {
  const { minimum, maximum, ...rest } = options;
  const range = minimum !== undefined && maximum !== undefined ? ` from ${formatByteSize(minimum)} to ${formatByteSize(maximum)}` : '';
  return JsonType.Unsafe<number>({
    type: ['string', 'integer'],
    byteSize: { minimum, maximum },
    ...rest,
    description: rest.description ?? `A size such as 10MB or 512KiB${range}.`,
  });
};

/** How many requests or items a plugin works on at once. */
export const Concurrency = (options: { default: number; maximum: number; description?: string }) => JsonType.Integer({ minimum: 1, ...options });

/** Retries with exponential backoff and full jitter, shared by every plugin that talks HTTP. */
export const RetrySettings = JsonType.Object(
  {
    attempts: JsonType.Integer({ minimum: 1, maximum: 20, default: 5, description: 'Tries per request, the first included.' }),
    initialDelayMs: JsonType.Integer({ minimum: 0, default: 500, description: 'Delay before the first retry.' }),
    maxDelayMs: JsonType.Integer({ minimum: 0, default: 30000, description: 'Longest delay between tries.' }),
  },
  { additionalProperties: false, default: {} },
);

/** A plugin's config block: an object that rejects unknown keys, so typos are caught. */
export const Config = <P extends Record<string, TSchema>>(properties: P, options: SchemaOptions = {}) =>
  JsonType.Object(properties, { additionalProperties: false, ...options });

/** Whether a file sink fsyncs each file before renaming it into place (survives a power cut, costs disk time). */
export const Durable = () =>
  JsonType.Boolean({ default: true, description: 'fsync each file before it is renamed into place, so it survives a power cut (costs disk time).' });
