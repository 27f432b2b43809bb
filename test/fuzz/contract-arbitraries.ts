// Inputs for fuzzing the command contract: params built from each command's own zod schema (the right
// shapes, at and past their bounds), and garbage (wrong types, missing and extra fields, huge numbers,
// NUL and odd unicode, `__proto__` keys, deep nesting, 1 MB strings, bad JSON).
import fc from 'fast-check';
import type { z } from 'zod';
import { commands, FaultAttributes, NodeId, type CommandName, type FaultType } from '../../shared/contract/index.js';

type AnySchema = z.ZodType;
type Def = { type: string; [key: string]: unknown };
type Check = { check: string; value?: number; inclusive?: boolean; format?: string; pattern?: RegExp; minimum?: number; maximum?: number; prefix?: string };

const defOf = (schema: AnySchema): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;
const checksOf = (def: Def): Check[] => ((def.checks as Array<{ _zod: { def: Check } }> | undefined) ?? []).map((c) => c._zod.def);

/** The lab's own node ids come up often, so that valid-looking params reach the handlers. */
export const NODE_IDS = ['p1', 's1'];

/** Strings that break things: NUL, control and format characters, lone surrogates, names on Object.prototype. */
export const hostileString = fc.oneof(
  fc.constantFrom('', ' ', '\u0000', 'p1\u0000', '\u0000p1', 'p\u202e1', '\ud800', '\udfff\ud800', '\u2028\u2029', '\ufeffp1', 'P1', 'p1 ', '../p1', '%00', '\\', '"', "'", '<script>', '\u001b[2J'),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);

/** Numbers at the edges: zero, negative, fractions, past int32 and 2^53, the largest and smallest doubles. */
export const hostileNumber = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 0.5, -0.5, 2 ** 31, -(2 ** 31) - 1, 2 ** 32, 2 ** 53, 2 ** 53 + 2, -(2 ** 53) - 2, 1e21, 1e308, -1e308, 5e-324, Number.MAX_VALUE),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** An object with exactly these own, enumerable keys, `__proto__` included (a literal would set the prototype). */
export function objectOf(entries: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

const hostileKey = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'id', 'fleet', 'extra', ''), hostileString);

/** Any JSON value a client could send, hostile strings, numbers and keys included. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    hostileNumber,
    hostileString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.tuple(hostileKey, tie('value')), { maxLength: 4 }).map(objectOf),
  ),
})).value;

function numberArb(def: Def): fc.Arbitrary<number> {
  let min = -1e9;
  let max = 1e9;
  let integer = false;
  for (const check of checksOf(def)) {
    if (check.check === 'greater_than' && check.value !== undefined) min = check.value + (check.inclusive ? 0 : 1e-9);
    if (check.check === 'less_than' && check.value !== undefined) max = check.value - (check.inclusive ? 0 : 1e-9);
    if (check.check === 'number_format') {
      integer = check.format !== 'float32' && check.format !== 'float64';
      if (check.minimum !== undefined) min = Math.max(min, check.minimum);
      if (check.maximum !== undefined) max = Math.min(max, check.maximum);
    }
  }
  const inRange = integer ? fc.integer({ min: Math.ceil(Math.max(min, -(2 ** 31))), max: Math.floor(Math.min(max, 2 ** 31 - 1)) }) : fc.double({ min, max, noNaN: true });
  const edges = [min, max, integer ? Math.ceil(min) - 1 : min - 0.001, integer ? Math.floor(max) + 1 : max + 0.001].filter(Number.isFinite);
  return fc.oneof({ weight: 6, arbitrary: inRange }, { weight: 2, arbitrary: fc.constantFrom(...edges) }, { weight: 1, arbitrary: hostileNumber });
}

function stringArb(def: Def): fc.Arbitrary<string> {
  let minLength = 0;
  let maxLength = 24;
  let pattern: RegExp | undefined;
  let prefix: string | undefined;
  for (const check of checksOf(def)) {
    if (check.check === 'min_length' && check.minimum !== undefined) minLength = check.minimum;
    if (check.check === 'max_length' && check.maximum !== undefined) maxLength = Math.min(check.maximum, 64);
    if (check.check === 'string_format' && check.format === 'regex') pattern = check.pattern;
    if (check.check === 'string_format' && check.format === 'starts_with') prefix = check.prefix;
  }
  const options: Array<fc.Arbitrary<string>> = [fc.string({ minLength: Math.min(minLength, maxLength), maxLength: Math.max(minLength, maxLength) })];
  // fast-check cannot generate from every regex (flags such as `i`): then the known names and the rest have to do.
  if (pattern && pattern.flags.replace(/[gu]/g, '') === '') options.push(fc.stringMatching(pattern, { size: 'xsmall' }));
  if (pattern) options.push(fc.constantFrom(...NODE_IDS, 'x9', 'zz-top', 'constructor'));
  if (prefix !== undefined) options.push(fc.string({ maxLength: 20 }).map((s) => `${prefix}${s}`));
  return fc.oneof(...options, hostileString);
}

/** Values shaped like `schema` wants them, mostly right and sometimes just past a bound (or wrong outright). */
export function fromSchema(schema: AnySchema, depth = 0): fc.Arbitrary<unknown> {
  const def = defOf(schema);
  if (depth > 10) return fc.constant(null);
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, AnySchema>;
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      const requiredKeys: string[] = [];
      for (const [key, field] of Object.entries(shape)) {
        model[key] = fromSchema(field, depth + 1);
        const kind = defOf(field).type;
        if (kind !== 'optional' && kind !== 'default') requiredKeys.push(key);
      }
      return fc.record(model, { requiredKeys });
    }
    case 'string':
      return stringArb(def);
    case 'number':
      return numberArb(def);
    case 'boolean':
      return fc.boolean();
    case 'enum':
      return fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...Object.values(def.entries as Record<string, string>)) }, { weight: 1, arbitrary: hostileString });
    case 'literal':
      return fc.constantFrom(...(def.values as unknown[]));
    case 'array': {
      let maxLength = 4;
      for (const check of checksOf(def)) if (check.check === 'max_length' && check.maximum !== undefined) maxLength = Math.min(maxLength, check.maximum + 1);
      return fc.array(fromSchema(def.element as AnySchema, depth + 1), { maxLength });
    }
    case 'record':
      return fc.dictionary(fromSchema(def.keyType as AnySchema, depth + 1) as fc.Arbitrary<string>, fromSchema(def.valueType as AnySchema, depth + 1), { maxKeys: 4 });
    case 'union':
      return fc.oneof(...(def.options as AnySchema[]).map((option) => fromSchema(option, depth + 1)));
    case 'optional':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return fromSchema(def.innerType as AnySchema, depth + 1);
    case 'nullable':
      return fc.option(fromSchema(def.innerType as AnySchema, depth + 1));
    case 'pipe':
      return fromSchema(def.in as AnySchema, depth + 1);
    case 'lazy':
      return fromSchema((def.getter as () => AnySchema)(), depth + 1);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** fault.inject's attributes depend on its type: built from the type's own schema. */
const faultInject = fc.constantFrom(...(Object.keys(FaultAttributes) as FaultType[])).chain((type) =>
  fc.record(
    {
      type: fc.constant(type),
      target: fromSchema(NodeId),
      attributes: fromSchema(FaultAttributes[type]),
      durationMs: fc.integer({ min: 1, max: 3_600_000 }),
      toxicity: fc.double({ min: 0, max: 1, noNaN: true }),
      stream: fc.constantFrom('upstream', 'downstream'),
    },
    { requiredKeys: ['type', 'target'] },
  ),
);

/** Params shaped by each command's schema. */
export function schemaParams(name: CommandName): fc.Arbitrary<unknown> {
  if (name === 'fault.inject') return faultInject;
  return fromSchema(commands[name].params as unknown as AnySchema);
}

/** A schema-shaped value broken in one place: a field dropped, a field of the wrong type, an extra field. */
export function mutated(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.tuple(valid, fc.nat(), hostileKey, hostileValue, fc.constantFrom('drop', 'replace', 'extra', 'whole')).map(([value, pick, key, replacement, how]) => {
    if (how === 'whole' || typeof value !== 'object' || value === null || Array.isArray(value)) return replacement;
    const entries = Object.entries(value);
    const at = entries.length > 0 ? pick % entries.length : 0;
    if (how === 'drop' && entries.length > 0) entries.splice(at, 1);
    else if (how === 'replace' && entries.length > 0) entries[at] = [entries[at]![0], replacement];
    else entries.push([key, replacement]);
    return objectOf(entries);
  });
}

/** Params for `name`: schema-shaped, broken in one place, or garbage. */
export function anyParams(name: CommandName): fc.Arbitrary<unknown> {
  const valid = schemaParams(name);
  return fc.oneof({ weight: 4, arbitrary: valid }, { weight: 4, arbitrary: mutated(valid) }, { weight: 2, arbitrary: hostileValue });
}

/**
 * Params for a command whose valid forms are fuzzed, made gentle where a valid form would change the lab
 * drastically after all: balancer.set's active health checks, aggressive enough (a 5 ms timeout, fall 1, a
 * path the nodes do not serve), rightly fail the primary over. Their path, timeout and fall are pinned.
 */
export function safeParams(name: CommandName): fc.Arbitrary<unknown> {
  if (name !== 'balancer.set') return anyParams(name);
  return anyParams(name).map((params) => {
    const health = (params as { health?: unknown } | null)?.health;
    if (typeof health !== 'object' || health === null || Array.isArray(health)) return params;
    const h = health as Record<string, unknown>;
    const gentle = { ...h, path: '/readyz', timeoutMs: Math.max(Number(h.timeoutMs) || 0, 1_000), fall: Math.max(Number(h.fall) || 0, 3) };
    return objectOf([...Object.entries(params as object).filter(([key]) => key !== 'health'), ['health', gentle]]);
  });
}

/**
 * Params for `name` that its schema refuses: for the commands whose valid forms would change the lab
 * drastically (stop the fleet, start programs, run a drill) — only their refusals are fuzzed.
 */
export function invalidParams(name: CommandName): fc.Arbitrary<unknown> {
  const schema = commands[name].params as unknown as AnySchema;
  // The host reads absent (and null) params as {}, as it reads an empty body.
  return anyParams(name).map((params) => (schema.safeParse(params ?? {}).success ? objectOf([...Object.entries(params ?? {}), ['fuzzExtra', true]]) : params));
}

/** Big inputs as JSON text (too deep for JSON.stringify to write), each a few hundred KB to just over 1 MiB: long strings, deep nesting, many keys, long arrays. */
export const bigJson: fc.Arbitrary<string> = fc.oneof(
  fc.nat({ max: 1_000 }).map((n) => JSON.stringify('x'.repeat(900_000 + n))),
  fc.nat({ max: 1_000 }).map((n) => JSON.stringify('x'.repeat((1 << 20) + n))),
  fc.constantFrom('\\u0000', '\u{1F4A5}', '\\ud800', 'é').map((c) => `"${c.repeat(Math.floor(200_000 / c.length))}"`),
  fc.nat({ max: 100 }).map((n) => `${'['.repeat(200_000 + n)}${']'.repeat(200_000 + n)}`),
  fc.nat({ max: 100 }).map((n) => `${'{"a":'.repeat(100_000 + n)}1${'}'.repeat(100_000 + n)}`),
  fc.nat({ max: 100 }).map((n) => `{${Array.from({ length: 50_000 + n }, (_, i) => `"k${i}":${i}`).join(',')}}`),
  fc.nat({ max: 100 }).map((n) => `[${Array.from({ length: 100_000 + n }, (_, i) => i).join(',')}]`),
);

/** Request bodies that are not JSON (or only nearly). */
export const badJson = fc.oneof(
  fc.constantFrom('{', '}', '{"id":', '{"id":"p1",}', "{'id':'p1'}", '{"id":"p1"}}', 'NaN', 'Infinity', '-', '01', '1e', '"\\x41"', '"\\ud800"', '\ufeff{}', '{"a":1e999999}', 'null null', '[1,]'),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
);
