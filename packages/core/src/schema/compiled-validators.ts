/**
 * Each schema compiled once per process, in one shared ajv instance. Compiling is the expensive
 * step of validation (ajv generates and evaluates code), so a file of 5,000 pipelines compiles
 * each plugin's schema once and runs it 5,000 times, instead of compiling a schema that grows
 * with the file.
 */
import type { AnySchemaObject, ValidateFunction } from 'ajv';
import { createAjv } from './ajv';

const ajv = createAjv();
const compiled = new WeakMap<AnySchemaObject, ValidateFunction>();

/** The validator of `schema`, compiled the first time it is asked for. */
export function validatorFor(schema: AnySchemaObject): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}
