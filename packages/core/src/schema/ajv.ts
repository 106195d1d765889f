/**
 * The one ajv instance that validates pipeline files and plugin configs, with pipe's keywords:
 * `secret` (a marker read by redaction) and `byteSize` (checks a size string and converts it to bytes).
 */
import Ajv, { type AnySchemaObject } from 'ajv';
import type { DataValidateFunction } from 'ajv/dist/types';
import { formatByteSize, parseByteSize } from '../util/byte-size';

interface ByteSizeRange {
  minimum?: number;
  maximum?: number;
}

function byteSizeValidator(range: ByteSizeRange): DataValidateFunction {
  const validate: DataValidateFunction = (data, ctx) => {
    const bytes = typeof data === 'string' || typeof data === 'number' ? parseByteSize(data) : undefined;
    const fail = (message: string) => {
      validate.errors = [{ keyword: 'byteSize', message, params: range, instancePath: ctx?.instancePath ?? '' }];
      return false;
    };
    if (bytes === undefined) return fail(`must be a size such as 10MB, 512KiB or a number of bytes (got ${JSON.stringify(data)})`);
    if (range.minimum !== undefined && bytes < range.minimum) return fail(`must be at least ${formatByteSize(range.minimum)} (got ${formatByteSize(bytes)})`);
    if (range.maximum !== undefined && bytes > range.maximum) return fail(`must be at most ${formatByteSize(range.maximum)} (got ${formatByteSize(bytes)})`);
    if (ctx?.parentData && ctx.parentDataProperty !== undefined) {
      (ctx.parentData as Record<string | number, unknown>)[ctx.parentDataProperty] = bytes;
    }
    return true;
  };
  return validate;
}

export interface AjvOptions {
  /**
   * `false` skips checking each schema against the JSON Schema meta-schema when it is compiled
   * (the first check compiles the meta-schema: about a third of compiling a small pipeline file's
   * schemas); whoever passes it checks the schemas it cannot vouch for with
   * `ajv.validateSchema(schema, true)`.
   */
  readonly validateSchema?: boolean;
  /**
   * `true` compiles validators that only tell valid from invalid: they stop at the first error,
   * which carries no schema, and their code is not optimised. They compile in about half the time
   * (40 ms instead of 80 for a pipeline file's and two plugins' schemas, on every `pipe run`).
   */
  readonly verdictOnly?: boolean;
}

export function createAjv(options: AjvOptions = {}): Ajv {
  const detailed = options.verdictOnly !== true;
  const ajv = new Ajv({
    allErrors: detailed,
    verbose: detailed,
    code: { optimize: detailed },
    useDefaults: true,
    strict: true,
    allowUnionTypes: true,
    coerceTypes: false,
    validateSchema: options.validateSchema ?? true,
  });
  ajv.addKeyword({ keyword: 'secret', schemaType: 'boolean' });
  ajv.addKeyword({
    keyword: 'byteSize',
    schemaType: 'object',
    modifying: true,
    errors: true,
    compile: (range: ByteSizeRange) => byteSizeValidator(range),
  });
  return ajv;
}

export type { AnySchemaObject };
