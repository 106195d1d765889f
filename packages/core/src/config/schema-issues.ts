/** Turns ajv errors into issues a person can act on: the key, its line and column, and what would be valid. */
import type { ErrorObject } from 'ajv';
import type { ConfigIssue } from './config-error';
import type { KeyPath, YamlSource } from './yaml-source';

type SchemaNode = Record<string, unknown>;

function pathOf(instancePath: string): (string | number)[] {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function valueAt(data: unknown, path: KeyPath): unknown {
  let v = data;
  for (const k of path) v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined;
  return v;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** The `const` values an anyOf offers, when all its branches are constants. */
function constChoices(schema: unknown): unknown[] | undefined {
  const branches = (schema as SchemaNode | undefined)?.anyOf;
  if (!Array.isArray(branches) || !branches.every((b) => b && typeof b === 'object' && 'const' in b)) return undefined;
  return branches.map((b) => (b as SchemaNode).const);
}

/** For an anyOf of objects told apart by a constant `type` (or `mode`) key: the key and the branch each value selects. */
function discriminated(schema: unknown): { key: string; branches: Map<unknown, number> } | undefined {
  const branches = (schema as SchemaNode | undefined)?.anyOf;
  if (!Array.isArray(branches)) return undefined;
  for (const key of ['type', 'mode', 'kind']) {
    const map = new Map<unknown, number>();
    branches.forEach((b, i) => {
      const c = ((b as SchemaNode)?.properties as Record<string, SchemaNode> | undefined)?.[key]?.const;
      if (c !== undefined) map.set(c, i);
    });
    if (map.size === branches.length) return { key, branches: map };
  }
  return undefined;
}

/**
 * Issues for ajv's `errors` about `data`, the value found at key path `at` in the file (a stage's
 * `with:` block is validated on its own; its errors still point into the file).
 */
export function schemaIssues(errors: readonly ErrorObject[], source: YamlSource, data: unknown, at: KeyPath = []): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  const suppressed: string[] = [];
  const add = (issue: ConfigIssue) => {
    const key = `${issue.path}|${issue.message}`;
    if (seen.has(key)) return;
    issues.push(issue);
    seen.add(key);
  };
  // Handle anyOf first: they decide which branch errors are worth showing.
  const ordered = [...errors].sort((a, b) => (a.keyword === 'anyOf' ? -1 : 0) - (b.keyword === 'anyOf' ? -1 : 0));
  for (const error of ordered) {
    if (suppressed.some((prefix) => error.schemaPath.startsWith(prefix))) continue;
    const inData = pathOf(error.instancePath);
    const value = valueAt(data, inData);
    const path = [...at, ...inData];
    const params = error.params as Record<string, unknown>;
    switch (error.keyword) {
      case 'additionalProperties': {
        const key = String(params.additionalProperty);
        const props = Object.keys(((error.parentSchema as SchemaNode)?.properties as object) ?? {});
        const patterns = Object.keys(((error.parentSchema as SchemaNode)?.patternProperties as object) ?? {});
        const hint = props.length
          ? `valid keys: ${props.join(', ')}`
          : patterns.length
            ? `names must match ${patterns.join(' or ')}`
            : 'no keys are allowed here';
        add(source.issue(path, `unknown key "${key}"; ${hint}`, key));
        break;
      }
      case 'required':
        add(source.issue(path, `missing required key "${String(params.missingProperty)}"`));
        break;
      case 'anyOf': {
        const choices = constChoices(error.parentSchema);
        if (choices) {
          add(source.issue(path, `must be one of: ${choices.map((c) => JSON.stringify(c)).join(', ')} (got ${describeType(value)})`));
          suppressed.push(`${error.schemaPath}/`);
          break;
        }
        const tagged = discriminated(error.parentSchema);
        if (tagged && value && typeof value === 'object' && !Array.isArray(value)) {
          const tag = (value as Record<string, unknown>)[tagged.key];
          const branch = tagged.branches.get(tag);
          if (branch === undefined) {
            add(
              source.issue(
                [...path, tagged.key],
                `must be one of: ${[...tagged.branches.keys()].map((c) => JSON.stringify(c)).join(', ')}${tag === undefined ? '' : ` (got ${describeType(tag)})`}`,
              ),
            );
            suppressed.push(`${error.schemaPath}/`);
          } else {
            // Keep only the chosen branch's errors.
            for (const other of tagged.branches.values()) if (other !== branch) suppressed.push(`${error.schemaPath}/${other}/`);
          }
          break;
        }
        add(source.issue(path, `does not match any allowed form (got ${describeType(value)})`));
        break;
      }
      case 'type':
        add(source.issue(path, `must be ${String(params.type).replace(',', ' or ')} (got ${describeType(value)})`));
        break;
      case 'const':
        add(source.issue(path, `must be ${JSON.stringify(params.allowedValue)} (got ${describeType(value)})`));
        break;
      case 'enum':
        add(source.issue(path, `must be one of: ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`));
        break;
      default:
        add(source.issue(path, error.message ?? `fails ${error.keyword}`));
    }
  }
  return issues;
}
