/**
 * Validators precompiled at build time (`precompileVerdicts`, registered with
 * `usePrecompiledVerdicts`): a schema they cover is validated by the build's code, with the same
 * verdicts, defaults and size conversion as one compiled at run time; an invalid config still gets
 * ajv's detailed errors; a schema that changed since the build is compiled at run time.
 */
import * as byteSizeKeyword from '../../src/schema/byte-size-keyword';
import { validatorFor } from '../../src/schema/compiled-validators';
import { precompileVerdicts, schemaKey, usePrecompiledVerdicts, type PrecompiledVerdicts, type Verdict } from '../../src/schema/precompiled-validators';

/** A fresh copy each time: validators are cached per schema object. */
const schema = () => ({
  type: 'object',
  additionalProperties: false,
  required: ['path'],
  properties: {
    path: { type: 'string', minLength: 1 },
    chunkSize: { byteSize: { minimum: 1000, maximum: 50_000_000 }, default: '10MB' },
    mode: { type: 'string', enum: ['report', 'soql'], default: 'report' },
    password: { type: 'string', secret: true },
  },
});

/** The generated module, evaluated as Node would load it from where the build writes it. */
function load(code: string): PrecompiledVerdicts {
  const module = { exports: {} as Record<string, Verdict> };
  const requireFor = (id: string): unknown => {
    if (id === '@pipe/core/byte-size-keyword') return byteSizeKeyword;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(id);
  };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  new Function('exports', 'require', 'module', code)(module.exports, requireFor, module);
  return module.exports;
}

/** The precompiled verdicts for `schemas`, each counting its calls. */
function precompiled(...schemas: object[]): { verdicts: PrecompiledVerdicts; calls: Map<string, number> } {
  const built = load(precompileVerdicts(schemas));
  const calls = new Map<string, number>();
  const verdicts = Object.fromEntries(
    Object.entries(built).map(([key, verdict]) => [
      key,
      (data: unknown) => {
        calls.set(key, (calls.get(key) ?? 0) + 1);
        return verdict!(data);
      },
    ]),
  );
  return { verdicts, calls };
}

afterEach(() => usePrecompiledVerdicts(() => undefined));

describe('a schema the build precompiled', () => {
  it('is validated by the precompiled code: defaults filled in, sizes converted to bytes', () => {
    const s = schema();
    const { verdicts, calls } = precompiled(s);
    usePrecompiledVerdicts(() => verdicts);
    const config: Record<string, unknown> = { path: './in.csv', chunkSize: '2MB' };
    expect(validatorFor(s)(config)).toBe(true);
    expect(config).toEqual({ path: './in.csv', chunkSize: 2_000_000, mode: 'report' });
    const defaults: Record<string, unknown> = { path: 'x' };
    expect(validatorFor(s)(defaults)).toBe(true);
    expect(defaults).toEqual({ path: 'x', chunkSize: 10_000_000, mode: 'report' });
    expect(calls.get(schemaKey(s))).toBe(2);
  });

  it('gives the verdicts a run-time compiled validator gives (and the same data, when valid)', () => {
    const { verdicts } = precompiled(schema());
    const atRunTimeValidator = validatorFor(schema());
    const cases: unknown[] = [
      { path: 'a' },
      { path: '' },
      { path: 'a', chunkSize: 999 },
      { path: 'a', chunkSize: '50MB' },
      { path: 'a', chunkSize: '51MB' },
      { path: 'a', chunkSize: 'ten' },
      { path: 'a', chunkSize: 1.5 },
      { path: 'a', mode: 'bulk' },
      { path: 'a', other: 1 },
      { chunkSize: '1MB' },
      'not an object',
    ];
    for (const data of cases) {
      const fromBuild = structuredClone(data);
      const atRunTime = structuredClone(data);
      const valid = atRunTimeValidator(atRunTime);
      expect([data, verdicts[schemaKey(schema())]!(fromBuild)]).toEqual([data, valid]);
      if (valid) expect(fromBuild).toEqual(atRunTime);
    }
  });

  it("still explains an invalid config with ajv's detailed errors, at the key", () => {
    const s = schema();
    const { verdicts } = precompiled(s);
    usePrecompiledVerdicts(() => verdicts);
    const validate = validatorFor(s);
    expect(validate({ path: 'a', chunkSize: '10 parsecs', mode: 'bulk' })).toBe(false);
    expect(validate.errors?.map((e) => [e.instancePath, e.message])).toEqual([
      ['/chunkSize', 'must be a size such as 10MB, 512KiB or a number of bytes (got "10 parsecs")'],
      ['/mode', 'must be equal to one of the allowed values'],
    ]);
  });
});

describe('a schema that is not the one the build saw', () => {
  it('is compiled at run time', () => {
    const built = schema();
    const { verdicts, calls } = precompiled(built);
    usePrecompiledVerdicts(() => verdicts);
    const changed = schema();
    changed.properties.mode.enum.push('bulk');
    expect(validatorFor(changed)({ path: 'a', mode: 'bulk' })).toBe(true);
    expect(calls.size).toBe(0);
  });
});

describe('precompileVerdicts', () => {
  it('refuses a schema that is not valid JSON Schema', () => {
    expect(() => precompileVerdicts([{ type: 'object', properties: { n: { type: 'integer', minimum: 'one' } } }])).toThrow(
      /schema is invalid: .*minimum must be number/,
    );
  });

  it('writes one validator per distinct schema', () => {
    expect(Object.keys(load(precompileVerdicts([schema(), schema(), { type: 'string' }])))).toEqual([schemaKey(schema()), schemaKey({ type: 'string' })]);
  });
});
