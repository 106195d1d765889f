/**
 * The `concurrency` and `maxConcurrency` keys shared by plugins that move data over HTTP: a fixed
 * number, or `auto` for AdaptiveConcurrency, capped by `maxConcurrency`.
 */
import { JsonType } from '../schema/json-type';
import { AdaptiveConcurrency, DEFAULT_MAX_CONCURRENCY, type LimitChange } from './adaptive-concurrency';
import { FixedConcurrency, type ConcurrencyLimit } from './concurrency-limit';

export type ConcurrencySettingValue = 'auto' | number;

/** `auto` or a number from 1 to `maximum`. */
export const AutoConcurrency = (options: { default: ConcurrencySettingValue; maximum: number; description: string }) =>
  JsonType.Union([JsonType.Literal('auto'), JsonType.Integer({ minimum: 1, maximum: options.maximum })], {
    default: options.default,
    description: options.description,
  });

/** The cap on `concurrency: auto`. */
export const MaxConcurrency = (options: { maximum: number; default?: number }) =>
  JsonType.Integer({
    minimum: 1,
    maximum: options.maximum,
    default: Math.min(options.default ?? DEFAULT_MAX_CONCURRENCY, options.maximum),
    description: `The most requests \`concurrency: auto\` ever has in flight, 1 to ${options.maximum}.`,
  });

/** The limit a setting asks for; `onChange` hears every move of an `auto` limit. */
export function concurrencyLimit(setting: ConcurrencySettingValue, maxConcurrency: number, onChange?: (change: LimitChange) => void): ConcurrencyLimit {
  return setting === 'auto' ? new AdaptiveConcurrency({ maximum: maxConcurrency, onChange }) : new FixedConcurrency(setting);
}
