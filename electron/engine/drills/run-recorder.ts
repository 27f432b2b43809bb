// What a drill run saw, as it happened: every timeline event, metrics window, fault and incident
// from the moment the run began, kept with times relative to that moment for the report.
import type { FaultRecord, Incident, LogLine, MetricsTick, TimelineEvent } from '../../../shared/contract/model.js';
import { lastSpan, ratePerSec } from '../../../shared/rates.js';
import type { ReportFault, ReportIncident, ReportSeries, ReportTimelineEvent } from '../../../shared/report/model.js';
import { mttrSplit, type TimeWindow } from '../../../shared/report/mttr-split.js';

/** A long drill at 10 Hz: one hour of ticks. Older ones are dropped first. */
const MAX_TICKS = 36_000;
const MAX_EVENTS = 20_000;

export class RunRecorder {
  readonly events: TimelineEvent[] = [];
  private readonly ticks: MetricsTick[] = [];
  private readonly faults = new Map<string, FaultRecord>();
  private readonly incidents = new Map<string, Incident>();
  readonly marks: Array<{ name: string; atMs: number }> = [];
  private readonly listeners = new Set<(event: TimelineEvent) => void>();

  constructor(public startedAt: number) {}

  /** Moves the run's zero to `at` (after setting up and warming up), forgetting what came before. */
  restartAt(at: number): void {
    this.startedAt = at;
    const keep = <T>(list: T[], atOf: (item: T) => number): void => {
      const kept = list.filter((item) => atOf(item) >= at);
      list.splice(0, list.length, ...kept);
    };
    keep(this.events, (e) => e.at);
    keep(this.ticks, (t) => t.at);
    this.marks.splice(0);
    for (const [id, f] of this.faults) if (f.injectedAt < at) this.faults.delete(id);
    for (const [id, i] of this.incidents) if ((i.stages.injected ?? i.stages.observed ?? i.stages.detected ?? 0) < at) this.incidents.delete(id);
  }

  rel(at: number): number {
    return Math.round((at - this.startedAt) * 1000) / 1000;
  }

  timeline(event: TimelineEvent): void {
    if (event.at < this.startedAt) return;
    this.events.push(event);
    if (this.events.length > MAX_EVENTS) this.events.shift();
    for (const listener of this.listeners) listener(event);
  }

  /** Hears every timeline event from now on (for `expect` steps waiting on one). */
  onTimeline(listener: (event: TimelineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A node's own structured log events (`{"event": "restore.done", ...}` on stdout) join the run's timeline as `log.<event>`. */
  logLines(lines: readonly LogLine[]): void {
    for (const line of lines) {
      if (line.stream !== 'stdout' || !line.text.startsWith('{') || !line.text.includes('"event"')) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line.text);
      } catch {
        continue;
      }
      if (typeof parsed !== 'object' || parsed === null) continue;
      const { event, ts: _ts, node: _node, ...detail } = parsed as Record<string, unknown>;
      if (typeof event !== 'string' || !/^[a-z][a-z0-9.-]*$/.test(event)) continue;
      this.timeline({ seq: 0, at: line.at, kind: `log.${event}`, nodeId: line.nodeId, detail });
    }
  }

  /**
   * The last `windowMs` of metrics windows: request rate, error rate, an approximate p99 (the mean
   * of the windows' p99s weighted by their request counts) and, given a node, its share of requests.
   */
  recent(windowMs: number, nodeId?: string): { requests: number; rps: number; errorRate: number | null; p99: number | null; nodeRequests: number; nodeShare: number | null } {
    let requests = 0;
    let errors = 0;
    let span = 0;
    let p99Sum = 0;
    let p99Weight = 0;
    let nodeRequests = 0;
    let allNodes = 0;
    for (const t of lastSpan(this.ticks, windowMs)) {
      requests += t.requests;
      errors += t.errors;
      span += t.windowMs;
      if (t.latency.count > 0) {
        p99Sum += t.latency.p99 * t.latency.count;
        p99Weight += t.latency.count;
      }
      for (const [id, n] of Object.entries(t.perNode)) {
        allNodes += n.requests;
        if (id === nodeId) nodeRequests += n.requests;
      }
    }
    return {
      requests,
      rps: ratePerSec(requests, span),
      errorRate: requests > 0 ? errors / requests : null,
      p99: p99Weight > 0 ? p99Sum / p99Weight : null,
      nodeRequests,
      nodeShare: allNodes > 0 ? nodeRequests / allNodes : null,
    };
  }

  tick(tick: MetricsTick): void {
    if (tick.at < this.startedAt) return;
    this.ticks.push(tick);
    if (this.ticks.length > MAX_TICKS) this.ticks.shift();
  }

  lastTick(): MetricsTick | undefined {
    return this.ticks[this.ticks.length - 1];
  }

  fault(record: FaultRecord): void {
    if (record.injectedAt < this.startedAt) return;
    this.faults.set(record.id, record);
  }

  incident(incident: Incident): void {
    const start = incident.stages.injected ?? incident.stages.observed ?? Number.POSITIVE_INFINITY;
    if (start < this.startedAt && !this.incidents.has(incident.id)) return;
    this.incidents.set(incident.id, incident);
  }

  mark(name: string, at: number): void {
    this.marks.push({ name, atMs: this.rel(at) });
  }

  incidentList(): Incident[] {
    return [...this.incidents.values()];
  }

  /** The most recently opened incident of the run, if any. */
  latestIncident(): Incident | undefined {
    let latest: Incident | undefined;
    let latestAt = -Infinity;
    for (const incident of this.incidents.values()) {
      const at = incident.stages.injected ?? incident.stages.observed ?? 0;
      if (at >= latestAt) {
        latest = incident;
        latestAt = at;
      }
    }
    return latest;
  }

  reportTimeline(): ReportTimelineEvent[] {
    return this.events.map((e) => ({ atMs: this.rel(e.at), kind: e.kind, nodeId: e.nodeId ?? null, detail: e.detail }));
  }

  reportFaults(names: ReadonlyMap<string, string>): ReportFault[] {
    return [...this.faults.values()].map((f) => ({
      id: f.id,
      name: names.get(f.id) ?? null,
      type: f.type,
      kind: f.kind,
      target: f.target,
      attributes: f.attributes,
      startMs: this.rel(f.injectedAt),
      endMs: f.revertedAt === null ? null : this.rel(f.revertedAt),
      status: f.status,
      effect: f.effect,
    }));
  }

  /**
   * The incidents, times relative to the run, each with its MTTR split: `operatorWaits` are the
   * run's prompts (ms of the run), and a fault the drill kept on the node (`faults`) held it down.
   */
  reportIncidents(operatorWaits: readonly TimeWindow[] = [], faults: readonly ReportFault[] = []): ReportIncident[] {
    return this.incidentList().map((i) => this.reportIncident(i, operatorWaits, faults));
  }

  private reportIncident(i: Incident, operatorWaits: readonly TimeWindow[], faults: readonly ReportFault[]): ReportIncident {
    const stages = Object.fromEntries(Object.entries(i.stages).map(([stage, at]) => [stage, this.rel(at as number)]));
    const drillHolds = faults
      .filter((f) => f.target === i.nodeId && f.kind !== 'checkpoint' && f.endMs !== null)
      .map((f) => ({ fromMs: f.startMs, toMs: f.endMs as number }));
    return {
      id: i.id,
      nodeId: i.nodeId,
      cause: i.cause,
      stages,
      detectedVia: i.detectedVia,
      mttdMs: i.mttdMs,
      mttrMs: i.mttrMs,
      lostWrites: i.lostWrites,
      staleWrites: i.staleWrites,
      mttrSplit: mttrSplit({ incident: { stages, mttdMs: i.mttdMs, mttrMs: i.mttrMs }, operatorWaits, drillHolds }),
      open: i.open,
    };
  }

  reportSeries(): ReportSeries {
    const nodes = new Set<string>();
    for (const t of this.ticks) for (const id of Object.keys(t.perNode)) nodes.add(id);
    const round = (v: number): number => Math.round(v * 1000) / 1000;
    const perNode: ReportSeries['perNode'] = {};
    for (const id of nodes) {
      perNode[id] = {
        rps: this.ticks.map((t) => round(ratePerSec(t.perNode[id]?.requests ?? 0, t.windowMs))),
        errorsPerSec: this.ticks.map((t) => round(ratePerSec(t.perNode[id]?.errors ?? 0, t.windowMs))),
        p99: this.ticks.map((t) => round(t.perNode[id]?.p99 ?? 0)),
      };
    }
    return {
      tMs: this.ticks.map((t) => this.rel(t.at)),
      rps: this.ticks.map((t) => round(ratePerSec(t.requests, t.windowMs))),
      errorsPerSec: this.ticks.map((t) => round(ratePerSec(t.errors, t.windowMs))),
      retriesPerSec: this.ticks.map((t) => round(ratePerSec(t.retries, t.windowMs))),
      p50: this.ticks.map((t) => round(t.latency.p50)),
      p99: this.ticks.map((t) => round(t.latency.p99)),
      perNode,
    };
  }
}
