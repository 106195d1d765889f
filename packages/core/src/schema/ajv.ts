/**
 * The ajv instances that validate pipeline files and plugin configs, with pipe's keywords:
 * `secret` (a marker read by redaction) and `byteSize` (checks a size string and converts it to bytes).
 *
 * ajv itself (about 60 modules) is loaded on first use: a run whose schemas were all precompiled
 * (precompiled-validators.ts) and whose config is valid never loads it.
 */
import type Ajv from 'ajv';
import type { AnySchemaObject, KeywordCxt } from 'ajv';
import type { DataValidateFunction } from 'ajv/dist/types';
import { applyByteSize, checkByteSize, type ByteSizeRange } from './byte-size-keyword';

/** The module precompiled validators load `applyByteSize` from (this package's export of byte-size-keyword.ts). */
export const BYTE_SIZE_KEYWORD_MODULE = '@pipe/core/byte-size-keyword';

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
  /** Keep each validator's source, for ajv's standalone code (verdict-only validators, optimised). */
  readonly standalone?: boolean;
}

export function createAjv(options: AjvOptions = {}): Ajv {
  const detailed = options.verdictOnly !== true;
  const standalone = options.standalone === true;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { default: AjvClass, _ } = require('ajv') as typeof import('ajv');
  const ajv = new AjvClass({
    allErrors: detailed,
    verbose: detailed,
    code: { optimize: detailed || standalone, source: standalone },
    useDefaults: true,
    strict: true,
    allowUnionTypes: true,
    coerceTypes: false,
    validateSchema: options.validateSchema ?? true,
  });
  ajv.addKeyword({ keyword: 'secret', schemaType: 'boolean' });
  if (detailed) {
    // Its own error messages, which config errors quote.
    ajv.addKeyword({ keyword: 'byteSize', schemaType: 'object', modifying: true, errors: true, compile: byteSizeValidator });
  } else {
    // Code that calls `applyByteSize`, so that it can be written out as standalone code.
    ajv.addKeyword({
      keyword: 'byteSize',
      schemaType: 'object',
      modifying: true,
      code(cxt: KeywordCxt) {
        const apply = cxt.gen.scopeValue('keyword', { ref: applyByteSize, code: _`require(${BYTE_SIZE_KEYWORD_MODULE}).applyByteSize` });
        cxt.fail(_`!${apply}(${cxt.data}, ${cxt.schemaValue}, ${cxt.it.parentData}, ${cxt.it.parentDataProperty})`);
      },
    });
  }
  return ajv;
}

function byteSizeValidator(range: ByteSizeRange): DataValidateFunction {
  const validate: DataValidateFunction = (data, ctx) => {
    const checked = checkByteSize(data, range);
    if ('problem' in checked) {
      validate.errors = [{ keyword: 'byteSize', message: checked.problem, params: range, instancePath: ctx?.instancePath ?? '' }];
      return false;
    }
    if (ctx?.parentData && ctx.parentDataProperty !== undefined) {
      (ctx.parentData as Record<string | number, unknown>)[ctx.parentDataProperty] = checked.bytes;
    }
    return true;
  };
  return validate;
}

export type { AnySchemaObject };
