/** A plugin's settings as a flat list read from its schema: what `pipe plugins describe` prints. */

export interface SettingDoc {
  /** Dotted path, e.g. `auth.username`. */
  readonly key: string;
  readonly type: string;
  readonly required: boolean;
  readonly default?: unknown;
  readonly secret: boolean;
  readonly description?: string;
}

type Node = Record<string, unknown>;

function typeOf(schema: Node): string {
  if ('const' in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as Node[]).map(typeOf).join(' | ');
  if (schema.byteSize) return 'size';
  if (Array.isArray(schema.type)) return schema.type.join(' | ');
  if (schema.type === 'array' && schema.items) return `${typeOf(schema.items as Node)}[]`;
  const range = [schema.minimum !== undefined ? `>= ${schema.minimum}` : '', schema.maximum !== undefined ? `<= ${schema.maximum}` : ''].filter(Boolean).join(', ');
  return `${String(schema.type ?? 'any')}${range ? ` (${range})` : ''}`;
}

export function describeSchema(schema: unknown, prefix = '', required = true): SettingDoc[] {
  const node = (schema ?? {}) as Node;
  const docs: SettingDoc[] = [];
  const props = node.properties as Record<string, Node> | undefined;
  if (props) {
    const needed = new Set((node.required as string[] | undefined) ?? []);
    for (const [key, sub] of Object.entries(props)) {
      const path = prefix ? `${prefix}.${key}` : key;
      docs.push({
        key: path,
        type: typeOf(sub),
        required: required && needed.has(key) && sub.default === undefined,
        default: sub.default,
        secret: sub.secret === true,
        description: sub.description as string | undefined,
      });
      docs.push(...describeSchema(sub, path, required && needed.has(key)));
    }
  }
  // A union of objects (e.g. auth by type): describe each form's keys under its discriminator.
  if (Array.isArray(node.anyOf)) {
    for (const branch of node.anyOf as Node[]) {
      const tag = (branch.properties as Record<string, Node> | undefined)?.type?.const;
      if (branch.properties) docs.push(...describeSchema(branch, tag === undefined ? prefix : `${prefix}{type=${String(tag)}}`, false));
    }
  }
  return docs;
}
