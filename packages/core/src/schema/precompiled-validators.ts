/**
 * Verdict validators compiled at build time. Compiling schemas is most of what validating a config
 * costs, and loading ajv to do it another 60 modules: about 0.1 s of every `pipe run`. A build
 * writes the validators of the schemas it knows (the CLI's: the pipeline file's and its shipped
 * plugins') as ajv standalone code, and the program registers that module; a schema is then looked
 * up by its content, so a schema changed since the build (or never built) is compiled at run time
 * as before, and an invalid config still gets its detailed errors from ajv.
 */
import { createHash } from 'node:crypto';
import type { AnySchemaObject } from 'ajv';
import { createAjv } from './ajv';

/** Valid or not; fills in defaults and converts sizes like the run-time verdict validators. */
export type Verdict = (data: unknown) => boolean;

/** What a precompiled module exports: a verdict per schema key. */
export type PrecompiledVerdicts = Readonly<Record<string, Verdict | undefined>>;

let load: (() => PrecompiledVerdicts | undefined) | undefined;
let loaded: PrecompiledVerdicts | undefined;

/**
 * Use the verdicts `loader` gives (called once, on the first validation) for the schemas they
 * cover. A loader that returns undefined (no build output) leaves every schema compiled at run time.
 */
export function usePrecompiledVerdicts(loader: () => PrecompiledVerdicts | undefined): void {
  load = loader;
  loaded = undefined;
}

/** The precompiled verdict for `schema`, if one was registered. */
export function precompiledVerdict(schema: AnySchemaObject): Verdict | undefined {
  if (!load) return undefined;
  loaded ??= load() ?? {};
  return loaded[schemaKey(schema)];
}

/** The key of a schema's validator: a digest of its JSON, so any change to the schema misses. */
export function schemaKey(schema: AnySchemaObject): string {
  return `s${createHash('sha256').update(JSON.stringify(schema)).digest('hex').slice(0, 32)}`;
}

/**
 * A CommonJS module exporting each schema's verdict validator under its key, for
 * `usePrecompiledVerdicts`. Each schema is checked against the JSON Schema meta-schema first (a
 * precompiled schema skips that check at run time). It requires `ajv` and `@pipe/core`, so it must
 * be written where both resolve.
 */
export function precompileVerdicts(schemas: readonly AnySchemaObject[]): string {
  const ajv = createAjv({ verdictOnly: true, standalone: true, validateSchema: false });
  const exports: Record<string, string> = {};
  for (const schema of schemas) {
    const key = schemaKey(schema);
    if (exports[key]) continue;
    void ajv.validateSchema(schema, true);
    ajv.addSchema(schema, key);
    exports[key] = key;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const standaloneCode = (require('ajv/dist/standalone') as typeof import('ajv/dist/standalone')).default;
  return standaloneCode(ajv, exports);
}
