// `explain:` on a prediction: one explanation per option, checked against the options, carried by
// the run's PredictionRecord with the chosen option's own; reports written before it still read.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDrill } from '../../../electron/engine/drills/drill-file.js';
import { predictStep } from '../../../electron/engine/drills/steps/predict.js';
import type { StepContext } from '../../../electron/engine/drills/steps/step-unit.js';
import { readReport } from '../../../electron/engine/report-store/report-store.js';
import type { PredictionRecord } from '../../../shared/drill/run.js';
import type { PredictStep } from '../../../shared/drill/schema.js';
import { makeReport } from '../../support/report-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'firedrill-predict-explain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A valid drill whose steps (YAML lines, indented by 2) start on line 7. */
const drill = (steps: string[]): string => ['id: t', 'title: T', 'concept: retries', 'summary: s', 'topology: { kind: active-active }', 'steps:', ...steps].join('\n') + '\n';

function errorOf(text: string): Error & { field?: string } {
  try {
    parseDrill(text, 'd.yaml');
  } catch (error) {
    return error as Error & { field?: string };
  }
  throw new Error('expected parseDrill to throw');
}

/** Plays a predict step; the operator answers `option` (undefined: a headless --auto run). */
async function played(body: PredictStep, option?: number): Promise<PredictionRecord> {
  const records: PredictionRecord[] = [];
  const context = {
    index: 2,
    auto: option === undefined,
    predicted: (p: PredictionRecord) => records.push(p),
    waitForOperator: () => Promise.resolve({ option }),
  } as unknown as StepContext;
  expect(await predictStep.perform(body, context)).toBe('done');
  return records[0]!;
}

describe('explain: on a prediction', () => {
  it('parses an explanation per option, block scalars included', () => {
    const spec = parseDrill(
      drill(['  - predict:', '      question: q', '      options: [a, b]', '      answer: 1', '      explain:', '        - >-', '          Not a: the supervisor', '          restarts it.', '        - Right.']),
      'd.yaml',
    );
    const step = spec.steps[0];
    expect(step && 'predict' in step && step.predict.explain).toEqual(['Not a: the supervisor restarts it.', 'Right.']);
  });

  it('refuses a list that is not one per option, at the field, with its line and column', () => {
    const short = errorOf(drill(['  - predict:', '      question: q', '      options: [a, b, c]', '      explain: [only one]']));
    expect(short.field).toBe('steps.0.predict.explain');
    expect(short.message).toBe('d.yaml:10:16: steps.0.predict.explain: explain has one entry per option, in the same order: 3 entries for 3 options, not 1');
    const long = errorOf(drill(['  - predict: { question: q, options: [a, b], explain: [x, y, z] }']));
    expect(long.message).toMatch(/^d\.yaml:7:\d+: steps\.0\.predict\.explain: explain has one entry per option.*2 entries for 2 options, not 3$/);
    expect(errorOf(drill(['  - predict: { question: q, options: [a, b], explain: [x, ""] }'])).field).toBe('steps.0.predict.explain.1');
  });

  it('the record carries every explanation and the chosen one', async () => {
    const body: PredictStep = { question: 'q', options: ['a', 'b'], answer: 1, explain: ['why not a', 'why b'] };
    expect(await played(body, 0)).toMatchObject({ answer: 0, correct: false, explain: ['why not a', 'why b'], explanation: 'why not a' });
    expect(await played(body, 1)).toMatchObject({ answer: 1, correct: true, explanation: 'why b' });
    expect(await played(body)).toMatchObject({ answer: null, explain: ['why not a', 'why b'], explanation: null });
    expect(await played({ question: 'q', options: ['a', 'b'] }, 1)).toMatchObject({ answer: 1, explain: [], explanation: null });
  });

  it('a report written before explain and the plain sentences existed still reads, with empty ones', () => {
    const old = JSON.parse(JSON.stringify(makeReport())) as { predictions: Array<Record<string, unknown>> };
    for (const p of old.predictions) {
      delete p.explain;
      delete p.explanation;
    }
    expect(old.predictions[0]).not.toHaveProperty('explain');
    const file = join(dir, 'report.json');
    writeFileSync(file, JSON.stringify(old));
    const read = readReport(file);
    expect(read.predictions[0]).toMatchObject({ explain: [], explanation: null, answer: 0 });
    // Its expectations predate the plain sentences too.
    expect(read.expectations[0]).toMatchObject({ sentence: '', missed: null, detail: 'seen 4.2 ms after the fault (a2)' });
  });
});
