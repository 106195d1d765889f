/**
 * Secret handling driven by the schema: a field declared `{ secret: true }` is collected for the
 * redactor and masked in anything shown (dry-run plans, `--json`), so no call site has to know.
 */
import { REDACTED } from '../log/redactor';

type JsonSchema = { [key: string]: unknown };

/** Walk `value` alongside `schema`, calling `visit` for each value under a secret field. */
function walkSecrets(schema: unknown, value: unknown, visit: (value: unknown) => unknown): unknown {
  if (!schema || typeof schema !== 'object') return value;
  const s = schema as JsonSchema;
  if (s.secret === true && value !== undefined) return visit(value);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const branches = s[key];
    if (Array.isArray(branches)) for (const branch of branches) value = walkSecrets(branch, value, visit);
  }
  if (Array.isArray(value) && s.items) return value.map((item) => walkSecrets(s.items, item, visit));
  if (value && typeof value === 'object' && !Array.isArray(value) && s.properties) {
    const props = s.properties as Record<string, unknown>;
    const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const [key, sub] of Object.entries(props)) if (key in out) out[key] = walkSecrets(sub, out[key], visit);
    return out;
  }
  return value;
}

/** Every string value `config` holds in a secret field. */
export function secretValues(schema: unknown, config: unknown): string[] {
  const found: string[] = [];
  walkSecrets(schema, config, (v) => {
    if (typeof v === 'string') found.push(v);
    return v;
  });
  return found;
}

/** A copy of `config` with every secret field replaced by `[redacted]`. */
export function redactSecretFields<T>(schema: unknown, config: T): T {
  return walkSecrets(schema, config, () => REDACTED) as T;
}
