import { z } from 'zod';
import { DrillConcept, DrillSpec, stepKinds, type StepKind } from './schema.js';

/**
 * A drill run as the runner reports it over the contract (`drill.step`, `drill.verdict`,
 * `drill.status`) and as the report keeps it. Times inside a run are milliseconds since the run
 * started (`atMs`), so two runs line up side by side.
 */

export const StepKindSchema = z.enum(stepKinds as [StepKind, ...StepKind[]]);

/** How a run may be cut short: `full` runs the drill as written; `short` scales waits and traffic down for CI. */
export const DrillProfile = z.enum(['full', 'short']);
export type DrillProfile = z.infer<typeof DrillProfile>;

export const ReportFormat = z.enum(['json', 'html', 'md', 'junit', 'pdf']);
export type ReportFormat = z.infer<typeof ReportFormat>;

export const Verdict = z.enum(['pass', 'fail', 'pending']);
export type Verdict = z.infer<typeof Verdict>;

/** pass: every expectation and the hypothesis held; fail: one did not; aborted: a stop condition or the operator ended it; error: the drill could not run. */
export const DrillVerdict = z.enum(['pass', 'fail', 'aborted', 'error']);
export type DrillVerdict = z.infer<typeof DrillVerdict>;

export const ExpectationResult = z.object({
  step: z.number().int(),
  kind: z.enum(['event', 'metric']),
  /** In words: "incident.detected within 2000 ms of the last fault", "traffic.errorRate ≤ 0.01". */
  description: z.string(),
  verdict: Verdict,
  /** What was measured: ms after the anchor for an event, the metric's value for a metric; null when never seen. */
  observed: z.number().nullable(),
  unit: z.enum(['ms', 'count', 'ratio']),
  /** One line on what happened, e.g. "seen 4.2 ms after the fault (a2)", "never seen within 2000 ms". */
  detail: z.string(),
  /** When the verdict was reached. */
  atMs: z.number().nullable(),
  /** The expectation as a learner reads it (`plain.ts`, or the file's `says:`): "a2 is back in rotation within 8 s of the action". Empty in reports written before it existed. */
  sentence: z.string().default(''),
  /** A failed expectation: what was seen instead, in a sentence ("… seen on a2 since the action instead: a2's process starts (+0.4 s)"); null when it held. */
  missed: z.string().nullable().default(null),
});
export type ExpectationResult = z.infer<typeof ExpectationResult>;

export const HypothesisName = z.enum(['maxErrorRate', 'maxP99Ms', 'maxLostWrites']);
export type HypothesisName = z.infer<typeof HypothesisName>;

/** One bound of the steady-state hypothesis, checked all along (traffic since the run started). */
export const HypothesisCheck = z.object({
  name: HypothesisName,
  limit: z.number(),
  /** The latest value (error rate 0..1, p99 in ms, lost writes); the worst seen is what breaches. */
  observed: z.number().nullable(),
  worst: z.number().nullable(),
  verdict: Verdict,
  breachedAtMs: z.number().nullable(),
  detail: z.string(),
  /** The bound as a learner reads it (`plain.ts`, or the file's `says:`): "at most 1 % of the requests fail over the whole drill". Empty in reports written before it existed. */
  sentence: z.string().default(''),
});
export type HypothesisCheck = z.infer<typeof HypothesisCheck>;

export const PredictionRecord = z.object({
  step: z.number().int(),
  question: z.string(),
  options: z.array(z.string()),
  /** The drill author's expected option, when the drill gives one. */
  expected: z.number().int().nullable(),
  /** The operator's answer; null when nobody answered (a headless run). */
  answer: z.number().int().nullable(),
  correct: z.boolean().nullable(),
  /** What actually happened, in words, filled in when the run ends (failed requests, MTTD, lost writes). */
  outcome: z.string(),
  /** Why each option is right or wrong in this lab (the drill's `explain`, parallel to `options`); empty when the drill gives none (and in reports written before it existed). */
  explain: z.array(z.string()).default([]),
  /** The explanation of the option answered; null when unanswered or not explained. */
  explanation: z.string().nullable().default(null),
  /** Classroom viewers' votes, per option (parallel to `options`); absent when nobody in a classroom voted. */
  tally: z.array(z.number().int().min(0)).optional(),
});
export type PredictionRecord = z.infer<typeof PredictionRecord>;

export const StepStatus = z.enum(['pending', 'running', 'waiting', 'done', 'passed', 'failed', 'skipped']);
export type StepStatus = z.infer<typeof StepStatus>;

export const StepRecord = z.object({
  index: z.number().int(),
  kind: StepKindSchema,
  /** One line for lists and progress bars: "wait 3000 ms", "inject kill on a2", "expect incident.detected". */
  label: z.string(),
  /** The step in plain words (`plain.ts`): "inject: kill a2 with SIGKILL", "check that a2 is back in rotation within 8 s of the action". Absent in reports written before it existed. */
  sentence: z.string().optional(),
  status: StepStatus,
  startedAtMs: z.number().nullable(),
  endedAtMs: z.number().nullable(),
  /** Narration (say), the operator's instruction (action) or a prediction's question. */
  text: z.string().nullable(),
  /** action: who did it. */
  performedBy: z.enum(['operator', 'auto']).nullable(),
  /** fault: the id the lab gave the fault. */
  faultId: z.string().nullable(),
  error: z.string().nullable(),
  /** When the step put a prompt before the operator (predict, action, a pause before a fault): shown at this ms of the run ... */
  operatorWaitFromMs: z.number().optional(),
  /** ... and waited this long for the act done, *Done* or the answer (operator time in the MTTR split). Absent when it waited on nobody. */
  operatorWaitMs: z.number().optional(),
});
export type StepRecord = z.infer<typeof StepRecord>;

/** What the run is waiting for from the operator, if anything. */
export const OperatorWait = z.object({
  step: z.number().int(),
  /** `continue`: the drill is about to inject a fault and waits for the learner (`pauseBeforeFaults`). */
  kind: z.enum(['predict', 'action', 'continue']),
  text: z.string(),
  options: z.array(z.string()).nullable(),
  /** An action the lab can perform itself when asked (`drill.answer` with `perform: true`). */
  canPerform: z.boolean(),
});
export type OperatorWait = z.infer<typeof OperatorWait>;

/** What a run did to the lab after it ended: what it put back as it was, and what it left as the drill had it. */
export const LabAfter = z.object({
  /** Whether the run was asked to put the lab back (`drill.run` `putBack`, default on). */
  putBack: z.boolean(),
  /** In words, what was put back: "topology: hot-standby (sync) again", "traffic running again (41 s left)". */
  restored: z.array(z.string()),
  /** In words, what the drill left behind (put-back off, or something that could not be put back). */
  left: z.array(z.string()),
});
export type LabAfter = z.infer<typeof LabAfter>;

export const DrillRunStatus = z.object({
  runId: z.string(),
  drillId: z.string(),
  title: z.string(),
  seed: z.number().int(),
  profile: DrillProfile,
  auto: z.boolean(),
  state: z.enum(['preparing', 'running', 'waiting', 'finishing', 'finished']),
  startedAt: z.number(),
  elapsedMs: z.number(),
  /** The step running now (its index), or null before the first and after the last. */
  current: z.number().int().nullable(),
  steps: z.array(StepRecord),
  hypothesis: z.array(HypothesisCheck),
  expectations: z.array(ExpectationResult),
  predictions: z.array(PredictionRecord),
  waitingFor: OperatorWait.nullable(),
  verdict: DrillVerdict.nullable(),
  /** Why the verdict is what it is, in one line. */
  reason: z.string().nullable(),
  /** The report's id once it is written. */
  reportId: z.string().nullable(),
  /** After the run: what was put back and what was left; absent until then (and from older engines). */
  labAfter: LabAfter.optional(),
});
export type DrillRunStatus = z.infer<typeof DrillRunStatus>;

export const DrillSummary = z.object({
  id: z.string(),
  title: z.string(),
  concept: DrillConcept,
  summary: z.string(),
  source: z.enum(['builtin', 'file']),
  path: z.string(),
  steps: z.number().int(),
  /** Sum of the waits as written (the `full` profile), ms. */
  estimatedMs: z.number(),
  predictions: z.number().int(),
  actions: z.number().int(),
});
export type DrillSummary = z.infer<typeof DrillSummary>;

export const DrillRunParams = z
  .object({
    /** A drill from `drill.list`, by id ... */
    id: z.string().min(1).max(200).optional(),
    /** ... or a drill given whole (the UI's editor, a file the CLI read). */
    spec: DrillSpec.optional(),
    /** Where the spec came from, for the report. */
    path: z.string().max(4096).optional(),
    /** Overrides the drill's own seed. */
    seed: z.number().int().min(0).optional(),
    /** Perform manual actions without waiting for the operator, and leave predictions unanswered. */
    auto: z.boolean().default(false),
    profile: DrillProfile.default('full'),
    /** Report formats to write when the run ends (json and html are always written). */
    formats: z.array(ReportFormat).max(5).default(['json', 'html', 'md', 'junit']),
    /** Run on the lab's own fleet (stopped and started afresh) instead of setting the drill's topology. */
    onLabFleet: z.boolean().optional(),
    /** Wait for the operator before each fault the drill injects (learning mode); ignored with `auto`. */
    pauseBeforeFaults: z.boolean().default(false),
    /** Put the lab back afterwards (default on): topology, balancer, traffic settings, and traffic running if it was; off, the run lists what it left. */
    putBack: z.boolean().optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    if ((value.id === undefined) === (value.spec === undefined)) ctx.addIssue({ code: 'custom', path: ['id'], message: 'give a drill `id` or a `spec`, not both' });
  });
export type DrillRunParams = z.infer<typeof DrillRunParams>;
