/**
 * The `byteSize` keyword's check, shared by the validators ajv compiles at run time and those
 * precompiled at build time (precompiled-validators.ts), which call it by this module's package
 * path (`@pipe/core/byte-size-keyword`): a size string or number in range is valid and replaced by
 * its number of bytes in the data, so the config type is `number`.
 */
import { formatByteSize, parseByteSize } from '../util/byte-size';

export interface ByteSizeRange {
  readonly minimum?: number;
  readonly maximum?: number;
}

/** What is wrong with `data` as a size in `range`, or its bytes. */
export function checkByteSize(data: unknown, range: ByteSizeRange): { readonly bytes: number } | { readonly problem: string } {
  const bytes = typeof data === 'string' || typeof data === 'number' ? parseByteSize(data) : undefined;
  if (bytes === undefined) return { problem: `must be a size such as 10MB, 512KiB or a number of bytes (got ${JSON.stringify(data)})` };
  if (range.minimum !== undefined && bytes < range.minimum)
    return { problem: `must be at least ${formatByteSize(range.minimum)} (got ${formatByteSize(bytes)})` };
  if (range.maximum !== undefined && bytes > range.maximum)
    return { problem: `must be at most ${formatByteSize(range.maximum)} (got ${formatByteSize(bytes)})` };
  return { bytes };
}

/** Whether `data` is a size in `range`; if so it is replaced by its bytes in `parent` (absent at the root). */
export function applyByteSize(data: unknown, range: ByteSizeRange, parent: unknown, property: string | number | undefined): boolean {
  const checked = checkByteSize(data, range);
  if (!('bytes' in checked)) return false;
  if (parent !== undefined && property !== undefined) (parent as Record<string | number, unknown>)[property] = checked.bytes;
  return true;
}
