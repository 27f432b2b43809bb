import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ContractError } from '../../../shared/contract/errors';
import { loadDrillFile, parseDrill } from '../../../electron/engine/drills/drill-file';

// Every mistake of a drill file at once, and no file — hostile, huge, binary or nested — that can
// stall or crash the loader.

const dir = mkdtempSync(join(tmpdir(), 'firedrill-drill-issues-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let count = 0;
function file(content: string | Buffer): string {
  const path = join(dir, `d${++count}.yaml`);
  writeFileSync(path, content);
  return path;
}

const head = ['id: t', 'title: T', 'concept: retries', 'summary: s', 'topology: { kind: active-active }', 'steps:'];
/** A valid drill with `steps` (YAML lines; the first is line 7) and `more` lines after them. */
function drill(steps: string[], more: string[] = []): string {
  return [...head, ...steps, ...more].join('\n') + '\n';
}

function errorOf(run: () => unknown): ContractError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ContractError);
    return error as ContractError;
  }
  throw new Error('expected a ContractError');
}

const lines = (error: ContractError): string[] => (error.issues ?? []).map((issue) => issue.message);

describe('a drill file: every mistake at once', () => {
  it('three mistakes: three FILE:LINE:COL lines, sorted by line then column; the first is the message and field', () => {
    const text = drill(['  - sya: hi', '  - wait: -5', '  - expect: { event: failover.done }'], ['colour: blue']);
    const error = errorOf(() => parseDrill(text, 'd.yaml'));
    expect(lines(error)).toEqual([
      'd.yaml:7:5: steps.0.sya: unknown step "sya": a step is one of say, wait, fault, action, expect, predict, mark',
      'd.yaml:8:11: steps.1.wait: Too small: expected number to be >=0',
      expect.stringMatching(/^d\.yaml:9:5: steps\.2\.expect\.within: an expected event needs `within`/),
      'd.yaml:10:1: colour: Unrecognized key: "colour"',
    ]);
    expect(error.message).toBe(lines(error)[0]);
    expect(error.field).toBe('steps.0.sya');
    expect(error.code).toBe('invalid-params');
    expect(error.issues?.map((i) => i.field)).toEqual(['steps.0.sya', 'steps.1.wait', 'steps.2.expect.within', 'colour']);
  });

  it('several unknown keys of one map: one line each, at each key', () => {
    const error = errorOf(() => parseDrill(drill(['  - say: hi'], ['foo: 1', 'bar: 2']), 'd.yaml'));
    expect(lines(error)).toEqual(['d.yaml:8:1: foo: Unrecognized key: "foo"', 'd.yaml:9:1: bar: Unrecognized key: "bar"']);
  });

  it('every YAML syntax error, each at its own position', () => {
    const error = errorOf(() => parseDrill(drill(['  - say: "a" b', '  - say: ok', '  - say: "c" d']), 'd.yaml'));
    expect(lines(error)).toEqual(['d.yaml:7:14: (yaml): Unexpected scalar at node end', 'd.yaml:9:14: (yaml): Unexpected scalar at node end']);
    expect(error.field).toBe('(yaml)');
  });

  it('a key written twice is named with the first line, beside the schema mistakes', () => {
    const error = errorOf(() => parseDrill(drill(['  - say: x', '    say: y', '  - wait: -1']), 'd.yaml'));
    expect(lines(error)).toEqual([
      'd.yaml:8:5: steps.0.say: this key is written twice in one map (first at line 7)',
      'd.yaml:9:11: steps.1.wait: Too small: expected number to be >=0',
    ]);
  });

  it('the same mistake reached twice is shown once', () => {
    // An anchored fault used twice: its one bad value is one line.
    const text = drill(['  - fault: &f { inject: { type: kill, target: a1, attributes: { signal: SIGHUP } } }', '  - fault: *f']);
    const error = errorOf(() => parseDrill(text, 'd.yaml'));
    expect(lines(error).filter((l) => l.startsWith('d.yaml:7:'))).toHaveLength(lines(error).length);
    expect(new Set(lines(error).map((l) => l.split(': ')[0])).size).toBe(lines(error).length);
  });

  it('a file with thousands of mistakes shows the first hundred and says how many more', () => {
    const keys = Array.from({ length: 5_000 }, (_, i) => `k${i}: ${i}`);
    const error = errorOf(() => parseDrill(drill(['  - say: hi'], keys), 'd.yaml'));
    expect(lines(error)).toHaveLength(101);
    expect(lines(error)[0]).toBe('d.yaml:8:1: k0: Unrecognized key: "k0"');
    expect(lines(error)[100]).toBe('d.yaml:108:1: (more): 4,900 more mistakes not shown');
  });

  it('control characters in a key are shown escaped, never sent to the terminal', () => {
    const error = errorOf(() => parseDrill(drill(['  - say: hi'], ['"\\e]0;pwned\\a": 1']), 'd.yaml'));
    expect(error.message).toBe('d.yaml:8:1: \\x1b]0;pwned\\x07: Unrecognized key: "\\x1b]0;pwned\\x07"');
    expect([...error.message].some((c) => c.charCodeAt(0) < 0x20)).toBe(false);
  });
});

describe('a drill file: aliases', () => {
  const bomb = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]', ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(', ')}]`)];

  it('an alias bomb is refused fast, with FILE:LINE:COL', () => {
    const started = performance.now();
    const error = errorOf(() => parseDrill(drill(['  - say: hi'], bomb), 'd.yaml'));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(error.message).toMatch(/^d\.yaml:16:\d+: \(yaml\): aliases expand this file to more than 100,000 values/);
  });

  it('an unresolved alias is named at its position', () => {
    const error = errorOf(() => parseDrill(drill(['  - say: *nope']), 'd.yaml'));
    expect(error.message).toBe('d.yaml:7:10: (yaml): alias *nope has no anchor &nope before it');
  });

  it('an alias inside the node it names is refused', () => {
    const error = errorOf(() => parseDrill(drill(['  - say: hi'], ['x: &x [1, *x]']), 'd.yaml'));
    expect(error.message).toBe('d.yaml:8:11: (yaml): alias *x is inside the node it names');
  });

  it('ordinary aliases still work', () => {
    const text = drill(['  - fault: &f { inject: { type: pause, target: a1 } }', '  - wait: 10', '  - fault: *f']);
    expect(parseDrill(text, 'd.yaml').steps).toHaveLength(3);
  });
});

describe('a drill file: hostile and slow files', () => {
  it('parsing is linear in the number of keys', () => {
    const time = (n: number): number => {
      const text = drill(['  - say: hi'], Array.from({ length: n }, (_, i) => `k${i}: ${i}`));
      const started = performance.now();
      errorOf(() => parseDrill(text, 'd.yaml'));
      return performance.now() - started;
    };
    time(2_000); // warm up
    const small = Math.min(time(4_000), time(4_000));
    const large = Math.min(time(16_000), time(16_000));
    // 4× the keys: linear is ~4×, quadratic ~16×; the bound leaves room for a busy machine.
    expect(large / small).toBeLessThan(9);
    expect(large).toBeLessThan(3_000);
  });

  it('a file over the size limit is refused by its size, without being parsed', () => {
    const path = file(Buffer.alloc(10 * 1024 * 1024, 'k: v\n'));
    const started = performance.now();
    const error = errorOf(() => loadDrillFile(path));
    expect(performance.now() - started).toBeLessThan(500);
    expect(error.message).toBe(`${path}:1:1: (file): 10.0 MiB is too large for a drill file (at most 256 KiB); not read`);
  });

  it('a binary file: the NUL byte is named', () => {
    const path = file(Buffer.from('id: t\ntitle: \u0000\u0001\u0002'));
    expect(errorOf(() => loadDrillFile(path)).message).toBe(`${path}:2:8: (file): a NUL byte: this is a binary file, not YAML text`);
  });

  it('invalid UTF-8: the first bad byte is named', () => {
    const path = file(Buffer.concat([Buffer.from('id: t\ntitle: é'), Buffer.from([0xff, 0xfe, 0x41])]));
    expect(errorOf(() => loadDrillFile(path)).message).toBe(`${path}:2:9: (file): not UTF-8 text (byte 0xff)`);
  });

  it('UTF-16 text is named as such', () => {
    const path = file(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('id: t\n', 'utf16le')]));
    expect(errorOf(() => loadDrillFile(path)).message).toBe(`${path}:1:1: (file): UTF-16 text: save the file as UTF-8`);
  });

  it('deep nesting is refused before it can exhaust the stack, and a later file still parses', () => {
    for (const depth of [5_000, 60_000]) {
      const error = errorOf(() => parseDrill(`steps: ${'['.repeat(depth)}${']'.repeat(depth)}\n`, 'd.yaml'));
      expect(error.message).toMatch(/^d\.yaml:1:\d+: \(yaml\): nested more than 64 levels deep$/);
    }
    const block = Array.from({ length: 200 }, (_, i) => `${' '.repeat(i)}k:`).join('\n');
    expect(errorOf(() => parseDrill(block, 'd.yaml')).message).toMatch(/^d\.yaml:\d+:\d+: \(yaml\): nested more than 64 levels deep$/);
    expect(parseDrill(drill(['  - say: hi']), 'd.yaml').id).toBe('t');
  });

  it('a second document, a directory and a FIFO are refused without blocking', () => {
    expect(errorOf(() => parseDrill(`${drill(['  - say: hi'])}---\nid: u\n`, 'd.yaml')).message).toMatch(/^d\.yaml:\d+:1: \(yaml\): one document per file/);
    expect(errorOf(() => loadDrillFile(dir)).message).toMatch(/not a regular file/);
    const fifo = join(dir, 'fifo.yaml');
    // mkfifo is in coreutils; where it is missing there is nothing to test.
    if (spawnSync('mkfifo', [fifo]).status !== 0) return;
    const started = performance.now();
    expect(errorOf(() => loadDrillFile(fifo)).message).toMatch(/not a regular file/);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
