// Plain language for a drill: every step, expectation and hypothesis bound in a sentence, made
// from its fields (or the file's own `says:`), checked on the built-in drills' real steps.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDrill, loadDrillFile } from '../../../electron/engine/drills/drill-file.js';
import type { DrillLab } from '../../../electron/engine/drills/drill-lab.js';
import { DrillRun } from '../../../electron/engine/drills/drill-run.js';
import { HypothesisMonitor } from '../../../electron/engine/drills/hypothesis.js';
import { FaultType } from '../../../shared/contract/model.js';
import { boundSentence, eventPhrases, eventWords, expectationSentence, stepSentence, stepSentences, stopSentence } from '../../../shared/drill/plain.js';
import { HypothesisName } from '../../../shared/drill/run.js';
import { ActionCommand, ActionCommands, DrillMetric, DrillStep, stepKinds, type DrillSpec, type ExpectStep } from '../../../shared/drill/schema.js';

const root = join(import.meta.dirname, '../../../drills');
const builtins: Array<[string, DrillSpec]> = ['library', 'examples'].flatMap((dir) =>
  readdirSync(join(root, dir))
    .filter((name) => name.endsWith('.yaml'))
    .map((name): [string, DrillSpec] => [`${dir}/${name}`, loadDrillFile(join(root, dir, name))]),
);
const drill = (file: string): DrillSpec => builtins.find(([name]) => name === file)![1];

/** No leftovers of a template: a sentence never shows undefined, NaN, [object Object] or an empty slot. */
const sound = (sentence: string): void => {
  expect(sentence).not.toMatch(/undefined|NaN|\[object|null|\(\)|\s{2}/);
  expect(sentence.length).toBeGreaterThan(5);
};

describe('plain sentences', () => {
  it('words every metric, bounded below, above and both', () => {
    for (const metric of DrillMetric.options) {
      for (const bounds of [{ min: 1 }, { max: 0 }, { max: 0.5 }, { min: 0.2, max: 0.45 }]) {
        const e: ExpectStep = { metric, ...bounds, ...(metric === 'node.share' ? { node: 'a2' } : {}) };
        const sentence = expectationSentence(e);
        sound(sentence);
        expect(sentence, metric).not.toContain(metric);
      }
    }
  });

  it('words every event kind a built-in drill expects, each with its own words', () => {
    const kinds = new Set(builtins.flatMap(([, spec]) => spec.steps.flatMap((step) => ('expect' in step && step.expect.event ? [step.expect.event] : []))));
    expect(kinds.size).toBeGreaterThanOrEqual(20);
    for (const kind of kinds) {
      expect(Object.keys(eventPhrases), kind).toContain(kind);
      sound(eventWords(kind, 'a2'));
      sound(eventWords(kind));
    }
    // A kind without words of its own is still a sentence, naming it.
    expect(eventWords('log.cache.flushed', 'a2')).toBe('a2 logs `cache.flushed`');
    expect(eventWords('thing.happened')).toBe('`thing.happened` happens');
  });

  it('words every step kind, fault type and action command', () => {
    const steps: unknown[] = [
      { say: '## Heading\n\n**Three** nodes' },
      { wait: 90_000 },
      { mark: 'm' },
      { predict: { question: 'q?', options: ['a', 'b'] } },
      { expect: { event: 'node.ready', within: 500 } },
      { fault: { revert: 'x' } },
      { fault: { halt: true } },
      ...FaultType.options.map((type) => ({ fault: { inject: { type, target: 'a2' } } })),
      ...ActionCommand.options.map((command) => ({ action: { text: 'Do it.', do: { command, params: command.startsWith('node.') ? { id: 'a2' } : command === 'traffic.set' ? { rate: 50 } : command === 'balancer.set' ? { retry: { enabled: false } } : {} } } })),
    ];
    const kinds = new Set<string>();
    for (const raw of steps) {
      // A revert needs an earlier `as`: the sentence is made from the step alone.
      const step = DrillStep.parse(raw);
      kinds.add(Object.keys(step)[0]!);
      sound(stepSentence(step));
    }
    expect([...kinds].sort()).toEqual([...stepKinds].sort());
    expect(Object.keys(ActionCommands).length).toBe(ActionCommand.options.length);
    expect(stepSentence(DrillStep.parse({ say: '## Heading\n\n**Three** nodes' }))).toBe('narration: Heading');
    expect(stepSentence(DrillStep.parse({ wait: 90_000 }))).toBe('wait 1 min 30 s');
  });

  it('words every hypothesis bound and the stop condition', () => {
    for (const name of HypothesisName.options) {
      sound(boundSentence(name, { [name]: 0 }) as string);
      sound(boundSentence(name, { [name]: 2.5 }) as string);
      expect(boundSentence(name, {})).toBeNull();
    }
    expect(stopSentence({ errorRateAbove: 0.2, forMs: 2000 })).toBe('the drill stops, and every fault is reverted, if more than 20 % of the requests fail for 2 s');
  });

  it('says what the built-in drills check, in words read and agreed with', () => {
    const n1 = stepSentences(drill('library/kill-one-of-three.yaml'));
    expect(n1).toContain('check that a2 gets between 20 % and 45 % of the requests (over the last 2 s)');
    expect(n1).toContain('inject: kill a2 with SIGKILL');
    expect(n1).toContain('check that the balancer detects that a2 has failed within 2 s of the fault');
    expect(n1).toContain('check that a2 is back in rotation within 8 s of the action');
    expect(n1).toContain('check that at most 1 % of the requests fail (since the drill began)');
    expect(n1).toContain('wait 5 s');
    expect(n1).toContain('your turn: Start a2 again (Start on its card). (the lab can do it for you: start a2)');
    expect(stepSentences(drill('library/kill-with-and-without-retries.yaml'))).toContain('check that no request fails (since the drill began)');
    expect(stepSentences(drill('library/health-check-tuning.yaml'))).toEqual(
      expect.arrayContaining([
        'inject: cut a2 off from the balancer',
        'check that the latest failure is detected between 1.5 s and 6 s after it happened',
        'check that a2 has recovered (its incident is closed) within 8 s of the revert',
      ]),
    );
    expect(stepSentences(drill('library/frozen-node-active-vs-passive-detection.yaml'))).toContain('check that the slowest 1 % of the requests take at least 900 ms (since the drill began)');
    expect(stepSentences(drill('library/retry-storm-without-budget.yaml'))).toContain('inject: make a1 answer 503 to 50 % of the requests');
    expect(stepSentences(drill('library/hot-standby-async-replication.yaml'))).toContain('inject: throttle the traffic to s1 to 2 KB/s');
    expect(stepSentences(drill('library/warm-standby.yaml'))).toContain('inject: kill p1 with SIGKILL (1 s after p1 writes a checkpoint)');
    expect(stepSentences(drill('library/periodic-vs-event-driven-checkpoints.yaml'))).toContain(
      'your turn: Raise the traffic to 300 requests per second, 60 % of them writes. (the lab can do it for you: change the traffic: 300 requests per second, 40 % reads)',
    );
    expect(stepSentences(drill('library/warm-standby.yaml'))).toContain('check that between 1 and 600 acknowledged writes are lost');
    const hypothesis = drill('examples/kill-one-of-three.yaml').hypothesis;
    expect(HypothesisName.options.map((name) => boundSentence(name, hypothesis))).toEqual([
      'at most 1 % of the requests fail over the whole drill',
      '99 % of the requests are answered within 250 ms over the whole drill',
      'no acknowledged write is lost',
    ]);
    for (const [, spec] of builtins) for (const sentence of stepSentences(spec)) sound(sentence);
  });

  it('a run lists its steps and its bounds with their sentences before it starts', () => {
    const spec = drill('library/kill-one-of-three.yaml');
    const run = new DrillRun({} as DrillLab, { runId: 'r', spec, seed: 1, auto: true, profile: 'short' }, () => {});
    expect(run.status.steps.map((s) => s.sentence)).toEqual(stepSentences(spec));
    expect(run.status.steps[2]).toMatchObject({ label: 'expect node.share of a2 ≥ 0.2 ≤ 0.45', sentence: 'check that a2 gets between 20 % and 45 % of the requests (over the last 2 s)' });
    expect(run.status.hypothesis.map((c) => c.sentence)).toEqual(['at most 1 % of the requests fail over the whole drill', '99 % of the requests are answered within 1.5 s over the whole drill']);
  });
});

describe('says: the author words it', () => {
  const head = ['id: t', 'title: T', 'concept: retries', 'summary: s', 'topology: { kind: active-active }'];
  const text = (lines: string[]): string => [...head, ...lines].join('\n') + '\n';

  it('replaces the sentence of an expectation and of a hypothesis bound', () => {
    const spec = parseDrill(
      text(['hypothesis:', '  maxErrorRate: 0.01', '  says: { maxErrorRate: the clients hardly notice }', 'steps:', '  - expect: { event: balancer.readmitted, node: a2, within: 8000, says: a2 is serving again }']),
      'd.yaml',
    );
    expect(stepSentences(spec)).toEqual(['check that a2 is serving again']);
    expect(boundSentence('maxErrorRate', spec.hypothesis)).toBe('the clients hardly notice');
    // The run's hypothesis checks carry the bounds' sentences, the file's words included.
    const monitor = new HypothesisMonitor({ ...spec.hypothesis, maxLostWrites: 0 }, undefined);
    expect(monitor.list().map((c) => [c.name, c.sentence])).toEqual([
      ['maxErrorRate', 'the clients hardly notice'],
      ['maxLostWrites', 'no acknowledged write is lost'],
    ]);
  });

  it('refuses words for a bound the hypothesis does not set, and an empty one, naming the field', () => {
    const error = (lines: string[]): Error & { field?: string } => {
      try {
        parseDrill(text(lines), 'd.yaml');
      } catch (e) {
        return e as Error & { field?: string };
      }
      throw new Error('expected an error');
    };
    const unset = error(['hypothesis:', '  maxErrorRate: 0.01', '  says: { maxP99Ms: fast }', 'steps: [{ wait: 1 }]']);
    expect(unset.field).toBe('hypothesis.says.maxP99Ms');
    expect(unset.message).toMatch(/^d\.yaml:8:\d+: hypothesis\.says\.maxP99Ms: words a bound the hypothesis does not set/);
    expect(error(['steps:', '  - expect: { metric: recent.rps, min: 1, says: "" }']).field).toBe('steps.0.expect.says');
  });
});
