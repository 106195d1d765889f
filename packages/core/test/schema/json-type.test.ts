/**
 * Core's own schemas are built with JsonType instead of TypeBox (so start-up loads no TypeBox):
 * each builder must give exactly what TypeBox's Type gives, symbol keys and key order included,
 * or `Static`, TypeBox's guards and the generated docs would drift.
 */
import { Type } from '@sinclair/typebox';
import { JsonType } from '../../src/schema/json-type';
import { Type as CoreType } from '../../src/schema/types';

/** A value with every own key (symbols too) listed in order, so equal layouts print the same. */
function layout(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(layout);
  if (!value || typeof value !== 'object') return value;
  return Reflect.ownKeys(value).map((key) => [String(key), layout((value as Record<string | symbol, unknown>)[key])]);
}

type Builders = typeof JsonType;

const CASES: [string, (T: Builders) => unknown][] = [
  ['String', (T) => T.String()],
  ['String with options', (T) => T.String({ minLength: 1, pattern: '^a', description: 'A name.' })],
  ['Integer', (T) => T.Integer({ minimum: 1, maximum: 32, default: 2 })],
  ['Boolean', (T) => T.Boolean({ default: true, description: 'Flag.' })],
  ['Literal number', (T) => T.Literal(1, { description: 'Version.' })],
  ['Literal string', (T) => T.Literal('debug')],
  ['Array', (T) => T.Array(T.String(), { uniqueItems: true })],
  ['Unsafe', (T) => T.Unsafe<number>({ type: ['string', 'integer'], byteSize: { minimum: 1 }, description: 'Size.' })],
  ['Union of one', (T) => T.Union([T.Literal('a')], { default: 'a' })],
  ['Union', (T) => T.Union([T.Literal('first'), T.Literal('repeat')], { default: 'first' })],
  ['Optional', (T) => T.Optional(T.String())],
  ['Optional removed', (T) => T.Optional(T.Optional(T.String()), false)],
  ['Object', (T) => T.Object({ a: T.String(), b: T.Optional(T.Integer()) }, { additionalProperties: false })],
  ['Object of optionals only', (T) => T.Object({ b: T.Optional(T.Integer()) })],
  ['Object without properties', (T) => T.Object({}, { additionalProperties: true, description: 'Open.' })],
  ['Record of pattern keys', (T) => T.Record(T.String({ pattern: '^[a-z]+$' }), T.Object({ x: T.Boolean() }), { minProperties: 1 })],
  ['Record of any keys', (T) => T.Record(T.String(), T.Integer())],
];

describe('JsonType', () => {
  it.each(CASES)('%s is what TypeBox builds', (_name, build) => {
    const ours = build(JsonType);
    const typebox = build(Type);
    expect(layout(ours)).toEqual(layout(typebox));
    expect(JSON.stringify(ours)).toBe(JSON.stringify(typebox));
  });

  it("core's Type is TypeBox's, loaded on first use", () => {
    expect(layout(CoreType.Object({ a: CoreType.Tuple([CoreType.Null()]) }))).toEqual(layout(Type.Object({ a: Type.Tuple([Type.Null()]) })));
  });

  it('refuses the argument forms it does not build, naming TypeBox as the way out', () => {
    expect(() => JsonType.Record(JsonType.Integer(), JsonType.String())).toThrow(/not supported here; build this schema with Type from @sinclair\/typebox/);
    expect(() => JsonType.Union([])).toThrow(/an empty list is not supported/);
  });
});
