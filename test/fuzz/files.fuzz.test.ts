// Fuzzing the lab's YAML files: every built-in drill and the README's fleet, mutated (keys dropped,
// renamed, duplicated; values of other types, huge numbers, long strings; truncated at a byte; random
// bytes; alias bombs; deep nesting; 10 MB; binary). Each file is written to disk and read by the real
// loader. Properties: a valid spec or a ContractError whose every issue has FILE:LINE:COL and a field,
// never another exception, never longer than a bound; and `firedrill validate` exits 2 with no stack.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { ContractError } from '../../shared/contract/errors';
import { DrillSpec } from '../../shared/drill/schema';
import { FleetSpec } from '../../shared/contract/model';
import { loadDrillFile } from '../../electron/engine/drills/drill-file';
import { loadFleetFile } from '../../electron/engine/fleet/fleet-file';
import { cliEntry } from '../support/cli';
import { fuzzParameters, fuzzTimeoutMs } from './fuzz-settings';

/**
 * Per file, read and checked. Measured on the shared 2-core machine (load average 5–9): the slowest
 * case of a 1,000-run slice 0.57 s (a ~250 KiB many-key file); files are capped at 256 KiB.
 */
const BOUND_MS = 1_500;

const root = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'firedrill-fuzz-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const drillTexts = ['drills/library', 'drills/examples']
  .flatMap((d) => readdirSync(join(root, d)).filter((n) => n.endsWith('.yaml')).map((n) => join(root, d, n)))
  .map((path) => readFileSync(path, 'utf8'));

/** The README's fleet example. */
const fleetText = `name: my fleet
restart: { policy: on-failure, backoffInitialMs: 100, backoffMaxMs: 10000, crashLoopAfter: 5 }
nodes:
  - id: kv1
    kind: bundled            # the bundled KV server
    role: primary            # primary | standby | stateless
    server: { replicas: [kv2], replication: async, checkpointIntervalMs: 2000, keep: 3, serviceTimeMs: 5 }
  - id: kv2
    kind: bundled
    role: standby
  - id: web
    kind: command            # any program of yours
    command: python3
    args: ["-m", "http.server", "{port}", "--bind", "127.0.0.1"]
    healthPath: /
`;

// ---- Mutations ---------------------------------------------------------------------------

type Value = unknown;

const oddString = fc.oneof(
  fc.string({ maxLength: 24 }),
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'hasownproperty', '\u0000', '\u001b]0;pwned\u0007', '\u001b[2J', '\u202eevil', '日本語', '🎉', '', ' ', '{port}', '../../etc/passwd', '*alias', '&anchor', '- x', ': y', '"', "'", '#', '%TAG'),
  fc.nat({ max: 300_000 }).map((n) => 'x'.repeat(n)),
);
const oddNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, -1, 1e308, -1e308, 2 ** 53, 2 ** 53 + 2, 1e21, 0.1, 3_600_001, 1_048_577, 20_000, Number.MAX_SAFE_INTEGER),
);
const leaf: fc.Arbitrary<Value> = fc.oneof(fc.constant(null), fc.boolean(), oddNumber, oddString);
const anyValue: fc.Arbitrary<Value> = fc.oneof(
  { weight: 4, arbitrary: leaf },
  { weight: 1, arbitrary: fc.array(leaf, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(oddString, leaf, { maxKeys: 4 }) },
);

type Mutation =
  | { op: 'drop'; at: number }
  | { op: 'rename'; at: number; name: string }
  | { op: 'replace'; at: number; value: Value }
  | { op: 'wrap'; at: number; depth: number }
  | { op: 'add'; at: number; name: string; value: Value };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('rename' as const), at: fc.nat(), name: oddString }),
  fc.record({ op: fc.constant('replace' as const), at: fc.nat(), value: anyValue }),
  fc.record({ op: fc.constant('wrap' as const), at: fc.nat(), depth: fc.integer({ min: 1, max: 80 }) }),
  fc.record({ op: fc.constant('add' as const), at: fc.nat(), name: oddString, value: anyValue }),
);

type TextMutation =
  | { op: 'truncate'; at: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'duplicate-line'; at: number }
  | { op: 'drop-line'; at: number }
  | { op: 'indent'; at: number; by: number };

const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ op: fc.constant('duplicate-line' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('drop-line' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('indent' as const), at: fc.nat(), by: fc.integer({ min: -4, max: 4 }) }),
);

/** Every container and key in a value, as [holder, key] pairs (the root has no holder). */
function slots(value: Value): Array<[Record<string, Value> | Value[], string | number]> {
  const out: Array<[Record<string, Value> | Value[], string | number]> = [];
  const stack: Value[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      node.forEach((child, i) => {
        out.push([node, i]);
        stack.push(child);
      });
    } else if (node && typeof node === 'object') {
      const map = node as Record<string, Value>;
      for (const key of Object.keys(map)) {
        out.push([map, key]);
        stack.push(map[key]);
      }
    }
  }
  return out;
}

function setOwn(holder: Record<string, Value>, key: string, value: Value): void {
  Object.defineProperty(holder, key, { value, enumerable: true, writable: true, configurable: true });
}

function applyMutation(value: Value, m: Mutation): Value {
  const all = slots(value);
  if (all.length === 0) return m.op === 'replace' ? m.value : value;
  const [holder, key] = all[m.at % all.length]!;
  const current = (holder as Record<string | number, Value>)[key];
  if (m.op === 'drop') {
    if (Array.isArray(holder)) holder.splice(key as number, 1);
    else delete holder[key as string];
  } else if (m.op === 'rename' && !Array.isArray(holder)) {
    delete holder[key as string];
    setOwn(holder, m.name, current);
  } else if (m.op === 'replace') {
    if (Array.isArray(holder)) holder[key as number] = m.value;
    else setOwn(holder, key as string, m.value);
  } else if (m.op === 'wrap') {
    let wrapped: Value = current;
    for (let i = 0; i < m.depth; i++) wrapped = i % 2 === 0 ? [wrapped] : { k: wrapped };
    if (Array.isArray(holder)) holder[key as number] = wrapped;
    else setOwn(holder, key as string, wrapped);
  } else if (m.op === 'add') {
    const target = current && typeof current === 'object' && !Array.isArray(current) ? (current as Record<string, Value>) : Array.isArray(holder) ? null : holder;
    if (target) setOwn(target, m.name, m.value);
  }
  return value;
}

function applyTextMutation(bytes: Buffer, m: TextMutation): Buffer {
  if (bytes.length === 0) return bytes;
  const at = m.at % bytes.length;
  if (m.op === 'truncate') return bytes.subarray(0, at);
  if (m.op === 'insert') return Buffer.concat([bytes.subarray(0, at), Buffer.from(m.bytes), bytes.subarray(at)]);
  const lines = bytes.toString('latin1').split('\n');
  const i = m.at % lines.length;
  if (m.op === 'duplicate-line') lines.splice(i, 0, lines[i]!);
  else if (m.op === 'drop-line') lines.splice(i, 1);
  else lines[i] = m.by >= 0 ? ' '.repeat(m.by) + lines[i]! : lines[i]!.slice(-m.by);
  return Buffer.from(lines.join('\n'), 'latin1');
}

/** A seed text, parsed, mutated in structure, written as YAML or JSON, then mutated as bytes. */
function mutatedFile(seeds: string[]): fc.Arbitrary<Buffer> {
  return fc
    .record({
      seed: fc.nat(),
      structural: fc.array(mutation, { maxLength: 4 }),
      json: fc.boolean(),
      textual: fc.array(textMutation, { maxLength: 3 }),
      raw: fc.boolean(),
    })
    .map(({ seed, structural, json, textual, raw }) => {
      const text = seeds[seed % seeds.length]!;
      let bytes: Buffer;
      if (raw) {
        bytes = Buffer.from(text); // the file as written: comments, flow maps, block scalars
      } else {
        let value: Value = (loadYaml(text) ?? {}) as Value;
        for (const m of structural) value = applyMutation(value, m);
        bytes = Buffer.from(json ? JSON.stringify(value) : stringify(value, { aliasDuplicateObjects: false }));
      }
      for (const m of textual) bytes = applyTextMutation(bytes, m);
      return bytes;
    });
}

function loadYaml(text: string): unknown {
  // The seeds are our own valid files, read by the yaml library alone: plain values to mutate.
  return parseYaml(text) as unknown;
}

/** Hostile shapes: alias bombs, deep nesting, binary, many keys, huge numbers. */
const hostileFile: fc.Arbitrary<Buffer> = fc.oneof(
  fc.record({ levels: fc.integer({ min: 2, max: 12 }), width: fc.integer({ min: 2, max: 12 }) }).map(({ levels, width }) => {
    const names = 'abcdefghijklm';
    const lines = [`a: &a [${Array(width).fill('lol').join(', ')}]`];
    for (let i = 1; i < levels; i++) lines.push(`${names[i]}: &${names[i]} [${Array(width).fill(`*${names[i - 1]}`).join(', ')}]`);
    return Buffer.from(`${lines.join('\n')}\n`);
  }),
  fc.record({ depth: fc.integer({ min: 50, max: 100_000 }), style: fc.constantFrom('[', '{a: ', '- ') }).map(({ depth, style }) => Buffer.from(`steps: ${style.repeat(style === '- ' ? Math.min(depth, 2_000) : depth)}x\n`)),
  fc.integer({ min: 50, max: 600 }).map((depth) => Buffer.from(Array.from({ length: depth }, (_, i) => `${' '.repeat(i)}k:`).join('\n'))),
  fc.uint8Array({ minLength: 1, maxLength: 4_096 }).map((b) => Buffer.from(b)),
  fc.integer({ min: 1_000, max: 25_000 }).map((n) => Buffer.from(`${drillTexts[0]}\n${Array.from({ length: n }, (_, i) => `k${i}: ${i}`).join('\n')}\n`)),
  fc.constantFrom('1e400', '-.inf', '.nan', '0x7fffffffffffffffff', '123456789012345678901234567890', '-0').map((n) => Buffer.from(`id: t\nseed: ${n}\ntraffic: { rate: ${n} }\nnodes: [{ id: a, readyTimeoutMs: ${n} }]\n`)),
  fc.constant(Buffer.from('a: &x [1, *x]\nb: *missing\n')),
);

// ---- Properties --------------------------------------------------------------------------

let fileCount = 0;
const saved: string[] = [];

/** Writes the bytes, loads them; checks what a loader may do, and how long it takes. */
function check(bytes: Buffer, load: (file: string) => unknown, schema: { parse: (value: unknown) => unknown }): void {
  const file = join(dir, `case-${++fileCount % 50}.yaml`);
  writeFileSync(file, bytes);
  const started = performance.now();
  let spec: unknown;
  let failure: unknown;
  try {
    spec = load(file);
  } catch (error) {
    failure = error;
  }
  const elapsed = performance.now() - started;
  if (elapsed > BOUND_MS) throw new Error(`took ${Math.round(elapsed)} ms (bound ${BOUND_MS} ms) for ${bytes.length} bytes`);
  if (failure === undefined) {
    // A spec that loads is one the schema takes again as it is.
    schema.parse(spec);
    return;
  }
  if (!(failure instanceof ContractError)) throw new Error(`not a ContractError: ${String((failure as Error)?.stack ?? failure)}`);
  expect(failure.code).toBe('invalid-params');
  const issues = failure.issues ?? [];
  expect(issues.length).toBeGreaterThan(0);
  expect(failure.message).toBe(issues[0]!.message);
  for (const issue of issues) {
    expect(issue.field.length).toBeGreaterThan(0);
    expect(issue.message.startsWith(`${file}:`)).toBe(true);
    const rest = issue.message.slice(file.length + 1);
    expect(rest).toMatch(/^\d+:\d+: /);
    expect(rest.slice(rest.indexOf(' ') + 1).startsWith(`${issue.field}: `)).toBe(true);
    expect([...issue.message].some((c) => c.charCodeAt(0) < 0x20)).toBe(false);
  }
  if (saved.length < 12 && fileCount % 7 === 0) {
    const keep = join(dir, `saved-${saved.length}.yaml`);
    writeFileSync(keep, bytes);
    saved.push(keep);
  }
}

describe('fuzz: drill and fleet files', () => {
  it(
    'mutated built-in drills: a valid spec or a positioned ContractError, within the bound',
    () => {
      fc.assert(
        fc.property(mutatedFile(drillTexts), (bytes) => check(bytes, loadDrillFile, DrillSpec)),
        fuzzParameters(1),
      );
    },
    fuzzTimeoutMs(20),
  );

  it(
    'the mutated fleet example: a valid spec or a positioned ContractError, within the bound',
    () => {
      fc.assert(
        fc.property(mutatedFile([fleetText]), (bytes) => check(bytes, loadFleetFile, FleetSpec)),
        fuzzParameters(0.5),
      );
    },
    fuzzTimeoutMs(20, 0.5),
  );

  it(
    'hostile files (alias bombs, deep nesting, binary, many keys, huge numbers), as drills and as fleets',
    () => {
      fc.assert(
        fc.property(hostileFile, fc.boolean(), (bytes, asFleet) => check(bytes, asFleet ? loadFleetFile : loadDrillFile, asFleet ? FleetSpec : DrillSpec)),
        fuzzParameters(0.2),
      );
    },
    fuzzTimeoutMs(150, 0.2),
  );

  it('a 10 MB file is refused by its size, at once', () => {
    const file = join(dir, 'ten.yaml');
    writeFileSync(file, Buffer.alloc(10 * 1024 * 1024, 'k: v\n'));
    for (const load of [loadDrillFile, loadFleetFile]) {
      const started = performance.now();
      expect(() => load(file)).toThrow(/^.*ten\.yaml:1:1: \(file\): 10\.0 MiB is too large/);
      expect(performance.now() - started).toBeLessThan(500);
    }
  });

  it('firedrill validate on a handful of them: exit 2, FILE:LINE:COL per line, no stack trace', () => {
    expect(saved.length).toBeGreaterThan(0);
    const bomb = join(dir, 'bomb.yaml');
    writeFileSync(bomb, 'a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n');
    const files = [...saved.slice(0, 8), bomb];
    const r = spawnSync(process.execPath, [cliEntry, 'validate', ...files], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(/^\s+at |\.js:\d+:\d+\)/m);
    for (const line of r.stderr.trimEnd().split('\n')) expect(line).toMatch(/^\/.+\.yaml:\d+:\d+: \S.*: /);
  });
});
