/**
 * Keys written twice in one mapping. The YAML library's own check (uniqueKeys) compares each new
 * key with every earlier one, which is quadratic in a `pipelines:` of thousands; this one keeps a
 * set per mapping.
 */
import { isCollection, isMap, isPair, isScalar, type Document, type Node } from 'yaml';

export interface DuplicateKey {
  /** The second occurrence. */
  readonly key: Node;
  /** The first occurrence. */
  readonly first: Node;
  readonly name: string;
}

export function duplicateKeys(doc: Document.Parsed): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  // Iterative: nesting was limited, but walks here never rely on the call stack.
  const pending: unknown[] = [doc.contents];
  while (pending.length) {
    const node = pending.pop();
    if (isPair(node)) pending.push(node.value, node.key);
    if (!isCollection(node)) continue;
    if (isMap(node)) {
      const seen = new Map<unknown, Node>();
      for (const pair of node.items) {
        if (!isScalar(pair.key)) continue;
        const first = seen.get(pair.key.value);
        if (first) found.push({ key: pair.key, first, name: String(pair.key.value) });
        else seen.set(pair.key.value, pair.key);
      }
    }
    for (let i = node.items.length - 1; i >= 0; i--) pending.push(node.items[i]);
  }
  return found;
}
