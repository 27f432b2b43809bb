// One run of one drill against the lab: set the lab up as the drill asks, send its traffic, play
// its steps in order (each kind is a unit under steps/), check its hypothesis all along, and
// whatever happens (pass, fail, abort, error) revert every fault, stop the traffic and put the
// lab back as it was (lab-put-back.ts).
import type { CommandResult, Unsubscribe } from '../../../shared/contract/index.js';
import { ContractError } from '../../../shared/contract/errors.js';
import { BalancerSettings, type LedgerCounts, type TrafficSettings } from '../../../shared/contract/model.js';
import { stepSentences } from '../../../shared/drill/plain.js';
import { operatorWaits, systemMttr } from '../../../shared/report/mttr-split.js';
import type { DrillProfile, DrillRunStatus, DrillVerdict, OperatorWait, StepRecord } from '../../../shared/drill/run.js';
import type { DrillSpec, DrillStep } from '../../../shared/drill/schema.js';
import { sleep } from '../../../shared/sleep.js';
import { now } from '../clock.js';
import type { RunFacts } from '../report-store/report-builder.js';
import type { DrillLab } from './drill-lab.js';
import { HypothesisMonitor, percent } from './hypothesis.js';
import { labAfterWords, labBefore, putLabBack, type LabBefore } from './lab-put-back.js';
import { missingNodes } from './node-refs.js';
import { RunRecorder } from './run-recorder.js';
import { INCIDENT_WAIT_MS } from './steps/expect.js';
import { unitOf } from './steps/index.js';
import { NamedFaults, round, type Anchor, type OperatorAnswer, type StepContext } from './steps/step-unit.js';

export interface DrillRunOptions {
  runId: string;
  spec: DrillSpec;
  seed: number;
  auto: boolean;
  profile: DrillProfile;
  /** Run on the lab's own fleet, started afresh, instead of the drill's topology (`firedrill run --fleet`). */
  onLabFleet?: boolean;
  /** Wait for the operator before each injected fault (not with `auto`). */
  pauseBeforeFaults?: boolean;
  /** Put the lab back as it was after the run (default on); off, `status.labAfter` lists what the drill left. */
  putBack?: boolean;
  /** Called once what the run measured is complete, before the lab is put back (the recording ends there). */
  onMeasured?: () => void;
}

/** A run ends with what it measured, in the report's own shapes: the facts its report is built from. */
export type DrillRunOutcome = RunFacts;

/** `short` (CI) plays waits and traffic at this share of the written time; `within` limits are never scaled. */
export const SHORT_PROFILE_SCALE = 0.5;
/** How often the hypothesis is looked at. */
const CHECK_EVERY_MS = 250;
/** At the end: how long to wait for open incidents to close, and for a primary to check the ledger against. */
const SETTLE_MS = 5_000;
/** Unmeasured traffic before the drill, at its rate (scaled by the profile). */
const WARM_UP_MS = 1_000;

export class DrillRun {
  readonly status: DrillRunStatus;
  private readonly recorder: RunRecorder;
  private readonly monitor: HypothesisMonitor;
  private readonly faults = new NamedFaults();
  private readonly abortController = new AbortController();
  private abortReason: string | null = null;
  private operator: { step: number; resolve: (answer: OperatorAnswer) => void } | null = null;
  /** Where `expect event` counts from: the start of the latest fault or action step, else the run's start. */
  private anchor: Anchor;
  private stopReason: string | null = null;
  private trafficSettings: TrafficSettings | null = null;
  private ledger: LedgerCounts | null = null;
  /** The balancer's settings as the drill began (its own changes over the defaults). */
  private balancerDuring: BalancerSettings | null = null;
  /** Why the lab must not be touched after the run (it is shutting down), if so. */
  private leaveReason: string | null = null;

  constructor(
    private readonly lab: DrillLab,
    private readonly options: DrillRunOptions,
    private readonly onChange: (status: DrillRunStatus) => void,
  ) {
    const startedAt = now();
    const { spec } = options;
    this.recorder = new RunRecorder(startedAt);
    this.monitor = new HypothesisMonitor(spec.hypothesis, spec.stop);
    this.anchor = { at: startedAt, label: 'the start' };
    const sentences = stepSentences(spec);
    this.status = {
      runId: options.runId,
      drillId: spec.id,
      title: spec.title,
      seed: options.seed,
      profile: options.profile,
      auto: options.auto,
      state: 'preparing',
      startedAt,
      elapsedMs: 0,
      current: null,
      steps: spec.steps.map((step, index) => listed(step, index, sentences[index] ?? '')),
      hypothesis: this.monitor.list(),
      expectations: [],
      predictions: [],
      waitingFor: null,
      verdict: null,
      reason: null,
      reportId: null,
    };
  }

  get running(): boolean {
    return this.status.state !== 'finished';
  }

  /** Ends the run early: the current step stops, faults are reverted, the verdict is `aborted`. */
  abort(reason: string): void {
    if (this.abortReason !== null || !this.running) return;
    this.abortReason = reason;
    // Every wait of the run rejects with this reason.
    this.abortController.abort(new Aborted());
    this.operator?.resolve({});
  }

  /** After the run, touch nothing of the lab (it is shutting down): put-back is skipped, and says so. */
  leaveLab(reason: string): void {
    this.leaveReason = reason;
  }

  /** The operator answers a prediction (`option`) or reports an action done (or asks the lab to `perform` it). */
  answer(step: number, answer: OperatorAnswer): void {
    const waiting = this.status.waitingFor;
    if (!waiting || waiting.step !== step || !this.operator) {
      throw new ContractError({ code: 'conflict', message: waiting ? `the drill is waiting on step ${waiting.step}, not ${step}` : 'the drill is not waiting for the operator', field: 'step' });
    }
    if (waiting.kind === 'predict') {
      const count = waiting.options?.length ?? 0;
      if (answer.option === undefined || answer.option < 0 || answer.option >= count) {
        throw new ContractError({ code: 'invalid-params', message: `answer with an option between 0 and ${count - 1}`, field: 'option' });
      }
    } else if (answer.perform && !waiting.canPerform) {
      throw new ContractError({ code: 'conflict', message: 'this action has nothing the lab can do for you', field: 'perform' });
    }
    this.operator.resolve(answer);
  }

  /** Classroom votes on the prediction waited on now: voter -> option (a new vote replaces the voter's last). */
  private votes: { step: number; byVoter: Map<string, number> } | null = null;

  /** A classroom viewer's vote on the prediction the run waits on; the tally goes into that prediction's record. */
  vote(voter: string, step: number, option: number): void {
    const waiting = this.status.waitingFor;
    if (!waiting || waiting.kind !== 'predict' || waiting.step !== step) {
      throw new ContractError({ code: 'conflict', message: waiting?.kind === 'predict' ? `the drill asks for a prediction on step ${waiting.step}, not ${step}` : 'the drill is not asking for a prediction now', field: 'step' });
    }
    const count = waiting.options?.length ?? 0;
    if (option >= count) throw new ContractError({ code: 'invalid-params', message: `vote with an option between 0 and ${count - 1}`, field: 'option' });
    const prediction = this.status.predictions.find((p) => p.step === step);
    if (!prediction) throw new ContractError({ code: 'conflict', message: `step ${step} has no prediction yet`, field: 'step' });
    if (this.votes?.step !== step) this.votes = { step, byVoter: new Map() };
    this.votes.byVoter.set(voter, option);
    const tally = new Array<number>(count).fill(0);
    for (const chosen of this.votes.byVoter.values()) tally[chosen] = (tally[chosen] ?? 0) + 1;
    prediction.tally = tally;
    this.changed();
  }

  /** Runs the drill to its end; never throws (an error becomes the `error` verdict). */
  async run(): Promise<DrillRunOutcome> {
    const stops: Unsubscribe[] = [];
    let before: LabBefore | null = null;
    let nodes: DrillRunOutcome['nodes'] = [];
    let verdict: DrillVerdict = 'pass';
    let reason = '';
    try {
      stops.push(this.listen());
      before = await labBefore(this.lab);
      nodes = await this.prepare();
      this.setState('running');
      stops.push(this.watchHypothesis());
      for (let index = 0; index < this.options.spec.steps.length; index++) {
        this.throwIfAborted();
        await this.runStep(index);
      }
    } catch (error) {
      if (error instanceof Aborted || this.abortReason !== null || this.stopReason !== null) {
        verdict = 'aborted';
        reason = this.stopReason ?? `aborted: ${this.abortReason ?? 'by the operator'}`;
      } else {
        verdict = 'error';
        reason = `error: ${(error as Error).message}`;
        const current = this.status.current === null ? undefined : this.status.steps[this.status.current];
        if (current && current.status === 'running') {
          current.status = 'failed';
          current.error = (error as Error).message;
        }
      }
    }
    const cleanup = await this.finish();
    for (const stop of stops) stop();
    if (verdict === 'pass') ({ verdict, reason } = this.judge());
    if (cleanup.length > 0 && verdict !== 'error') reason += ` (cleanup: ${cleanup.join('; ')})`;
    for (const step of this.status.steps) if (step.status === 'pending' || step.status === 'running' || step.status === 'waiting') step.status = 'skipped';
    const endedAt = now();
    Object.assign(this.status, { state: 'finished', verdict, reason, current: null, waitingFor: null, elapsedMs: endedAt - this.status.startedAt });
    this.status.hypothesis = this.monitor.list();
    this.fillOutcomes();
    const outcome = this.outcome(nodes, endedAt);
    // After what the run measured is kept: putting the lab back restarts traffic and rebuilds fleets.
    this.options.onMeasured?.();
    if (before) await this.putBack(before);
    return outcome;
  }

  /** The lab as it was (or the list of what the drill left), in `status.labAfter` and on the timeline. */
  private async putBack(before: LabBefore): Promise<void> {
    const labAfter = await putLabBack(this.lab, before, { putBack: this.options.putBack !== false, onLabFleet: this.options.onLabFleet === true, skip: this.leaveReason });
    this.status.labAfter = labAfter;
    if (this.leaveReason) return;
    try {
      this.lab.note?.('drill.lab-after', { run: this.status.runId, words: labAfterWords(labAfter), putBack: labAfter.putBack, restored: labAfter.restored, left: labAfter.left });
    } catch {
      // The timeline's word is a courtesy: status.labAfter holds it all.
    }
  }

  /** What the run measured, for its report. */
  private outcome(nodes: DrillRunOutcome['nodes'], endedAt: number): DrillRunOutcome {
    const maxLost = this.options.spec.hypothesis.maxLostWrites;
    const faults = this.recorder.reportFaults(this.faults.names);
    return {
      status: this.status,
      endedAt,
      nodes,
      balancer: this.balancerDuring ?? BalancerSettings.parse({}),
      traffic: { settings: this.trafficSettings, stats: this.lab.trafficStats() },
      ledger: this.ledger
        ? { ...this.ledger, verdict: maxLost !== undefined && this.ledger.lost > maxLost ? 'fail' : 'pass' }
        : { acked: 0, checked: 0, lost: 0, stale: 0, checkedAt: null, verdict: 'unchecked' },
      marks: this.recorder.marks,
      faults,
      incidents: this.recorder.reportIncidents(operatorWaits(this.status.steps), faults),
      timeline: this.recorder.reportTimeline(),
      series: this.recorder.reportSeries(),
    };
  }

  // ---- setting up and tearing down ------------------------------------------------------

  /** The lab's own fleet, stopped and started afresh; the drill must name only its nodes. */
  private async restartLabFleet(): Promise<CommandResult<'fleet.start'>> {
    await this.lab.call('fleet.stop', {});
    const snapshot = await this.lab.call('fleet.start', {});
    const missing = missingNodes(this.options.spec, snapshot.nodes.map((n) => n.id));
    if (missing.length > 0) throw new Error(`the drill does not fit the lab's fleet: ${missing.join('; ')}`);
    return snapshot;
  }

  private async prepare(): Promise<DrillRunOutcome['nodes']> {
    const { spec, seed } = this.options;
    this.lab.reseed(seed);
    await this.lab.call('traffic.stop', {});
    await this.lab.call('fault.halt', {});
    // A fresh fleet in the drill's topology, and the balancer at its defaults plus the drill's changes:
    // what the operator set before the drill does not leak into it (and comes back after).
    const snapshot = this.options.onLabFleet ? await this.restartLabFleet() : await this.lab.call('topology.set', spec.topology);
    const failed = snapshot.nodes.filter((n) => n.status === 'exited' || n.status === 'crash-loop' || n.status === 'backoff');
    // Why, as the supervisor put it on the timeline (`node.start-failed`): an exit code and the node's last words.
    const why = (id: string): string => {
      const reason = [...snapshot.timeline].reverse().find((e) => e.kind === 'node.start-failed' && e.nodeId === id)?.detail.reason;
      return typeof reason === 'string' ? ` (${reason})` : '';
    };
    if (failed.length > 0) throw new Error(`the fleet did not start: ${failed.map((n) => `${n.id} is ${n.status}${why(n.id)}`).join(', ')}`);
    const defaults = BalancerSettings.parse({});
    this.balancerDuring = (await this.lab.call('balancer.set', { ...defaults, ...spec.balancer, health: { ...defaults.health, ...spec.balancer?.health }, passive: { ...defaults.passive, ...spec.balancer?.passive }, retry: { ...defaults.retry, ...spec.balancer?.retry } })).settings;
    const scale = this.scale;
    // Fresh processes answer their first requests slowly (connections, JIT): warm them up unmeasured,
    // as a steady state is checked before an experiment, not during the lab's start.
    await this.lab.call('traffic.start', { ...spec.traffic, durationMs: Math.round(WARM_UP_MS * scale), seed: seed + 1 });
    await sleep(WARM_UP_MS * scale, this.abortController.signal);
    await this.lab.call('traffic.stop', {});
    const durationMs = spec.traffic.durationMs !== undefined ? Math.max(100, Math.round(spec.traffic.durationMs * scale)) : this.trafficBudgetMs(scale);
    const startedAt = now();
    const state = await this.lab.call('traffic.start', { ...spec.traffic, durationMs, seed });
    this.trafficSettings = state.settings;
    // The run's zero: the measured traffic's start. Setting up is not part of the drill.
    this.recorder.restartAt(startedAt);
    this.status.startedAt = startedAt;
    this.anchor = { at: startedAt, label: 'the start' };
    return snapshot.nodes.map((n) => ({ id: n.id, role: n.role, port: n.port }));
  }

  /** Traffic that outlasts every step as written (the run stops it at the end): waits, plus every expectation's limit, plus a margin. */
  private trafficBudgetMs(scale: number): number {
    let total = 60_000;
    for (const step of this.options.spec.steps) {
      if ('wait' in step) total += step.wait * scale;
      if ('expect' in step) total += step.expect.within ?? INCIDENT_WAIT_MS;
      if ('fault' in step && step.fault.after) total += step.fault.after.within + (step.fault.after.delayMs ?? 0);
    }
    return Math.min(Math.round(total), 3_600_000);
  }

  /** Reverts every fault, stops traffic, counts the ledger, lets incidents close (the balancer and the rest are put back after: `putBack`). Returns what went wrong, if anything. */
  private async finish(): Promise<string[]> {
    this.setState('finishing');
    const problems: string[] = [];
    const attempt = async (what: string, fn: () => Promise<unknown>): Promise<void> => {
      try {
        await fn();
      } catch (error) {
        problems.push(`${what}: ${(error as Error).message}`);
      }
    };
    await attempt('reverting faults', async () => {
      const { reverted } = await this.lab.call('fault.halt', {});
      if (reverted > 0) this.recorder.mark('faults-reverted', now());
    });
    await attempt('stopping traffic', () => this.lab.call('traffic.stop', {}));
    await this.settleIncidents();
    const stateful = this.options.spec.topology.kind !== 'active-active';
    const acked = this.lab.trafficStats() ? (await this.lab.call('lab.state', {})).traffic.ledger.acked : 0;
    if (stateful && acked > 0) {
      await attempt('checking the ledger', async () => {
        await this.checkLedger();
      });
    }
    this.monitor.finish({
      maxLostWrites: stateful ? 'no write was acknowledged' : 'active-active nodes keep no data',
      maxErrorRate: `fewer than 100 requests were sent`,
      maxP99Ms: `fewer than 100 requests were sent`,
    });
    return problems;
  }

  /** Gives incidents the run opened a few seconds to close, so their MTTR is in the report. */
  private async settleIncidents(): Promise<void> {
    const deadline = now() + SETTLE_MS;
    while (this.recorder.incidentList().some((i) => i.open) && now() < deadline) await sleep(50);
  }

  private async retryConflicts<T>(fn: () => Promise<T>): Promise<T> {
    const deadline = now() + SETTLE_MS;
    for (;;) {
      try {
        return await fn();
      } catch (error) {
        if (!(error instanceof ContractError) || error.code !== 'conflict' || now() > deadline) throw error;
        await sleep(100);
      }
    }
  }

  // ---- events and the hypothesis ----------------------------------------------------------

  private listen(): Unsubscribe {
    return this.lab.onEvent((name, payload) => {
      switch (name) {
        case 'timeline.event':
          this.recorder.timeline(payload);
          return;
        case 'metrics.tick': {
          this.recorder.tick(payload);
          if (this.status.state !== 'running' && this.status.state !== 'waiting') return;
          const stop = this.monitor.observeTick(payload, this.recorder.rel(payload.at));
          if (stop !== null && this.stopReason === null) {
            this.stopReason = stop;
            this.abort(stop);
          }
          return;
        }
        case 'ledger.checked':
          if (this.status.state !== 'running' && this.status.state !== 'waiting') return;
          if (payload.checkedAt !== null && payload.checkedAt >= this.status.startedAt) {
            if (this.monitor.observeLostWrites(payload.lost, this.recorder.rel(payload.checkedAt), payload.checked)) this.changed();
          }
          return;
        case 'fault.changed':
          this.recorder.fault(payload);
          return;
        case 'log.batch':
          this.recorder.logLines(payload.lines);
          return;
        case 'incident.changed':
          this.recorder.incident(payload);
          return;
        default:
          return;
      }
    });
  }

  private watchHypothesis(): Unsubscribe {
    const timer = setInterval(() => {
      if (this.monitor.observeTraffic(this.lab.trafficStats(), this.recorder.rel(now()))) this.changed();
    }, CHECK_EVERY_MS);
    return () => clearInterval(timer);
  }

  // ---- steps ---------------------------------------------------------------------------

  private async runStep(index: number): Promise<void> {
    const step = this.options.spec.steps[index] as DrillStep;
    const record = this.status.steps[index] as StepRecord;
    this.status.current = index;
    record.status = 'running';
    record.startedAtMs = this.recorder.rel(now());
    this.changed();
    let outcome: StepRecord['status'] = 'done';
    try {
      const { unit, body } = unitOf(step);
      outcome = await unit.perform(body, this.stepContext(index, record));
    } catch (error) {
      if (error instanceof Aborted || this.abortReason !== null) throw error instanceof Aborted ? error : new Aborted();
      record.status = 'failed';
      record.error = (error as Error).message;
      record.endedAtMs = this.recorder.rel(now());
      this.changed();
      throw error;
    }
    record.status = outcome;
    record.endedAtMs = this.recorder.rel(now());
    this.changed();
  }

  /** What one step may see and do of the run. */
  private stepContext(index: number, record: StepRecord): StepContext {
    return {
      index,
      record,
      lab: this.lab,
      recorder: this.recorder,
      auto: this.options.auto,
      pauseBeforeFaults: this.options.pauseBeforeFaults === true && !this.options.auto,
      scale: this.scale,
      signal: this.abortController.signal,
      faults: this.faults,
      anchor: () => this.anchor,
      setAnchor: (label, where = {}) => {
        this.anchor = { at: where.at ?? now(), label, ...(where.since !== undefined ? { since: where.since } : {}) };
      },
      sleep: (ms) => sleep(ms, this.abortController.signal),
      waitForOperator: (wait, until) => this.waitForOperator({ step: index, ...wait }, until),
      checkLedger: () => this.checkLedger(),
      predicted: (prediction) => {
        this.status.predictions.push(prediction);
      },
      expected: (result) => {
        this.status.expectations.push(result);
      },
    };
  }

  private async waitForOperator(wait: OperatorWait, until?: Promise<OperatorAnswer>): Promise<OperatorAnswer> {
    this.throwIfAborted();
    const record = this.status.steps[wait.step] as StepRecord;
    record.status = 'waiting';
    this.status.waitingFor = wait;
    // Operator time for the MTTR split: from the prompt shown to the answer (an action narrows it to the act).
    const shownAt = record.operatorWaitFromMs ?? this.recorder.rel(now());
    record.operatorWaitFromMs = shownAt;
    this.setState('waiting');
    try {
      const answer = await new Promise<OperatorAnswer>((resolve) => {
        this.operator = { step: wait.step, resolve };
        void until?.then(resolve);
      });
      this.throwIfAborted();
      return answer;
    } finally {
      this.operator = null;
      this.status.waitingFor = null;
      record.operatorWaitMs = round(this.recorder.rel(now()) - shownAt);
      record.status = 'running';
      if (this.running) this.setState('running');
    }
  }

  /** Reads every acknowledged write back (waiting out a failover in progress) and keeps the counts. */
  private async checkLedger(): Promise<LedgerCounts> {
    const counts = await this.retryConflicts(() => this.lab.call('ledger.check', {}));
    this.ledger = counts;
    this.monitor.observeLostWrites(counts.lost, this.recorder.rel(now()), counts.checked);
    return counts;
  }

  // ---- verdicts ------------------------------------------------------------------------

  private judge(): { verdict: DrillVerdict; reason: string } {
    const failed = this.status.expectations.filter((e) => e.verdict === 'fail');
    const breaches = this.monitor.breaches();
    if (breaches.length === 0 && failed.length === 0) {
      const checks = this.status.expectations.length + this.monitor.list().filter((c) => c.verdict === 'pass').length;
      return { verdict: 'pass', reason: `every expectation and hypothesis bound held (${checks} checks)` };
    }
    const parts: string[] = [];
    if (breaches.length > 0) parts.push(`hypothesis breached: ${breaches.join(', ')}`);
    for (const e of failed) parts.push(`step ${e.step + 1} expected ${e.description}: ${e.detail}`);
    return { verdict: 'fail', reason: parts.join('; ') };
  }

  /** Puts what happened beside every prediction, in words. */
  private fillOutcomes(): void {
    const stats = this.lab.trafficStats();
    const parts: string[] = [];
    if (stats) {
      const sent = stats.ok + stats.failed;
      parts.push(`${stats.failed} of ${sent} requests failed (${percent(sent > 0 ? stats.failed / sent : 0)}), p99 ${round(stats.latency.p99)} ms, ${stats.retried} retried`);
    }
    for (const incident of this.recorder.reportIncidents(operatorWaits(this.status.steps), this.recorder.reportFaults(this.faults.names))) {
      const mttd = incident.mttdMs === null ? 'undetected' : `detected in ${round(incident.mttdMs)} ms`;
      // The time a person or the script held the recovery up is named, not counted as the system's.
      const split = incident.mttrSplit;
      const held = split ? [split.drillMs > 0 ? `${round(split.drillMs)} ms held by the drill` : '', split.operatorMs > 0 ? `${round(split.operatorMs)} ms waiting on the operator` : ''].filter(Boolean) : [];
      const mttr =
        incident.mttrMs === null ? 'not recovered' : held.length > 0 && split ? `recovered in ${round(incident.mttrMs)} ms (${held.join(', ')}; the system's own: ${round(systemMttr(split))} ms)` : `recovered in ${round(incident.mttrMs)} ms`;
      parts.push(`${incident.nodeId} (${incident.cause}): ${mttd}, ${mttr}`);
    }
    if (this.ledger) parts.push(`${this.ledger.lost} of ${this.ledger.acked} acknowledged writes lost, ${this.ledger.stale} stale`);
    const outcome = parts.join('; ') || 'nothing measurable happened';
    for (const prediction of this.status.predictions) prediction.outcome = outcome;
  }

  // ---- plumbing -------------------------------------------------------------------------

  private setState(state: DrillRunStatus['state']): void {
    this.status.state = state;
    this.changed();
  }

  private changed(): void {
    this.status.elapsedMs = now() - this.status.startedAt;
    this.status.hypothesis = this.monitor.list();
    this.onChange(this.status);
  }

  private throwIfAborted(): void {
    if (this.abortReason !== null) throw new Aborted();
  }

  /** The share of written waits and traffic the profile plays. */
  private get scale(): number {
    return this.options.profile === 'short' ? SHORT_PROFILE_SCALE : 1;
  }
}

class Aborted extends Error {}

/** The step as listed before it runs; `sentence`: the step in plain words (`stepSentences`). */
function listed(step: DrillStep, index: number, sentence: string): StepRecord {
  const { unit, body } = unitOf(step);
  const { label, text } = unit.list(body);
  return { index, kind: unit.kind, label, sentence, status: 'pending', startedAtMs: null, endedAtMs: null, text: text ?? null, performedBy: null, faultId: null, error: null };
}

