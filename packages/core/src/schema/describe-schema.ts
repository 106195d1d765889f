/** A plugin's settings as a flat list read from its schema: what `pipe plugins describe` prints. */
import { requiredKeys } from './editor-schema';

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
  if (Array.isArray(schema.anyOf)) {
    const branches = schema.anyOf as Node[];
    const tags = branches.map((b) => (b.properties as Record<string, Node> | undefined)?.type?.const);
    // A union of objects told apart by `type` (e.g. auth): name the forms, their keys follow.
    if (tags.every((tag) => tag !== undefined)) return `object, type: ${tags.map(String).join(' | ')}`;
    return branches.map(typeOf).join(' | ');
  }
  if (schema.byteSize) return 'size';
  if (Array.isArray(schema.type)) return schema.type.join(' | ');
  if (schema.type === 'array' && schema.items) return `${typeOf(schema.items as Node)}[]`;
  const range = [schema.minimum !== undefined ? `>= ${String(schema.minimum)}` : '', schema.maximum !== undefined ? `<= ${String(schema.maximum)}` : '']
    .filter(Boolean)
    .join(', ');
  return `${typeof schema.type === 'string' ? schema.type : 'any'}${range ? ` (${range})` : ''}`;
}

/**
 * `required` means what `pipe schema` means: the key must be written (it is required and has no
 * default), its parent too. A key of one form of a union (e.g. `auth{type=basic}.username`) is
 * required when that form is the one written.
 */
export function describeSchema(schema: unknown, prefix = '', required = true): SettingDoc[] {
  const node = (schema ?? {}) as Node;
  const docs: SettingDoc[] = [];
  const props = node.properties as Record<string, Node> | undefined;
  if (props) {
    const needed = new Set(requiredKeys(node));
    for (const [key, sub] of Object.entries(props)) {
      const path = prefix ? `${prefix}.${key}` : key;
      docs.push({
        key: path,
        type: typeOf(sub),
        required: required && needed.has(key),
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
      if (branch.properties) docs.push(...describeSchema(branch, tag === undefined ? prefix : `${prefix}{type=${String(tag)}}`, required));
    }
  }
  return docs;
}
