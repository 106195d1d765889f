/**
 * A parsed YAML pipeline file that remembers where every value came from, so validation errors
 * can point at `nightly.yml:12:9`. Hostile YAML (nesting thousands deep, endless or exploding
 * aliases) is refused with its location before anything walks the data.
 */
import { Composer, isMap, isNode, isScalar, isSeq, LineCounter, Parser, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import type { ConfigIssue } from './config-error';
import { aliasProblem } from './yaml-aliases';
import { duplicateKeys } from './yaml-duplicate-keys';
import { MAX_NESTING_DEPTH, tooDeepOffset } from './yaml-nesting';

export type KeyPath = readonly (string | number)[];

export class YamlSource {
  private constructor(
    readonly file: string,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
    /** Where the pipeline config sits in the document (e.g. under `pipe` in package.json). */
    private readonly prefix: KeyPath,
  ) {}

  /** Pairs of the maps looked into, by key: a file's `pipelines:` may hold thousands. */
  private readonly pairsByKey = new WeakMap<YAMLMap, Map<string, Pair>>();

  static parse(file: string, text: string, prefix: KeyPath = []): { source: YamlSource; issues: ConfigIssue[] } {
    const lines = new LineCounter();
    const at = (offset: number, message: string): ConfigIssue => {
      const pos = lines.linePos(offset);
      return { file, line: pos.line, column: pos.col, path: '', message };
    };
    const tokens = [...new Parser(lines.addNewLine).parse(text)];
    const deep = tooDeepOffset(tokens);
    const docs = deep === undefined ? [...new Composer({ prettyErrors: false, uniqueKeys: false }).compose(tokens, true, text.length)] : [];
    // An empty document stands in when nesting is refused, so that the source can still place issues.
    const doc = docs[0] ?? [...new Composer().compose([], true, 0)][0];
    const source = new YamlSource(file, doc, lines, prefix);
    if (deep !== undefined) {
      return {
        source,
        issues: [at(deep, `values nest more than ${MAX_NESTING_DEPTH} levels deep here; a pipeline file needs a few, so look for an unclosed [ or {`)],
      };
    }
    const issues = doc.errors.map((e) => at(e.pos[0], `YAML syntax: ${e.message.split('\n')[0]}`));
    if (docs.length > 1)
      issues.push(
        at(docs[1].range[0], 'a second YAML document (after ---); a pipeline file holds one, so remove the --- line or move the rest to its own file'),
      );
    for (const { key, first, name } of duplicateKeys(doc)) {
      issues.push(
        at(
          key.range?.[0] ?? 0,
          `YAML syntax: key "${name}" appears twice in this mapping (first on line ${lines.linePos(first.range?.[0] ?? 0).line}); keep one`,
        ),
      );
    }
    if (issues.length) return { source, issues };
    const aliases = aliasProblem(doc);
    return { source, issues: aliases ? [at(aliases.offset, aliases.message)] : [] };
  }

  /** The plain data of the document (aliases were checked by parse). */
  data(): unknown {
    return this.doc.toJS({ maxAliasCount: -1 });
  }

  /** Line and column of the value at `path` (or of the key `key` inside it), falling back to the nearest parent. */
  position(path: KeyPath, key?: string): { line: number; column: number } {
    const nodes = this.nodesAlong([...this.prefix, ...path]);
    if (key !== undefined) {
      const parent = nodes.at(-1);
      const pair = isMap(parent) ? this.pairs(parent).get(key) : undefined;
      if (pair && isNode(pair.key)) return this.at(pair.key);
    }
    for (let n = nodes.length - 1; n >= 0; n--) if (nodes[n].range) return this.at(nodes[n]);
    return { line: 0, column: 0 };
  }

  /** Whether the value at `path` was written as a plain (unquoted) scalar. */
  isPlainScalar(path: KeyPath): boolean {
    const full = [...this.prefix, ...path];
    const nodes = this.nodesAlong(full);
    const node = nodes.length === full.length + 1 ? nodes.at(-1) : undefined;
    return isScalar(node) && node.type === 'PLAIN';
  }

  issue(path: KeyPath, message: string, key?: string): ConfigIssue {
    const fullPath = key === undefined ? path : [...path, key];
    return { file: this.file, ...this.position(path, key), path: formatPath(fullPath), message };
  }

  /** The document's root and each node down `path`, as far as the path exists. */
  private nodesAlong(path: KeyPath): Node[] {
    const root = this.doc.contents;
    const nodes: Node[] = root ? [root] : [];
    for (const step of path) {
      const node = nodes.at(-1);
      const next = isMap(node) ? this.pairs(node).get(String(step))?.value : isSeq(node) && typeof step === 'number' ? node.items[step] : undefined;
      if (!isNode(next)) break;
      nodes.push(next);
    }
    return nodes;
  }

  private pairs(map: YAMLMap): Map<string, Pair> {
    let byKey = this.pairsByKey.get(map);
    if (!byKey) {
      byKey = new Map();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (key !== undefined && !byKey.has(key)) byKey.set(key, pair);
      }
      this.pairsByKey.set(map, byKey);
    }
    return byKey;
  }

  private at(node: Node): { line: number; column: number } {
    const offset = node.range?.[0];
    if (offset === undefined) return { line: 0, column: 0 };
    const pos = this.lines.linePos(offset);
    return { line: pos.line, column: pos.col };
  }
}

export function formatPath(path: KeyPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
