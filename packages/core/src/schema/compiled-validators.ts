/**
 * Each schema compiled once per process, in shared ajv instances. Compiling is the expensive step
 * of validation (ajv generates and evaluates code), so a file of 5,000 pipelines compiles each
 * plugin's schema once and runs it 5,000 times, instead of compiling a schema that grows with the
 * file.
 *
 * Configs are nearly always valid, and every `pipe run` pays for the compiling: a schema is first
 * compiled to a validator that only gives the verdict, quick to compile. Only when it says invalid
 * is the schema compiled again for every error with its schema, which is what config errors are
 * made of (schema-issues.ts), and the data validated again.
 *
 * A schema precompiled at build time (precompiled-validators.ts) is not compiled at all until a
 * config fails it.
 *
 * A schema from outside core is first checked against the JSON Schema meta-schema, as ajv does by
 * default. Core's own schemas (the pipeline file's, the built-in plugins') skip that check, which
 * would compile the meta-schema on every start: the tests check them against it instead
 * (test/schema/core-schemas.test.ts); a precompiled one was checked when it was built.
 */
import type Ajv from 'ajv';
import type { AnySchemaObject, ErrorObject, ValidateFunction } from 'ajv';
import { createAjv } from './ajv';
import { precompiledVerdict } from './precompiled-validators';

/** Validates data, applying the schema's defaults; after a `false`, `errors` says why, each with its schema. */
export interface ConfigValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

let verdicts: Ajv | undefined;
let details: Ajv | undefined;
const compiled = new WeakMap<AnySchemaObject, ConfigValidator>();

/** Whose schema it is: `core` for the pipeline file's and the built-in plugins', `plugin` for any other. */
export type SchemaOrigin = 'core' | 'plugin';

/** The validator of `schema`, compiled the first time it is asked for. */
export function validatorFor(schema: AnySchemaObject, origin: SchemaOrigin = 'plugin'): ConfigValidator {
  let validate = compiled.get(schema);
  if (!validate) {
    const verdict = precompiledVerdict(schema) ?? compileVerdict(schema, origin);
    let detailed: ValidateFunction | undefined;
    const check: ConfigValidator = (data) => {
      check.errors = null;
      if (verdict(data)) return true;
      detailed ??= (details ??= createAjv({ validateSchema: false })).compile(schema);
      // Defaults and sizes the first pass filled in validate the same way the second time.
      const valid = detailed(data);
      check.errors = detailed.errors;
      return valid;
    };
    validate = check;
    compiled.set(schema, validate);
  }
  return validate;
}

function compileVerdict(schema: AnySchemaObject, origin: SchemaOrigin): (data: unknown) => boolean {
  verdicts ??= createAjv({ validateSchema: false, verdictOnly: true });
  // Throws "schema is invalid: ..." as ajv's compile would (the result is a boolean for a synchronous meta-schema).
  if (origin === 'plugin') void verdicts.validateSchema(schema, true);
  return verdicts.compile(schema);
}
