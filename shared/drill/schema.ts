import { z } from 'zod';
import { BalancerSettingsPatch, FaultInject, NodeId, TopologySpec, TrafficSettingsPatch } from '../contract/model.js';
import { count, DrillLimits, drillFootprint, formatBytes, formatDuration } from './footprint.js';

/**
 * The drill file format: one YAML file describes one drill (see drills/examples/*.yaml).
 *
 * Steps are written with a single key naming the kind of step (`- say: ...`, `- wait: 500`, ...).
 * Each step is parsed by one strict object whose keys are all optional plus a check that exactly
 * one is present, rather than by a zod union: an unknown key then fails as `unrecognized_keys` on
 * that very key, which lets the file loader point at it (a union would report every branch).
 */

/** What a drill teaches. Extend this list as drills for new concepts are written. */
export const DrillConcepts = [
  'active-active',
  'retries',
  'load-balancing',
  'detection',
  'health-checks',
  'hot-standby',
  'warm-standby',
  'cold-standby',
  'checkpoints',
  'partition',
  'overload',
  'retry-budget',
] as const;
export const DrillConcept = z.enum(DrillConcepts);
export type DrillConcept = z.infer<typeof DrillConcept>;

const KebabId = z
  .string()
  .max(64)
  .regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, 'an id is kebab-case: a-z, 0-9 and single dashes, starting with a letter');

/** Names given to faults (`as`) and to marks: short, no spaces. */
export const DrillName = z
  .string()
  .max(64)
  .regex(/^[a-z][a-z0-9_.-]*$/i, 'a name is letters, digits, _ . and -, starting with a letter');

const Ms = z.number().int().min(0).max(3_600_000);

/**
 * Metrics an `expect` step can bound. Closed on purpose: each one must be computable by the runner.
 * `traffic.*` count every request since the drill began; `recent.*` only the last `windowMs`
 * (default 2000) of metrics windows; `node.share` is the share of the recent requests that `node`
 * served; `incident.*` are the latest incident's; `ledger.lost` reads every acknowledged write back.
 */
export const DrillMetric = z.enum([
  'traffic.failed',
  'traffic.errorRate',
  'traffic.p99',
  'traffic.retried',
  'recent.rps',
  'recent.errorRate',
  'recent.p99',
  'node.share',
  'ledger.lost',
  'ledger.stale',
  'incident.mttdMs',
  'incident.mttrMs',
]);
export type DrillMetric = z.infer<typeof DrillMetric>;

/** Timeline event kinds (`domain.what`), e.g. `failover.done`, `incident.detected`, `node.ready`. */
const EventKind = z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$/, 'an event kind is domain.what, e.g. failover.done');

/**
 * `says:` words an expectation or a hypothesis bound for the learner, replacing the sentence made
 * from its fields. One name for both, as what the check *says* to the reader (beside `say:`, the
 * narration); not `text` (an action's instruction) nor `description` (the run's own wording).
 */
const Says = z.string().min(1).max(300);

/** Always: a refinement that reads its value as unknown can run beside other mistakes (every mistake in one run). */
const always = { when: () => true };
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Traffic a drill asks (its own, or a `traffic.set` it performs), within DrillLimits. */
function capTraffic(value: unknown, ctx: z.RefinementCtx): void {
  if (!isRecord(value)) return;
  const cap = (key: string, max: number, message: string): void => {
    const n = value[key];
    if (typeof n === 'number' && n > max) ctx.addIssue({ code: 'custom', path: [key], message });
  };
  cap('rate', DrillLimits.rate, `a drill may ask at most ${count(DrillLimits.rate)} requests per second`);
  cap('valueBytes', DrillLimits.valueBytes, `a drill may write values of at most ${formatBytes(DrillLimits.valueBytes)}`);
  cap('durationMs', DrillLimits.trafficMs, `a drill may send traffic for at most ${formatDuration(DrillLimits.trafficMs)}`);
  cap('keys', DrillLimits.keys, `a drill may use at most ${count(DrillLimits.keys)} keys`);
  cap('maxInFlight', DrillLimits.maxInFlight, `a drill may keep at most ${count(DrillLimits.maxInFlight)} requests in flight`);
}

/** A drill's traffic settings: the contract's patch, within what a drill may ask. */
export const DrillTraffic = TrafficSettingsPatch.superRefine(capTraffic, always);

/** Checks that exactly one of `keys` is present on an object; reports on the object itself. */
function exactlyOne(value: Record<string, unknown>, keys: readonly string[], ctx: z.RefinementCtx, what: string): void {
  const present = keys.filter((key) => value[key] !== undefined);
  if (present.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      message: present.length === 0 ? `${what} needs one of: ${keys.join(', ')}` : `${what} takes only one of: ${present.join(', ')}`,
    });
  }
}

// ---- Steps -------------------------------------------------------------------------------

/** Narration, in Markdown. */
export const SayStep = z.string().min(1).max(4_000);
/** A pause, in ms (all of a drill's waits together: DrillLimits.waitsMs). */
export const WaitStep = Ms;

/**
 * A fault's moment, when the lesson needs one: the fault waits for the next `event` (on `node`) seen
 * from when it is due, at most `within` ms, then `delayMs` more. "Kill p1 1 s after its next
 * checkpoint" makes a warm standby lose writes every time, however late the learner clicks Continue.
 */
export const FaultAfter = z
  .object({
    event: EventKind,
    node: NodeId.optional(),
    within: z.number().int().min(1).max(DrillLimits.withinMs, `a fault may wait for an event at most ${formatDuration(DrillLimits.withinMs)}`),
    /** Not scaled by the short profile: it is timed against the event, not against the drill. */
    delayMs: z.number().int().min(0).max(60_000).optional(),
  })
  .strict();
export type FaultAfter = z.infer<typeof FaultAfter>;

/** `{ inject: FaultInject, as?: name, after?: FaultAfter }`, `{ revert: name }` (a fault injected `as` that name) or `{ halt: true }`. */
export const FaultStep = z
  .object({
    inject: FaultInject.optional(),
    as: DrillName.optional(),
    after: FaultAfter.optional(),
    revert: DrillName.optional(),
    halt: z.literal(true).optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    exactlyOne(value, ['inject', 'revert', 'halt'], ctx, 'a fault step');
    if (value.as !== undefined && value.inject === undefined) ctx.addIssue({ code: 'custom', path: ['as'], message: '`as` names an injected fault: use it with `inject`' });
    if (value.after !== undefined && value.inject === undefined) ctx.addIssue({ code: 'custom', path: ['after'], message: '`after` times an injected fault: use it with `inject`' });
    if (value.inject?.durationMs !== undefined && value.inject.durationMs > DrillLimits.faultMs) {
      ctx.addIssue({ code: 'custom', path: ['inject', 'durationMs'], message: `a fault in a drill may last at most ${formatDuration(DrillLimits.faultMs)}` });
    }
  });
export type FaultStep = z.infer<typeof FaultStep>;

const NodeOnly = z.object({ id: NodeId }).strict();
const NodeGrace = z.object({ id: NodeId, graceMs: z.number().int().min(0).max(60_000).optional() }).strict();
const NoParams = z.object({}).strict();

/** Contract commands an `action` may perform (what `--auto` does in place of the operator), with their params. */
export const ActionCommands = {
  'node.start': NodeOnly,
  'node.stop': NodeGrace,
  'node.restart': NodeGrace,
  'node.promote': NodeOnly,
  'fault.halt': NoParams,
  'balancer.set': BalancerSettingsPatch,
  'traffic.set': DrillTraffic,
  'traffic.stop': NoParams,
  'ledger.check': NoParams,
} as const;
export type ActionCommand = keyof typeof ActionCommands;
export const ActionCommand = z.enum(Object.keys(ActionCommands) as [ActionCommand, ...ActionCommand[]]);

/** A manual step: the UI shows `text` and waits for the operator; headless runs with `--auto` perform `do`. */
export const ActionStep = z
  .object({
    text: z.string().min(1).max(2_000),
    do: z
      .object({ command: ActionCommand, params: z.record(z.string(), z.unknown()).default({}) })
      .strict()
      .superRefine((value, ctx) => {
        const parsed = ActionCommands[value.command].safeParse(value.params);
        if (!parsed.success) {
          for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: ['params', ...issue.path], message: issue.message });
        }
      })
      .optional(),
  })
  .strict();
export type ActionStep = z.infer<typeof ActionStep>;

/**
 * `{ event, within, node? }`: the event happens within `within` ms of the latest fault or action
 * step (or of the start); it may already have happened. Events are the lab's timeline kinds
 * (`incident.detected`, `failover.done`, `node.ready`, ...) and the nodes' own log events as
 * `log.<event>` (`log.checkpoint.rejected`, `log.restore.done`).
 * `{ metric, min?, max?, windowMs?, node? }`: the metric is within bounds now.
 */
export const ExpectStep = z
  .object({
    event: EventKind.optional(),
    within: z.number().int().min(1).max(DrillLimits.withinMs, `a drill may wait for an event at most ${formatDuration(DrillLimits.withinMs)}`).optional(),
    node: NodeId.optional(),
    metric: DrillMetric.optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    /** `recent.*` and `node.share`: how far back to look, ms. */
    windowMs: z.number().int().min(100).max(600_000).optional(),
    /** The sentence a learner reads for this expectation, in place of the one made from its fields (`plain.ts`). */
    says: Says.optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    exactlyOne(value, ['event', 'metric'], ctx, 'an expect step');
    if (value.event !== undefined) {
      if (value.within === undefined) ctx.addIssue({ code: 'custom', path: ['within'], message: 'an expected event needs `within` (ms)' });
      for (const key of ['min', 'max'] as const) if (value[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `\`${key}\` bounds a metric, not an event` });
    }
    if (value.metric !== undefined) {
      if (value.min === undefined && value.max === undefined) ctx.addIssue({ code: 'custom', path: ['metric'], message: 'an expected metric needs `min` or `max`' });
      if (value.within !== undefined) ctx.addIssue({ code: 'custom', path: ['within'], message: '`within` times an event, not a metric' });
      if (value.min !== undefined && value.max !== undefined && value.min > value.max) ctx.addIssue({ code: 'custom', path: ['min'], message: '`min` is above `max`' });
      if (value.metric === 'node.share' && value.node === undefined) ctx.addIssue({ code: 'custom', path: ['node'], message: '`node.share` needs the `node` whose share it is' });
      if (value.node !== undefined && value.metric !== 'node.share') ctx.addIssue({ code: 'custom', path: ['node'], message: '`node` names a node for an event or for node.share' });
      if (value.windowMs !== undefined && !(value.metric.startsWith('recent.') || value.metric === 'node.share')) ctx.addIssue({ code: 'custom', path: ['windowMs'], message: '`windowMs` is for recent.* metrics and node.share' });
    }
    if (value.event !== undefined && value.windowMs !== undefined) ctx.addIssue({ code: 'custom', path: ['windowMs'], message: '`windowMs` is for metrics, not events' });
  });
export type ExpectStep = z.infer<typeof ExpectStep>;

/**
 * A question answered before the fault; the report puts the answer beside what happened. `answer` is
 * the expected option's index. `explain`, parallel to `options`: why each option is right or wrong in
 * this lab, shown to the learner once they have answered.
 */
export const PredictStep = z
  .object({
    question: z.string().min(1).max(1_000),
    options: z.array(z.string().min(1).max(200)).min(2).max(8),
    answer: z.number().int().min(0).optional(),
    explain: z.array(z.string().min(1).max(1_000)).max(8).optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.answer !== undefined && value.answer >= value.options.length) {
      ctx.addIssue({ code: 'custom', path: ['answer'], message: `answer is an option's index: 0 to ${value.options.length - 1}` });
    }
    if (value.explain !== undefined && value.explain.length !== value.options.length) {
      const n = value.options.length;
      ctx.addIssue({ code: 'custom', path: ['explain'], message: `explain has one entry per option, in the same order: ${n} entries for ${n} options, not ${value.explain.length}` });
    }
  });
export type PredictStep = z.infer<typeof PredictStep>;

/** A named moment in the report. */
export const MarkStep = DrillName;

const stepShapes = {
  say: SayStep,
  wait: WaitStep,
  fault: FaultStep,
  action: ActionStep,
  expect: ExpectStep,
  predict: PredictStep,
  mark: MarkStep,
} as const;
export type StepKind = keyof typeof stepShapes;
export const stepKinds = Object.keys(stepShapes) as StepKind[];

/** One step, as written: a single key naming its kind. */
export type DrillStep = { [K in StepKind]: { [P in K]: z.output<(typeof stepShapes)[P]> } }[StepKind];

export const DrillStep = z
  .strictObject(
    {
    say: SayStep.optional(),
    wait: WaitStep.optional(),
    fault: FaultStep.optional(),
    action: ActionStep.optional(),
    expect: ExpectStep.optional(),
    predict: PredictStep.optional(),
    mark: MarkStep.optional(),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown step "${issue.keys.join('", "')}": a step is one of ${stepKinds.join(', ')}` : undefined) },
  )
  // Not when a key is unknown: `- sya: hi` is one mistake (the key), not two.
  .superRefine((value, ctx) => exactlyOne(value, stepKinds, ctx, 'a step'), { when: (payload) => payload.issues.length === 0 })
  .transform((value) => value as DrillStep);

/** The kind of a parsed step. */
export const stepKindOf = (step: DrillStep): StepKind => Object.keys(step)[0] as StepKind;

// ---- The drill ---------------------------------------------------------------------------

/** All of a drill's waits together, within DrillLimits: named at the wait that goes past. */
function capWaits(drill: unknown, ctx: z.RefinementCtx): void {
  if (!isRecord(drill) || !Array.isArray(drill.steps)) return;
  let total = 0;
  drill.steps.forEach((step: unknown, index) => {
    if (!isRecord(step) || typeof step.wait !== 'number') return;
    const before = total;
    total += step.wait;
    if (total > DrillLimits.waitsMs && before <= DrillLimits.waitsMs) {
      ctx.addIssue({ code: 'custom', path: ['steps', index, 'wait'], message: `a drill may wait at most ${formatDuration(DrillLimits.waitsMs)} in all` });
    }
  });
}

/** The steady state, checked continuously while the drill runs; each bound is optional. */
export const DrillHypothesis = z
  .object({
    /** Failed / sent over the check window, 0..1 (0.01 = 1 %). */
    maxErrorRate: z.number().min(0).max(1).optional(),
    maxP99Ms: z.number().min(0).max(3_600_000).optional(),
    /** Acknowledged writes the ledger can no longer read back. */
    maxLostWrites: z.number().int().min(0).optional(),
    /** Each bound's sentence for the learner, in place of the one made from it (`plain.ts`). */
    says: z.object({ maxErrorRate: Says.optional(), maxP99Ms: Says.optional(), maxLostWrites: Says.optional() }).strict().optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    for (const name of ['maxErrorRate', 'maxP99Ms', 'maxLostWrites'] as const) {
      if (value.says?.[name] !== undefined && value[name] === undefined) ctx.addIssue({ code: 'custom', path: ['says', name], message: `words a bound the hypothesis does not set: set \`${name}\` too, or leave this out` });
    }
  });
export type DrillHypothesis = z.infer<typeof DrillHypothesis>;

/** Abort the drill and revert every fault when the error rate stays above the limit this long. */
export const DrillStop = z
  .object({
    errorRateAbove: z.number().min(0).max(1),
    forMs: Ms.default(1_000),
  })
  .strict();
export type DrillStop = z.infer<typeof DrillStop>;

export const DrillSpec = z
  .object({
    id: KebabId,
    title: z.string().min(1).max(200),
    concept: DrillConcept,
    summary: z.string().min(1).max(1_000),
    /** Runs are seeded: the same seed, the same traffic and the same random choices. */
    seed: z.number().int().min(0).default(1),
    topology: TopologySpec.superRefine((topology, ctx) => {
      if (topology.kind === 'active-active' && topology.nodes > DrillLimits.nodes) ctx.addIssue({ code: 'custom', path: ['nodes'], message: `a drill may run at most ${DrillLimits.nodes} nodes` });
      if (topology.needed !== undefined) {
        // k of m: no more nodes needed than serve (a standby topology serves from its primary alone).
        const serving = topology.kind === 'active-active' ? topology.nodes : 1;
        if (topology.needed > serving) {
          const message = topology.kind === 'active-active' ? `needed is how many of the ${serving} nodes the load needs: at most ${serving}` : `a ${topology.kind} topology serves from one node at a time: needed can only be 1`;
          ctx.addIssue({ code: 'custom', path: ['needed'], message });
        }
      }
    }),
    balancer: BalancerSettingsPatch.optional(),
    /** Traffic for the whole drill (the lab's defaults where left out). */
    traffic: DrillTraffic.default({}),
    hypothesis: DrillHypothesis.default({}),
    stop: DrillStop.optional(),
    steps: z.array(DrillStep).min(1).max(DrillLimits.steps),
  })
  .strict()
  .superRefine(capWaits, always)
  .superRefine((drill, ctx) => {
    // A fault is reverted by the name it was injected `as`, after it was injected; names and marks are unique.
    const faults = new Set<string>();
    const marks = new Set<string>();
    drill.steps.forEach((step, index) => {
      if ('fault' in step) {
        const { as, revert } = step.fault;
        if (as !== undefined) {
          if (faults.has(as)) ctx.addIssue({ code: 'custom', path: ['steps', index, 'fault', 'as'], message: `a fault is already named "${as}"` });
          faults.add(as);
        }
        if (revert !== undefined && !faults.has(revert)) {
          ctx.addIssue({ code: 'custom', path: ['steps', index, 'fault', 'revert'], message: `no fault injected earlier \`as: ${revert}\`` });
        }
      }
      if ('mark' in step) {
        if (marks.has(step.mark)) ctx.addIssue({ code: 'custom', path: ['steps', index, 'mark'], message: `a mark is already named "${step.mark}"` });
        marks.add(step.mark);
      }
    });
    // What the drill asks in all: bytes per second, and requests over the time traffic runs (once
    // each single ask is within its limit: past one, the sum says nothing new).
    const f = drillFootprint(drill);
    const waits = drill.steps.reduce((sum, step) => sum + ('wait' in step ? step.wait : 0), 0);
    if (f.peakRate > DrillLimits.rate || f.valueBytes > DrillLimits.valueBytes || f.trafficMs > DrillLimits.trafficMs || waits > DrillLimits.waitsMs) return;
    const bytesPerSec = f.peakRate * f.valueBytes;
    if (bytesPerSec > DrillLimits.bytesPerSec) {
      const message = `${count(f.peakRate)} req/s of ${formatBytes(f.valueBytes)} values is ${formatBytes(bytesPerSec)}/s; a drill may send at most ${formatBytes(DrillLimits.bytesPerSec)}/s`;
      ctx.addIssue({ code: 'custom', path: f.valueBytesPath, message });
    }
    if (f.totalRequests > DrillLimits.totalRequests) {
      const message = `up to ${count(f.totalRequests)} requests in all (${count(f.peakRate)} req/s for ${formatDuration(f.trafficMs)}); a drill may send at most ${count(DrillLimits.totalRequests)}`;
      ctx.addIssue({ code: 'custom', path: f.ratePath, message });
    }
  });
export type DrillSpec = z.infer<typeof DrillSpec>;
export type DrillSpecInput = z.input<typeof DrillSpec>;
