/**
 * The TypeBox builders core's own schemas are written with (the pipeline file's, the built-in
 * plugins', the shared blocks in config-blocks.ts), and the shipped plugins' too, without loading
 * TypeBox: `@sinclair/typebox` is about 200 modules (a tenth of a second of every `pipe run` and
 * `pipe validate`). Each builder returns what TypeBox's `Type` returns for the same arguments,
 * symbol keys and key order included (test/schema/json-type.test.ts compares them), so `Static`,
 * TypeBox's guards and the generated docs see no difference. Any plugin may use it for a faster
 * start; `Type` (TypeBox's own, loaded on first use) has every other form.
 *
 * Only the argument forms core uses are written out; any other form throws, so a new use either
 * stays within them or switches that schema to TypeBox's `Type`.
 */
import type { Type as TypeBox } from '@sinclair/typebox';

// TypeBox marks its schemas with these registered symbols (see its type/symbols module).
const Kind = Symbol.for('TypeBox.Kind');
const OptionalKind = Symbol.for('TypeBox.Optional');

/** TypeBox's pattern for a record keyed by any string. */
const ANY_STRING_KEY = '^(.*)$';

type Builders = Pick<typeof TypeBox, 'Array' | 'Boolean' | 'Integer' | 'Literal' | 'Object' | 'Optional' | 'Record' | 'String' | 'Union' | 'Unsafe'>;

type SchemaObject = Record<string | symbol, unknown>;

/** TypeBox's CreateType in its default instance mode: the options, then the type's own keys. */
function create(schema: SchemaObject, options?: object): SchemaObject {
  return options === undefined ? schema : { ...options, ...schema };
}

function unsupported(builder: string, why: string): never {
  throw new Error(`JsonType.${builder}: ${why} is not supported here; build this schema with Type from @sinclair/typebox`);
}

/** A builder typed as TypeBox's: the types come from TypeBox, and the test checks the schemas match. */
const typedAs = <K extends keyof Builders>(build: (...args: never[]) => SchemaObject) => build as unknown as Builders[K];

function isOptional(schema: unknown): boolean {
  return typeof schema === 'object' && schema !== null && (schema as SchemaObject)[OptionalKind] === 'Optional';
}

export const JsonType: Builders = {
  String: typedAs<'String'>((options?: object) => create({ [Kind]: 'String', type: 'string' }, options)),
  Integer: typedAs<'Integer'>((options?: object) => create({ [Kind]: 'Integer', type: 'integer' }, options)),
  Boolean: typedAs<'Boolean'>((options?: object) => create({ [Kind]: 'Boolean', type: 'boolean' }, options)),
  Literal: typedAs<'Literal'>((value: string | number | boolean, options?: object) => create({ [Kind]: 'Literal', const: value, type: typeof value }, options)),
  Array: typedAs<'Array'>((items: object, options?: object) => create({ [Kind]: 'Array', type: 'array', items }, options)),
  Unsafe: typedAs<'Unsafe'>((options: SchemaObject = {}) => create({ [Kind]: options[Kind] ?? 'Unsafe' }, options)),

  Union: typedAs<'Union'>((types: readonly SchemaObject[], options?: object) => {
    if (types.length === 0) unsupported('Union', 'an empty list');
    return types.length === 1 ? create(types[0], options) : create({ [Kind]: 'Union', anyOf: types }, options);
  }),

  Optional: typedAs<'Optional'>((schema: SchemaObject, enable?: boolean) => {
    if (schema[Kind] === 'MappedResult') unsupported('Optional', 'a mapped type');
    if (enable === false) {
      const { [OptionalKind]: _optional, ...rest } = schema;
      return rest;
    }
    return { ...schema, [OptionalKind]: 'Optional' };
  }),

  Object: typedAs<'Object'>((properties: Record<string, unknown>, options?: object) => {
    const required = Object.keys(properties).filter((key) => !isOptional(properties[key]));
    const schema = required.length > 0 ? { [Kind]: 'Object', type: 'object', required, properties } : { [Kind]: 'Object', type: 'object', properties };
    return create(schema, options);
  }),

  Record: typedAs<'Record'>((key: SchemaObject, value: unknown, options: object = {}) => {
    if (key[Kind] !== 'String') unsupported('Record', `a ${String(key[Kind])} key`);
    const pattern = typeof key.pattern === 'string' ? key.pattern : ANY_STRING_KEY;
    return create({ [Kind]: 'Record', type: 'object', patternProperties: { [pattern]: value } }, options);
  }),
};
