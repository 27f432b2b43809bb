// The shape every step file implements: how the step is listed before it runs, and how it is
// played. The run (drill-run.ts) is the sequencer; a step gets only what its context hands it.
import type { LedgerCounts, TimelineEvent } from '../../../../shared/contract/model.js';
import type { ExpectationResult, OperatorWait, PredictionRecord, StepRecord } from '../../../../shared/drill/run.js';
import type { DrillStep, StepKind } from '../../../../shared/drill/schema.js';
import { now } from '../../clock.js';
import type { DrillLab } from '../drill-lab.js';
import type { RunRecorder } from '../run-recorder.js';

/** What is written under a step's one key: `{ wait: 500 }` → `500`. */
export type StepBody<K extends StepKind = StepKind> = K extends StepKind ? Extract<DrillStep, Record<K, unknown>>[K] : never;

export type OperatorAnswer = { option?: number; perform?: boolean };

/** How a step ended: `done`, or `passed` / `failed` for an expectation. Throwing fails the run. */
export type StepEnd = Extract<StepRecord['status'], 'done' | 'passed' | 'failed'>;

/** Where `expect event` counts from: the start of the latest fault or action step, else the run's start. */
export interface Anchor {
  at: number;
  label: string;
  /**
   * The earliest event that counts, when before `at`: an action reported done after the operator
   * did it, whose effects may have come before the report (seen there, they count as at once).
   */
  since?: number;
}

/** A drill's own names for the faults it injected (`as: primary-kill`), both ways. */
export class NamedFaults {
  private readonly ids = new Map<string, string>(); // drill name -> lab fault id
  private readonly byId = new Map<string, string>(); // lab fault id -> drill name

  name(as: string, id: string): void {
    this.ids.set(as, id);
    this.byId.set(id, as);
  }

  /** The lab's id of the fault named `as` (the schema checks that a revert names an earlier fault). */
  idOf(as: string): string | undefined {
    return this.ids.get(as);
  }

  /** Lab fault id -> drill name, for the report. */
  get names(): ReadonlyMap<string, string> {
    return this.byId;
  }
}

/** What a step file gets to play one step. */
export interface StepContext {
  readonly index: number;
  /** The step's own record: a step fills `faultId` and `performedBy`. */
  readonly record: StepRecord;
  readonly lab: DrillLab;
  readonly recorder: RunRecorder;
  /** `--auto`: actions are performed by the lab, predictions are not asked. */
  readonly auto: boolean;
  /** Learning mode: wait for the operator before each injected fault. */
  readonly pauseBeforeFaults: boolean;
  /** The share of written waits the profile plays (1, or less for `short`). */
  readonly scale: number;
  /** Aborts with the run; its reason is what a step's waits reject with. */
  readonly signal: AbortSignal;
  readonly faults: NamedFaults;
  /** Where `expect event` counts from now. */
  anchor(): Anchor;
  /** Counting for `expect event` starts now (or `at`), at `label` ("the fault", "the action"); events from `since` on count too. */
  setAnchor(label: string, where?: { at?: number; since?: number }): void;
  /** Waits `ms`; rejects at once when the run is aborted. */
  sleep(ms: number): Promise<void>;
  /** Shows the operator a question or an instruction and waits for the answer, or for `until` (the act seen done). */
  waitForOperator(wait: Omit<OperatorWait, 'step'>, until?: Promise<OperatorAnswer>): Promise<OperatorAnswer>;
  /** Reads every acknowledged write back now; the run keeps the counts for its report. */
  checkLedger(): Promise<LedgerCounts>;
  /** Adds to the run's predictions; the record may be filled in after (the answer). */
  predicted(prediction: PredictionRecord): void;
  /** Adds to the run's expectations (a failed one fails the verdict). */
  expected(result: ExpectationResult): void;
}

/** How a step is listed before it runs. */
export interface StepListing {
  label: string;
  text?: string;
}

export interface StepUnit<K extends StepKind = StepKind> {
  readonly kind: K;
  list(body: StepBody<K>): StepListing;
  /** Plays the step; throws to fail the run (and rejects with the abort reason when aborted). */
  perform(body: StepBody<K>, context: StepContext): Promise<StepEnd>;
}

/** A list label from free text: its first line, without markdown marks, at most 80 characters. */
export function firstLine(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  const plain = line.replace(/[*_`]/g, '');
  return plain.length > 80 ? `${plain.slice(0, 79)}…` : plain;
}

/** Two decimals, for measured values in words and in expectation results. */
export function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** A timeline event as a step matches it. */
export type Seen = Pick<TimelineEvent, 'kind' | 'at' | 'nodeId'>;

/** The first timeline event from now on that matches, or undefined at the deadline; rejects when the run aborts. */
export function waitForTimeline(context: StepContext, matches: (e: Seen) => boolean, deadline: number): Promise<Seen | undefined> {
  return new Promise((resolve, reject) => {
    const { signal } = context;
    const done = (value: Seen | undefined): void => {
      clearTimeout(timer);
      stop();
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    };
    const onAbort = (): void => {
      clearTimeout(timer);
      stop();
      reject(signal.reason);
    };
    const stop = context.recorder.onTimeline((e) => {
      if (matches(e)) done(e);
    });
    const timer = setTimeout(() => done(undefined), Math.max(0, deadline - now()));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}
