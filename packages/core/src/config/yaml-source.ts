/**
 * A parsed YAML pipeline file that remembers where every value came from, so validation errors
 * can point at `nightly.yml:12:9`.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { ConfigIssue } from './config-error';

export type KeyPath = readonly (string | number)[];

export class YamlSource {
  private constructor(
    readonly file: string,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
    /** Where the pipeline config sits in the document (e.g. under `pipe` in package.json). */
    private readonly prefix: KeyPath,
  ) {}

  static parse(file: string, text: string, prefix: KeyPath = []): { source: YamlSource; issues: ConfigIssue[] } {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const source = new YamlSource(file, doc, lines, prefix);
    const issues = doc.errors.map((e) => {
      const pos = lines.linePos(e.pos[0]);
      return { file, line: pos.line, column: pos.col, path: '', message: `YAML syntax: ${e.message.split('\n')[0]}` };
    });
    return { source, issues };
  }

  /** The plain data of the document. */
  data(): unknown {
    return this.doc.toJS({ maxAliasCount: 100 });
  }

  /** Line and column of the value at `path` (or of the key `key` inside it), falling back to the nearest parent. */
  position(path: KeyPath, key?: string): { line: number; column: number } {
    const full = [...this.prefix, ...path];
    if (key !== undefined) {
      const parent = this.doc.getIn(full, true);
      if (isMap(parent)) {
        const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
        if (pair && isScalar(pair.key)) return this.at(pair.key as Node);
      }
    }
    for (let n = full.length; n >= 0; n--) {
      const node = n === 0 ? this.doc.contents : this.doc.getIn(full.slice(0, n), true);
      if (node && (isScalar(node) || isMap(node) || isSeq(node))) return this.at(node as Node);
    }
    return { line: 0, column: 0 };
  }

  /** Whether the value at `path` was written as a plain (unquoted) scalar. */
  isPlainScalar(path: KeyPath): boolean {
    const node = this.doc.getIn([...this.prefix, ...path], true);
    return isScalar(node) && node.type === 'PLAIN';
  }

  issue(path: KeyPath, message: string, key?: string): ConfigIssue {
    const fullPath = key === undefined ? path : [...path, key];
    return { file: this.file, ...this.position(path, key), path: formatPath(fullPath), message };
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
