// One run of one drill against the lab: set the lab up as the drill asks, send its traffic, play
// its steps in order, check its hypothesis all along, and whatever happens (pass, fail, abort,
// error) revert every fault, stop the traffic and put the balancer back as it was.
import type { CommandName, CommandParams, CommandResult, EventName, EventPayload, Unsubscribe } from '../../../shared/contract/index.js';
import { ContractError } from '../../../shared/contract/errors.js';
import { BalancerSettings, type LedgerCounts, type TrafficSettings, type TrafficStats } from '../../../shared/contract/model.js';
import type {
  DrillProfile,
  DrillRunStatus,
  DrillVerdict,
  ExpectationResult,
  OperatorWait,
  PredictionRecord,
  StepRecord,
} from '../../../shared/drill/run.js';
import { stepKindOf, type DrillSpec, type DrillStep, type ExpectStep } from '../../../shared/drill/schema.js';
import { now } from '../clock.js';
import { HypothesisMonitor, percent } from './hypothesis.js';
import { missingNodes } from './node-refs.js';
import { RunRecorder } from './run-recorder.js';

type AnyEvent = { [K in EventName]: [K, EventPayload<K>] }[EventName];

/** The lab as a drill sees it: its contract, its events, and the few things a run needs beside them. */
export interface DrillLab {
  call<K extends CommandName>(name: K, params: CommandParams<K>): Promise<CommandResult<K>>;
  onEvent(listener: (...event: AnyEvent) => void): Unsubscribe;
  /** Reseeds the lab's random stream (toxicity rolls, http fault shares, checkpoint damage). */
  reseed(seed: number): void;
  /** Traffic stats since the current traffic began, or null. */
  trafficStats(): TrafficStats | null;
}

export interface DrillRunOptions {
  runId: string;
  spec: DrillSpec;
  seed: number;
  auto: boolean;
  profile: DrillProfile;
  /** Run on the lab's own fleet, started afresh, instead of the drill's topology (`firedrill run --fleet`). */
  onLabFleet?: boolean;
}

/** Everything the report is built from. */
export interface DrillRunOutcome {
  status: DrillRunStatus;
  recorder: RunRecorder;
  faultNames: Map<string, string>;
  balancer: BalancerSettings;
  traffic: { settings: TrafficSettings | null; stats: TrafficStats | null };
  ledger: LedgerCounts & { verdict: 'pass' | 'fail' | 'unchecked' };
  nodes: Array<{ id: string; role: string; port: number }>;
  endedAt: number;
}

/** `short` (CI) plays waits and traffic at this share of the written time; `within` limits are never scaled. */
export const SHORT_PROFILE_SCALE = 0.5;
/** How often the hypothesis is looked at. */
const CHECK_EVERY_MS = 250;
/** How long a metric expectation on an incident waits for that incident to reach the stage. */
const INCIDENT_WAIT_MS = 10_000;
/** At the end: how long to wait for open incidents to close, and for a primary to check the ledger against. */
const SETTLE_MS = 5_000;
/** Unmeasured traffic before the drill, at its rate (scaled by the profile). */
const WARM_UP_MS = 1_000;
/** `recent.*` metrics look back this far unless the step says otherwise. */
const RECENT_WINDOW_MS = 2_000;

class Aborted extends Error {}

export class DrillRun {
  readonly status: DrillRunStatus;
  private readonly recorder: RunRecorder;
  private readonly monitor: HypothesisMonitor;
  private readonly faultIds = new Map<string, string>(); // drill name -> lab fault id
  private readonly faultNames = new Map<string, string>(); // lab fault id -> drill name
  private readonly abortController = new AbortController();
  private abortReason: string | null = null;
  private operator: { step: number; resolve: (answer: { option?: number; perform?: boolean }) => void } | null = null;
  /** Where `expect event` counts from: the start of the latest fault or action step, else the run's start. */
  private anchor: { at: number; label: string };
  private stopReason: string | null = null;
  private trafficSettings: TrafficSettings | null = null;
  private ledger: LedgerCounts | null = null;
  /** The balancer's settings as the drill began (its own changes over the defaults). */
  private balancerDuring: BalancerSettings | null = null;

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
      steps: spec.steps.map((step, index) => stepRecord(step, index)),
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
    this.abortController.abort();
    this.operator?.resolve({});
  }

  /** The operator answers a prediction (`option`) or reports an action done (or asks the lab to `perform` it). */
  answer(step: number, answer: { option?: number; perform?: boolean }): void {
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

  /** Runs the drill to its end; never throws (an error becomes the `error` verdict). */
  async run(): Promise<DrillRunOutcome> {
    const stops: Unsubscribe[] = [];
    let balancerBefore: BalancerSettings | null = null;
    let nodes: DrillRunOutcome['nodes'] = [];
    let verdict: DrillVerdict = 'pass';
    let reason = '';
    try {
      stops.push(this.listen());
      balancerBefore = (await this.lab.call('lab.state', {})).balancer.settings;
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
    const cleanup = await this.finish(balancerBefore);
    for (const stop of stops) stop();
    if (verdict === 'pass') ({ verdict, reason } = this.judge());
    if (cleanup.length > 0 && verdict !== 'error') reason += ` (cleanup: ${cleanup.join('; ')})`;
    for (const step of this.status.steps) if (step.status === 'pending' || step.status === 'running' || step.status === 'waiting') step.status = 'skipped';
    const endedAt = now();
    Object.assign(this.status, { state: 'finished', verdict, reason, current: null, waitingFor: null, elapsedMs: endedAt - this.status.startedAt });
    this.status.hypothesis = this.monitor.list();
    this.fillOutcomes();
    const stats = this.lab.trafficStats();
    const lost = this.ledger?.lost ?? 0;
    return {
      status: this.status,
      recorder: this.recorder,
      faultNames: this.faultNames,
      balancer: this.balancerDuring ?? BalancerSettings.parse({}),
      traffic: { settings: this.trafficSettings, stats },
      ledger: this.ledger
        ? { ...this.ledger, verdict: this.options.spec.hypothesis.maxLostWrites !== undefined && lost > this.options.spec.hypothesis.maxLostWrites ? 'fail' : 'pass' }
        : { acked: 0, checked: 0, lost: 0, stale: 0, checkedAt: null, verdict: 'unchecked' },
      nodes,
      endedAt,
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
    const { spec, seed, profile } = this.options;
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
    const scale = profile === 'short' ? SHORT_PROFILE_SCALE : 1;
    // Fresh processes answer their first requests slowly (connections, JIT): warm them up unmeasured,
    // as a steady state is checked before an experiment, not during the lab's start.
    await this.lab.call('traffic.start', { ...spec.traffic, durationMs: Math.round(WARM_UP_MS * scale), seed: seed + 1 });
    await this.sleep(WARM_UP_MS * scale);
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
    }
    return Math.min(Math.round(total), 3_600_000);
  }

  /** Reverts every fault, stops traffic, counts the ledger, lets incidents close, restores the balancer. Returns what went wrong, if anything. */
  private async finish(balancerBefore: BalancerSettings | null): Promise<string[]> {
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
        this.ledger = await this.retryConflicts(() => this.lab.call('ledger.check', {}));
        this.monitor.observeLostWrites(this.ledger.lost, this.recorder.rel(now()), this.ledger.checked);
      });
    }
    this.monitor.finish({
      maxLostWrites: stateful ? 'no write was acknowledged' : 'active-active nodes keep no data',
      maxErrorRate: `fewer than 100 requests were sent`,
      maxP99Ms: `fewer than 100 requests were sent`,
    });
    if (balancerBefore) await attempt('restoring the balancer', () => this.lab.call('balancer.set', balancerBefore));
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
          if (payload.ledger.checkedAt !== null && payload.ledger.checkedAt >= this.status.startedAt) {
            if (this.monitor.observeLostWrites(payload.ledger.lost, this.recorder.rel(payload.at), payload.ledger.checked)) this.changed();
          }
          return;
        }
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
      outcome = await this.perform(step, index, record);
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

  private async perform(step: DrillStep, index: number, record: StepRecord): Promise<StepRecord['status']> {
    if ('say' in step) return 'done';
    if ('wait' in step) {
      await this.sleep(step.wait * (this.options.profile === 'short' ? SHORT_PROFILE_SCALE : 1));
      return 'done';
    }
    if ('mark' in step) {
      this.recorder.mark(step.mark, now());
      return 'done';
    }
    if ('fault' in step) {
      this.anchor = { at: now(), label: 'the fault' };
      const { inject, as, revert } = step.fault;
      if (inject) {
        const fault = await this.lab.call('fault.inject', inject);
        record.faultId = fault.id;
        this.recorder.fault(fault);
        if (as !== undefined) {
          this.faultIds.set(as, fault.id);
          this.faultNames.set(fault.id, as);
        }
        if (fault.status === 'failed') throw new Error(`the ${fault.type} fault on ${fault.target} failed: ${fault.error ?? 'no reason given'}`);
      } else if (revert !== undefined) {
        const id = this.faultIds.get(revert) as string;
        record.faultId = id;
        await this.lab.call('fault.revert', { id });
      } else {
        await this.lab.call('fault.halt', {});
      }
      return 'done';
    }
    if ('action' in step) {
      const { text, do: command } = step.action;
      const act = async (): Promise<void> => {
        this.anchor = { at: now(), label: 'the action' };
        if (command) await this.lab.call(command.command, command.params as never);
      };
      if (this.options.auto) {
        record.performedBy = 'auto';
        await act();
        return 'done';
      }
      const answer = await this.waitForOperator({ step: index, kind: 'action', text, options: null, canPerform: command !== undefined });
      record.performedBy = answer.perform ? 'auto' : 'operator';
      if (answer.perform) await act();
      else this.anchor = { at: now(), label: 'the action' };
      return 'done';
    }
    if ('predict' in step) {
      const prediction: PredictionRecord = {
        step: index,
        question: step.predict.question,
        options: step.predict.options,
        expected: step.predict.answer ?? null,
        answer: null,
        correct: null,
        outcome: '',
      };
      this.status.predictions.push(prediction);
      if (!this.options.auto) {
        const answer = await this.waitForOperator({ step: index, kind: 'predict', text: step.predict.question, options: step.predict.options, canPerform: false });
        prediction.answer = answer.option ?? null;
        prediction.correct = prediction.answer === null || prediction.expected === null ? null : prediction.answer === prediction.expected;
      }
      return 'done';
    }
    const result = 'event' in step.expect && step.expect.event !== undefined ? await this.expectEvent(step.expect, index) : await this.expectMetric(step.expect, index);
    this.status.expectations.push(result);
    return result.verdict === 'pass' ? 'passed' : 'failed';
  }

  private async waitForOperator(wait: OperatorWait): Promise<{ option?: number; perform?: boolean }> {
    this.throwIfAborted();
    const record = this.status.steps[wait.step] as StepRecord;
    record.status = 'waiting';
    this.status.waitingFor = wait;
    this.setState('waiting');
    try {
      const answer = await new Promise<{ option?: number; perform?: boolean }>((resolve) => {
        this.operator = { step: wait.step, resolve };
      });
      this.throwIfAborted();
      return answer;
    } finally {
      this.operator = null;
      this.status.waitingFor = null;
      record.status = 'running';
      if (this.running) this.setState('running');
    }
  }

  private async expectEvent(expect: ExpectStep, index: number): Promise<ExpectationResult> {
    const kind = expect.event as string;
    const within = expect.within as number;
    const anchor = this.anchor;
    const node = expect.node;
    const description = `${kind}${node ? ` on ${node}` : ''} within ${within} ms of ${anchor.label}`;
    const matches = (e: { kind: string; at: number; nodeId?: string | undefined }): boolean => e.kind === kind && e.at >= anchor.at && (node === undefined || e.nodeId === node);
    const seen = this.recorder.events.find(matches) ?? (await this.waitForTimeline(matches, anchor.at + within));
    const result: ExpectationResult = { step: index, kind: 'event', description, verdict: 'fail', observed: null, unit: 'ms', detail: '', atMs: this.recorder.rel(now()) };
    if (seen && seen.at - anchor.at <= within) {
      result.verdict = 'pass';
      result.observed = round(seen.at - anchor.at);
      result.detail = `seen ${result.observed} ms after ${anchor.label}${seen.nodeId ? ` (${seen.nodeId})` : ''}`;
    } else if (seen) {
      result.observed = round(seen.at - anchor.at);
      result.detail = `seen only ${result.observed} ms after ${anchor.label}`;
    } else {
      result.detail = `not seen within ${within} ms`;
    }
    return result;
  }

  private waitForTimeline(matches: (e: { kind: string; at: number; nodeId?: string | undefined }) => boolean, deadline: number): Promise<{ kind: string; at: number; nodeId?: string | undefined } | undefined> {
    return new Promise((resolve, reject) => {
      const signal = this.abortController.signal;
      const done = (value: { kind: string; at: number; nodeId?: string | undefined } | undefined): void => {
        clearTimeout(timer);
        stop();
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      };
      const onAbort = (): void => {
        clearTimeout(timer);
        stop();
        reject(new Aborted());
      };
      const stop = this.recorder.onTimeline((e) => {
        if (matches(e)) done(e);
      });
      const timer = setTimeout(() => done(undefined), Math.max(0, deadline - now()));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private async expectMetric(expect: ExpectStep, index: number): Promise<ExpectationResult> {
    const metric = expect.metric as NonNullable<ExpectStep['metric']>;
    const bounds = [expect.min !== undefined ? `≥ ${expect.min}` : '', expect.max !== undefined ? `≤ ${expect.max}` : ''].filter(Boolean).join(' and ');
    const result: ExpectationResult = { step: index, kind: 'metric', description: `${metric}${expect.node ? ` of ${expect.node}` : ''} ${bounds}`, verdict: 'fail', observed: null, unit: 'count', detail: '', atMs: null };
    let value: number | null = null;
    let context = '';
    const stats = this.lab.trafficStats();
    switch (metric) {
      case 'traffic.failed':
        value = stats ? stats.failed : null;
        context = stats ? `of ${stats.ok + stats.failed} requests` : 'no traffic';
        break;
      case 'traffic.errorRate':
        result.unit = 'ratio';
        value = stats && stats.ok + stats.failed > 0 ? stats.failed / (stats.ok + stats.failed) : null;
        context = stats ? `${stats.failed} of ${stats.ok + stats.failed} requests failed` : 'no traffic';
        break;
      case 'traffic.p99':
        result.unit = 'ms';
        value = stats && stats.latency.count > 0 ? stats.latency.p99 : null;
        context = stats ? `over ${stats.latency.count} requests` : 'no traffic';
        break;
      case 'traffic.retried':
        value = stats ? stats.retried : null;
        context = stats ? `retries for ${stats.ok + stats.failed} requests` : 'no traffic';
        break;
      case 'recent.rps':
      case 'recent.errorRate':
      case 'recent.p99':
      case 'node.share': {
        const windowMs = expect.windowMs ?? RECENT_WINDOW_MS;
        const recent = this.recorder.recent(windowMs, expect.node);
        result.unit = metric === 'recent.p99' ? 'ms' : metric === 'recent.rps' ? 'count' : 'ratio';
        value = metric === 'recent.rps' ? recent.rps : metric === 'recent.errorRate' ? recent.errorRate : metric === 'recent.p99' ? recent.p99 : recent.nodeShare;
        context = `last ${windowMs} ms: ${Math.round(recent.requests)} requests${expect.node ? `, ${Math.round(recent.nodeRequests)} to ${expect.node}` : ''}`;
        break;
      }
      case 'ledger.lost':
      case 'ledger.stale': {
        const counts = await this.retryConflicts(() => this.lab.call('ledger.check', {}));
        this.ledger = counts;
        this.monitor.observeLostWrites(counts.lost, this.recorder.rel(now()), counts.checked);
        value = metric === 'ledger.lost' ? counts.lost : counts.stale;
        context = `${counts.checked} acknowledged writes read back: ${counts.lost} lost, ${counts.stale} stale`;
        break;
      }
      case 'incident.mttdMs':
      case 'incident.mttrMs': {
        result.unit = 'ms';
        const field = metric === 'incident.mttdMs' ? 'mttdMs' : 'mttrMs';
        const deadline = now() + INCIDENT_WAIT_MS;
        let incident = this.recorder.latestIncident();
        while ((incident === undefined || incident[field] === null) && now() < deadline) {
          await this.sleep(50);
          incident = this.recorder.latestIncident();
        }
        value = incident?.[field] ?? null;
        context = incident ? `incident ${incident.id} on ${incident.nodeId} (${incident.cause})` : 'no incident in this run';
        break;
      }
    }
    result.atMs = this.recorder.rel(now());
    result.observed = value === null ? null : round(value);
    const ok = value !== null && (expect.min === undefined || value >= expect.min) && (expect.max === undefined || value <= expect.max);
    result.verdict = ok ? 'pass' : 'fail';
    const shown = value === null ? 'no value' : result.unit === 'ratio' ? percent(value) : result.unit === 'ms' ? `${round(value)} ms` : String(value);
    result.detail = `${shown} (${context})`;
    return result;
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
    for (const incident of this.recorder.incidentList()) {
      const mttd = incident.mttdMs === null ? 'undetected' : `detected in ${round(incident.mttdMs)} ms`;
      const mttr = incident.mttrMs === null ? 'not recovered' : `recovered in ${round(incident.mttrMs)} ms`;
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

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const signal = this.abortController.signal;
      if (signal.aborted) return reject(new Aborted());
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(new Aborted());
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** The step as listed before it runs. */
function stepRecord(step: DrillStep, index: number): StepRecord {
  const kind = stepKindOf(step);
  const base: StepRecord = { index, kind, label: '', status: 'pending', startedAtMs: null, endedAtMs: null, text: null, performedBy: null, faultId: null, error: null };
  if ('say' in step) return { ...base, label: firstLine(step.say), text: step.say };
  if ('wait' in step) return { ...base, label: `wait ${step.wait} ms` };
  if ('mark' in step) return { ...base, label: `mark ${step.mark}` };
  if ('action' in step) return { ...base, label: `action: ${firstLine(step.action.text)}`, text: step.action.text };
  if ('predict' in step) return { ...base, label: `predict: ${firstLine(step.predict.question)}`, text: step.predict.question };
  if ('fault' in step) {
    const { inject, as, revert } = step.fault;
    const label = inject ? `inject ${inject.type} on ${inject.target}${as ? ` as ${as}` : ''}` : revert !== undefined ? `revert ${revert}` : 'halt every fault';
    return { ...base, label };
  }
  const e = step.expect;
  const label = e.event !== undefined ? `expect ${e.event}${e.node ? ` on ${e.node}` : ''} within ${e.within} ms` : `expect ${e.metric}${e.node ? ` of ${e.node}` : ''}${e.min !== undefined ? ` ≥ ${e.min}` : ''}${e.max !== undefined ? ` ≤ ${e.max}` : ''}`;
  return { ...base, label };
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  const plain = line.replace(/[*_`]/g, '');
  return plain.length > 80 ? `${plain.slice(0, 79)}…` : plain;
}
