/**
 * Aliases (`*name`) checked before a YAML document becomes data. An alias inside the value its
 * anchor names would make a value without end, and aliases of aliases ("billion laughs") turn a
 * small file into more values than memory holds. The YAML library's own guard (maxAliasCount)
 * says neither where nor why, and refuses a plain file that reuses one `auth:` block in a few
 * hundred pipelines; this one counts what the aliases really add.
 */
import { isAlias, isCollection, isPair, isScalar, type Document, type Node } from 'yaml';

/** Values aliases may add to a file, all copies counted: far above reuse, far below exhaustion. */
export const MAX_ALIAS_EXPANSION = 1_000_000;

export interface AliasProblem {
  /** Offset of the alias in the text. */
  readonly offset: number;
  readonly message: string;
}

/** The first alias (in file order) that has no anchor, refers to a value holding it, or adds past the limit. */
export function aliasProblem(doc: Document.Parsed): AliasProblem | undefined {
  const anchored = new Map<string, Node>();
  /** Values each closed anchored node stands for, its own aliases expanded. */
  const sizes = new Map<Node, number>();
  const open = new Set<unknown>();
  /** Value counts of the collections being walked, innermost last. */
  const counts: number[] = [];
  const count = (n: number) => {
    if (counts.length) counts[counts.length - 1] += n;
  };
  let added = 0;
  // Iterative, in file order: an anchor counts only for aliases after it, as YAML resolves them.
  const pending: { node: unknown; closing: boolean }[] = [{ node: doc.contents, closing: false }];
  while (pending.length) {
    const { node, closing } = pending.pop()!;
    if (closing) {
      const size = counts.pop()!;
      open.delete(node);
      if (isCollection(node) && node.anchor) sizes.set(node, Math.min(size, MAX_ALIAS_EXPANSION + 1));
      count(size);
    } else if (isPair(node)) {
      pending.push({ node: node.value, closing: false }, { node: node.key, closing: false });
    } else if (isAlias(node)) {
      const name = node.source;
      const offset = node.range?.[0] ?? 0;
      const target = anchored.get(name);
      if (!target) return { offset, message: `alias *${name} has no anchor &${name} before it; put &${name} on a value earlier in the file` };
      if (open.has(target)) {
        return { offset, message: `alias *${name} is inside the value &${name} names, so that value would never end; point it at a value outside &${name}` };
      }
      const size = sizes.get(target) ?? 1;
      added += size;
      if (added > MAX_ALIAS_EXPANSION) {
        return {
          offset,
          message: `alias *${name} takes the values aliases add to the file past ${MAX_ALIAS_EXPANSION.toLocaleString('en-US')} (aliases of aliases multiply); write the values out or alias fewer of them`,
        };
      }
      count(size);
    } else if (isCollection(node)) {
      if (node.anchor) anchored.set(node.anchor, node);
      open.add(node);
      counts.push(1);
      pending.push({ node, closing: true });
      for (let i = node.items.length - 1; i >= 0; i--) pending.push({ node: node.items[i], closing: false });
    } else if (isScalar(node)) {
      if (node.anchor) {
        anchored.set(node.anchor, node);
        sizes.set(node, 1);
      }
      count(1);
    }
  }
  return undefined;
}
