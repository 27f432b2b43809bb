import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { loadDrillFile, parseDrill } from '../../../electron/engine/drills/drill-file';
import { validate } from '../../../electron/cli/validate';
import { stepKindOf } from '../../../shared/drill/schema';

const example = join(import.meta.dirname, '../../../drills/examples/kill-one-of-three.yaml');

const dir = mkdtempSync(join(tmpdir(), 'firedrill-drill-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A valid drill with `steps` (YAML lines, indented by 2; the first is line 9) and a two-line topology. */
function drill(steps: string[], topology = ['topology:', '  kind: active-active']): string {
  return ['id: t', 'title: T', 'concept: retries', 'summary: s', ...topology, 'traffic: { rate: 10 }', 'steps:', ...steps].join('\n') + '\n';
}

function errorOf(text: string): Error & { code?: string; field?: string } {
  try {
    parseDrill(text, 'd.yaml');
  } catch (error) {
    return error as Error & { code?: string; field?: string };
  }
  throw new Error('expected parseDrill to throw');
}

describe('drill files', () => {
  it('parses the example, applying defaults', () => {
    const spec = loadDrillFile(example);
    expect(spec.id).toBe('kill-one-of-three');
    expect(spec.concept).toBe('active-active');
    expect(spec.seed).toBe(7);
    expect(spec.topology).toMatchObject({ kind: 'active-active', nodes: 3 });
    expect(spec.traffic).toEqual({ rate: 200, readShare: 1, durationMs: 20000 });
    expect(spec.hypothesis).toEqual({ maxErrorRate: 0.01, maxP99Ms: 250, maxLostWrites: 0 });
    const kinds = spec.steps.map(stepKindOf);
    expect(kinds).toEqual(['say', 'wait', 'predict', 'mark', 'fault', 'expect', 'mark', 'wait', 'expect', 'action', 'wait', 'say']);
    const fault = spec.steps[4];
    expect(fault && 'fault' in fault && fault.fault.inject).toMatchObject({ type: 'kill', target: 'a2', toxicity: 1, stream: 'downstream' });
  });

  it('defaults seed and hypothesis', () => {
    const spec = parseDrill(drill(['  - say: hi']), 'd.yaml');
    expect(spec.seed).toBe(1);
    expect(spec.hypothesis).toEqual({});
  });

  it('names the line and column of an unknown step key', () => {
    const error = errorOf(drill(['  - say: hi', '  - sya: hello']));
    expect(error.message).toMatch(/^d\.yaml:10:5: steps\.1\.sya: unknown step "sya": a step is one of say, wait/);
    expect(error.field).toBe('steps.1.sya');
    expect(error.code).toBe('invalid-params');
  });

  it('names a bad fault attribute at its value', () => {
    const error = errorOf(drill(['  - fault:', '      inject:', '        type: latency', '        target: a1', '        attributes:', '          latency: -1']));
    expect(error.message).toMatch(/^d\.yaml:14:20: steps\.0\.fault\.inject\.attributes\.latency: .*>=0/);
    expect(error.field).toBe('steps.0.fault.inject.attributes.latency');
  });

  it('names a bad topology kind', () => {
    const error = errorOf(drill(['  - say: hi'], ['topology:', '  kind: mesh']));
    expect(error.message).toMatch(/^d\.yaml:6:9: topology\.kind: Invalid option/);
  });

  it('reports a YAML syntax error at its own position', () => {
    const error = errorOf(drill(['  - say: hi', '  - say: "a" b']));
    expect(error.message).toBe('d.yaml:10:14: (yaml): Unexpected scalar at node end');
    expect(errorOf(drill(['  - say: x', '    say: y'])).message).toBe('d.yaml:10:5: steps.0.say: this key is written twice in one map (first at line 9)');
    expect(error.field).toBe('(yaml)');
  });

  it('rejects a step with two kinds, and a revert of an unnamed fault', () => {
    expect(errorOf(drill(['  - say: hi', '    wait: 3'])).message).toMatch(/^d\.yaml:9:5: steps\.0: a step takes only one of: say, wait/);
    expect(errorOf(drill(['  - fault: { revert: slow }'])).message).toMatch(/^d\.yaml:9:22: steps\.0\.fault\.revert: no fault injected earlier/);
    expect(parseDrill(drill(['  - fault: { inject: { type: pause, target: a1 }, as: slow }', '  - fault: { revert: slow }']), 'd.yaml').steps).toHaveLength(2);
  });

  it('checks a fault’s `after`: only with inject, its own fields, a bounded wait', () => {
    const timed = '{ event: log.checkpoint.written, node: a1, within: 4000, delayMs: 1000 }';
    expect(parseDrill(drill([`  - fault: { inject: { type: kill, target: a1 }, after: ${timed} }`]), 'd.yaml').steps).toHaveLength(1);
    expect(errorOf(drill([`  - fault: { halt: true, after: ${timed} }`])).message).toMatch(/steps\.0\.fault\.after: `after` times an injected fault: use it with `inject`/);
    expect(errorOf(drill(['  - fault: { inject: { type: kill, target: a1 }, after: { event: log.checkpoint.written } }'])).message).toMatch(/steps\.0\.fault\.after\.within/);
    expect(errorOf(drill(['  - fault: { inject: { type: kill, target: a1 }, after: { event: x.y, within: 500000 } }'])).message).toMatch(/a fault may wait for an event at most/);
    expect(errorOf(drill(['  - fault: { inject: { type: kill, target: a1 }, after: { event: x.y, within: 5, delay: 3 } }'])).message).toMatch(/steps\.0\.fault\.after\.delay: Unrecognized key/);
  });

  it('checks expect, predict and action steps', () => {
    expect(errorOf(drill(['  - expect: { event: failover.done }'])).message).toMatch(/steps\.0\.expect\.within: an expected event needs `within`/);
    expect(errorOf(drill(['  - expect: { metric: traffic.lost, max: 0 }'])).message).toMatch(/steps\.0\.expect\.metric: Invalid option/);
    expect(errorOf(drill(['  - predict: { question: q, options: [a, b], answer: 2 }'])).message).toMatch(/steps\.0\.predict\.answer: answer is an option's index: 0 to 1/);
    expect(errorOf(drill(['  - action: { text: go, do: { command: node.restart, params: {} } }'])).field).toBe('steps.0.action.do.params.id');
  });

  it('names an unreadable file', () => {
    expect(() => loadDrillFile(join(dir, 'missing.yaml'))).toThrow(/missing\.yaml: cannot read/);
  });
});

describe('firedrill validate', () => {
  afterEach(() => vi.restoreAllMocks());

  function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
    return validate(argv).then((code) => ({ code, out, err }));
  }

  it('prints ok per valid file and exits 0', async () => {
    const result = await run([example]);
    expect(result).toEqual({ code: 0, out: `${example}: ok (kill-one-of-three, 12 steps)\n`, err: '' });
  });

  it('prints the one-line error and exits 2 when any file is invalid', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, drill(['  - sya: hi']));
    const result = await run([example, bad]);
    expect(result.code).toBe(2);
    expect(result.out).toContain('ok (kill-one-of-three');
    expect(result.err).toBe(`${bad}:9:5: steps.0.sya: unknown step "sya": a step is one of say, wait, fault, action, expect, predict, mark\n`);
  });

  it('has --help and refuses no files', async () => {
    expect((await run(['--help'])).out).toMatch(/^Usage: firedrill validate FILE/);
    await expect(validate([])).rejects.toThrow(/give at least one drill file/);
  });
});
