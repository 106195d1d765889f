/**
 * How deep a YAML text nests, read from its syntax tree before the document is built: building a
 * document thousands of levels deep (`[[[[...`) exhausts the call stack, in the YAML library and in
 * every walk over the data after it.
 */
import type { CST } from 'yaml';

/** A pipeline file needs about ten levels; this leaves room for any plugin's settings. */
export const MAX_NESTING_DEPTH = 100;

/** Offset of the first collection nested deeper than MAX_NESTING_DEPTH, or undefined. */
export function tooDeepOffset(tokens: readonly CST.Token[]): number | undefined {
  // Iterative on purpose: the tree may be deeper than the call stack.
  // Pushed in reverse so that the first offending collection in the file is found first.
  const pending: { token: CST.Token; depth: number }[] = tokens.map((token) => ({ token, depth: 0 })).reverse();
  while (pending.length) {
    const { token, depth } = pending.pop()!;
    switch (token.type) {
      case 'document':
        if (token.value) pending.push({ token: token.value, depth });
        break;
      case 'block-map':
      case 'block-seq':
      case 'flow-collection': {
        if (depth + 1 > MAX_NESTING_DEPTH) return token.offset;
        for (const item of [...token.items].reverse()) {
          if (item.value) pending.push({ token: item.value, depth: depth + 1 });
          if (item.key) pending.push({ token: item.key, depth: depth + 1 });
        }
        break;
      }
      default:
        break;
    }
  }
  return undefined;
}
