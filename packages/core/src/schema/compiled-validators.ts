/**
 * Each schema compiled once per process, in one shared ajv instance. Compiling is the expensive
 * step of validation (ajv generates and evaluates code), so a file of 5,000 pipelines compiles
 * each plugin's schema once and runs it 5,000 times, instead of compiling a schema that grows
 * with the file.
 *
 * A schema from outside core is first checked against the JSON Schema meta-schema, as ajv does by
 * default. Core's own schemas (the pipeline file's, the built-in plugins') skip that check, which
 * would compile the meta-schema on every start: the tests check them against it instead
 * (test/schema/core-schemas.test.ts).
 */
import type { AnySchemaObject, ValidateFunction } from 'ajv';
import { createAjv } from './ajv';

const ajv = createAjv({ validateSchema: false });
const compiled = new WeakMap<AnySchemaObject, ValidateFunction>();

/** Whose schema it is: `core` for the pipeline file's and the built-in plugins', `plugin` for any other. */
export type SchemaOrigin = 'core' | 'plugin';

/** The validator of `schema`, compiled the first time it is asked for. */
export function validatorFor(schema: AnySchemaObject, origin: SchemaOrigin = 'plugin'): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    // Throws "schema is invalid: ..." as ajv's compile would (the result is a boolean for a synchronous meta-schema).
    if (origin === 'plugin') void ajv.validateSchema(schema, true);
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}
