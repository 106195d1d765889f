/**
 * `${VAR}` and `${VAR:-default}` in string values, filled from the environment and from a `.env`
 * file beside the pipeline file (the real environment wins). Done on the parsed tree, not the
 * text, so a value can never inject YAML. `$${` writes a literal `${`.
 *
 * An unquoted value that is exactly one reference (`concurrency: ${UPLOADS:-8}`) takes the type
 * YAML would give the substituted text (a number here); a quoted one stays a string.
 *
 * Any other `${` (no closing brace, or no valid name inside) is an error rather than literal text,
 * so a typo never reaches a plugin as a path or a password.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ConfigIssue } from './config-error';
import type { KeyPath, YamlSource } from './yaml-source';

/** `$${`, a valid reference, or (last) any other `${`. */
const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{/g;

/** A value that is exactly one `${VAR}` or `${VAR:-default}`, as a JSON Schema pattern (the editor schema accepts it for numbers and booleans). */
export const WHOLE_REFERENCE_PATTERN = '^\\$\\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\\}$';
const WHOLE_REFERENCE = new RegExp(WHOLE_REFERENCE_PATTERN);

/** The value YAML would read from `text` written unquoted, when that is a number, boolean or null. */
function typedScalar(text: string): unknown {
  try {
    const parsed: unknown = parseYaml(text);
    return parsed === null || typeof parsed === 'number' || typeof parsed === 'boolean' ? parsed : text;
  } catch {
    return text;
  }
}

/** Variable names whose values are treated as secrets wherever they are used. */
const SECRET_NAME = /PASS|SECRET|TOKEN|KEY|SID|SESSION|CREDENTIAL|PRIVATE/i;

export interface Substitution {
  readonly path: KeyPath;
  readonly variable: string;
  readonly value: string;
}

export interface InterpolationResult {
  readonly data: unknown;
  readonly substitutions: readonly Substitution[];
  readonly issues: readonly ConfigIssue[];
}

export function loadDotenv(dir: string): Record<string, string> {
  let text: Buffer;
  try {
    text = readFileSync(join(dir, '.env'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  // dotenv is loaded only when there is a .env to parse.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parse } = require('dotenv') as typeof import('dotenv');
  return parse(text);
}

export function interpolateEnv(data: unknown, env: Readonly<Record<string, string | undefined>>, source: YamlSource): InterpolationResult {
  const substitutions: Substitution[] = [];
  const issues: ConfigIssue[] = [];
  const walk = (value: unknown, path: KeyPath): unknown => {
    if (typeof value === 'string') {
      const before = issues.length;
      const replaced = value.replace(REFERENCE, (match, name: string | undefined, fallback: string | undefined, offset: number) => {
        if (match === '$${') return '${';
        if (name === undefined) {
          issues.push(source.issue(path, malformedReference(value.slice(offset))));
          return match;
        }
        const found = env[name];
        if (found !== undefined && (found !== '' || fallback === undefined)) {
          substitutions.push({ path, variable: name, value: found });
          return found;
        }
        if (fallback !== undefined) return fallback;
        issues.push(
          source.issue(path, `environment variable ${name} is not set; set it (or put it in .env beside the pipeline file), or write \${${name}:-default}`),
        );
        return match;
      });
      if (replaced !== value && issues.length === before && WHOLE_REFERENCE.test(value) && source.isPlainScalar(path)) return typedScalar(replaced);
      return replaced;
    }
    if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, i]));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, [...path, k])]));
    }
    return value;
  };
  return { data: walk(data, []), substitutions, issues };
}

/** What is wrong with the `${` that `rest` starts with, and how to write it. The text is not quoted: it may be part of a secret. */
function malformedReference(rest: string): string {
  const fix = 'write ${NAME} or ${NAME:-default} (NAME: letters, digits and _, not starting with a digit), or $${ for a literal ${';
  return rest.includes('}') ? `a \${...} here is not a valid reference; ${fix}` : `a \${ here has no closing }; ${fix}`;
}

/** Values that came from variables named like secrets. */
export function secretSubstitutions(substitutions: readonly Substitution[]): string[] {
  return substitutions.filter((s) => SECRET_NAME.test(s.variable)).map((s) => s.value);
}
