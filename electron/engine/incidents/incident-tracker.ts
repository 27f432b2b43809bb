// IncidentTracker: ground-truth stage timestamps of every failure, whether the lab injected it or
// not (a `kill -9` from a terminal counts), and the MTTD / MTTR derived from them.
import type { FailoverHeld, Incident, IncidentStage, LogLine } from '../../../shared/contract/model';
import { now, type Clock } from '../clock';

export type DetectionVia = 'exit' | 'passive' | 'active' | 'operator';

/** How long before an incident's first stage a request held (or refused) for its node may have arrived and still count in it. */
const HELD_BEFORE_INCIDENT_MS = 1_000;
/** Held or refused requests kept while no incident of their node is open yet. */
const HELD_EARLY_KEPT = 256;
/** How far apart a failover's start and the opening of its node's incident may be for one to belong to the other. */
const TAKEOVER_EARLY_MS = 1_000;

/** What of a request outcome the failover hold's accounting reads. */
export interface HeldOutcome {
  startedAt: number;
  heldFor?: string | null;
  heldMs?: number;
  ok: boolean;
  error?: string;
}

/** How far behind a detection the process's exit event may arrive and still be its cause. */
const EXIT_AFTER_DETECTION_MS = 250;

export interface IncidentTrackerOptions {
  /** Incidents kept (closed ones are dropped first); default 200. */
  limit?: number;
  clock?: Clock;
  onTimeline?(kind: string, nodeId: string, detail: Record<string, unknown>, at: number): void;
}

interface Tracked {
  incident: Incident;
  /** The stage that opened it: only `injected` or `observed` give a ground-truth start. */
  openedBy: IncidentStage;
  /** The node that took over after a failover; its restart, restore and first response count too. */
  takeover: string | null;
  takeoverSince: number | null;
}

type Listener = (incident: Incident) => void;

export class IncidentTracker {
  private readonly tracked: Tracked[] = [];
  private readonly listeners = new Set<Listener>();
  /** Nodes the lab stopped or restarted on purpose, until they are ready again. */
  private readonly planned = new Set<string>();
  private seq = 0;
  /** Failovers begun for a node with no incident open yet (see failoverStarted). */
  private readonly earlyTakeovers = new Map<string, { to: string; at: number }>();
  /** Held or refused requests about a node with no incident yet (its exit not seen yet), the last few. */
  private heldEarly: HeldOutcome[] = [];
  private readonly limit: number;
  private readonly clock: Clock;

  constructor(private readonly options: IncidentTrackerOptions = {}) {
    this.limit = Math.max(1, options.limit ?? 200);
    this.clock = options.clock ?? now;
  }

  /** The lab injected a fault: opens an incident at `injected` (or returns the node's open one). */
  faultInjected(nodeId: string, cause: string, at: number = this.clock()): string {
    const open = this.openFor(nodeId);
    if (open) return open.incident.id;
    return this.open(nodeId, cause, 'injected', at).incident.id;
  }

  /**
   * A fault on the node was taken back. An incident it opened that nothing ever detected ends here,
   * undetected (no MTTD, no MTTR): the fault did no harm anyone could see — which is a finding too.
   */
  faultEnded(nodeId: string, at: number): void {
    const t = this.openFor(nodeId);
    if (!t || t.openedBy !== 'injected' || t.incident.stages.detected !== undefined) return;
    t.incident.open = false;
    this.timeline('incident.closed', t, { undetected: true, mttdMs: null, mttrMs: null }, at);
    this.changed(t);
  }

  /**
   * The supervisor saw the process exit. Adds `observed` to the node's open incident, or opens one
   * (cause `exit`). An exit the lab asked for (`byLab`) with no incident open is not a failure.
   */
  nodeExited(nodeId: string, at: number, detail: { byLab?: boolean; code?: number | null; signal?: string | null } = {}): string | null {
    const open = this.openFor(nodeId);
    if (open) {
      // Events may arrive in either order: an exit no later than the detection that opened the
      // incident is its ground-truth start.
      const detected = open.incident.stages.detected;
      // A dead socket seen by passive detection can beat the supervisor's exit event by a millisecond
      // or two: an exit that close behind still is the ground truth that the process died.
      if (open.openedBy === 'detected' && !detail.byLab && detected !== undefined && at <= detected + EXIT_AFTER_DETECTION_MS) {
        open.openedBy = 'observed';
        open.incident.cause = 'exit';
      }
      this.stage(open, 'observed', at);
      return open.incident.id;
    }
    if (detail.byLab) {
      // A stop or restart the lab was asked for: its detections until the node is back are expected, not an incident.
      this.planned.add(nodeId);
      return null;
    }
    return this.open(nodeId, 'exit', 'observed', at, { signal: detail.signal ?? null, code: detail.code ?? null }).incident.id;
  }

  /** A balancer detection: the first sets `detected` and `detectedVia`; every one is a timeline event. */
  detected(e: { nodeId: string; via: DetectionVia; at: number; reason?: string }): string | null {
    const open = this.openFor(e.nodeId);
    if (!open && this.planned.has(e.nodeId)) return null;
    const t = open ?? this.open(e.nodeId, `detected:${e.via}`, 'detected', e.at);
    const first = t.incident.stages.detected === undefined;
    if (first) t.incident.detectedVia = e.via;
    this.timeline('incident.detected', t, { via: e.via, first, reason: e.reason ?? null }, e.at);
    this.stage(t, 'detected', e.at);
    return t.incident.id;
  }

  ejected(e: { nodeId: string; via?: DetectionVia; at: number }): void {
    const t = this.openFor(e.nodeId);
    if (t) this.stage(t, 'ejected', e.at);
  }

  /**
   * The failover controller began promoting `to` for `from`'s loss: `to`'s progress now counts. If
   * the controller acted before the incident it belongs to is open (the plane client reports an
   * exit's detection at the exit, so the lab's own planes never do this; a listener wired otherwise
   * may), the takeover waits for the incident that opens for `from` within TAKEOVER_EARLY_MS.
   */
  failoverStarted(e: { from: string; to: string; at: number }): void {
    const t = this.openFor(e.from);
    if (!t) {
      this.earlyTakeovers.set(e.from, { to: e.to, at: e.at });
      return;
    }
    if (t.takeover) return;
    t.takeover = e.to;
    t.takeoverSince = e.at;
  }

  failedOver(e: { from: string; to: string; at: number }): void {
    const t = this.openFor(e.from);
    if (!t) return;
    if (!t.takeover) {
      t.takeover = e.to;
      t.takeoverSince = e.at;
    }
    this.stage(t, 'failedOver', e.at);
  }

  /** Supervisor `node.starting`: after the exit (or, for the takeover, after failover began) → `restarted`. */
  nodeStarting(nodeId: string, at: number): void {
    for (const t of this.concerning(nodeId, at)) {
      if (nodeId === t.incident.nodeId && t.incident.stages.observed === undefined) continue;
      this.stage(t, 'restarted', at);
    }
  }

  /** The node's `restore.done` log line, or `node.ready` → `restored` (once it restarted, or as the takeover). */
  nodeRestored(nodeId: string, at: number): void {
    for (const t of this.concerning(nodeId, at)) {
      if (nodeId === t.incident.nodeId && t.incident.stages.restarted === undefined) continue;
      this.stage(t, 'restored', at);
    }
  }

  /** The balancer's first successful response from a node after it was (re)admitted → `recovered`, closed. */
  firstServed(e: { nodeId: string; at: number }): void {
    for (const t of this.concerning(e.nodeId, e.at)) {
      this.stage(t, 'recovered', e.at);
      t.incident.open = false;
      this.timeline('incident.closed', t, { mttdMs: t.incident.mttdMs, mttrMs: t.incident.mttrMs, via: e.nodeId }, e.at);
      this.changed(t);
    }
  }

  /** Supervisor log lines: each `restore.done` is a restore. */
  logLines(lines: readonly LogLine[]): void {
    for (const line of lines) {
      if (line.stream === 'stdout' && line.text.includes('"restore.done"') && this.concerning(line.nodeId, line.at).length > 0) {
        this.nodeRestored(line.nodeId, line.at);
      }
    }
  }

  /** Convenience: the supervisor's and the failover controller's timeline events, as they come. */
  timelineEvent(e: { kind: string; nodeId?: string; at: number; detail?: Record<string, unknown> }): void {
    const detail = e.detail ?? {};
    if (e.kind === 'failover.started' && typeof detail.from === 'string' && typeof detail.to === 'string') {
      this.failoverStarted({ from: detail.from, to: detail.to, at: e.at });
    }
    if (e.kind === 'failover.promoted' || e.kind === 'failover.promoted-behind' || e.kind === 'failover.held') this.failoverOutcome(e.kind, detail, e.at);
    if (!e.nodeId) return;
    if (e.kind === 'node.exited') {
      this.nodeExited(e.nodeId, e.at, { byLab: detail.byLab === true, code: detail.code as number | null, signal: detail.signal as string | null });
    } else if (e.kind === 'node.starting') this.nodeStarting(e.nodeId, e.at);
    else if (e.kind === 'node.ready') {
      this.planned.delete(e.nodeId);
      this.nodeRestored(e.nodeId, e.at);
    }
  }

  /**
   * The controller's answer to a primary's loss, on that primary's incident: promoted, promoted
   * behind (it may arrive after the incident closed), or held. A running primary held because it
   * still serves (`serving`) was never down: its incident ends there.
   */
  private failoverOutcome(kind: string, detail: Record<string, unknown>, at: number): void {
    const from = typeof detail.from === 'string' ? detail.from : undefined;
    if (!from) return;
    const to = typeof detail.to === 'string' ? detail.to : null;
    const reason = typeof detail.reason === 'string' ? (typeof detail.standbyState === 'string' ? `${detail.reason}: ${detail.standbyState}` : detail.reason) : null;
    if (kind === 'failover.promoted-behind') {
      const t = [...this.tracked].reverse().find((x) => x.incident.nodeId === from && x.incident.failover?.to === to);
      if (!t) return;
      t.incident.failover = { outcome: 'promoted-behind', to, reason };
      this.changed(t);
      return;
    }
    const t = this.openFor(from);
    if (!t) return;
    t.incident.failover = kind === 'failover.held' ? { outcome: 'held', to: null, reason } : { outcome: 'promoted', to, reason: null };
    this.changed(t);
    if (kind === 'failover.held' && detail.serving === true) {
      t.incident.open = false;
      this.timeline('incident.closed', t, { mttdMs: t.incident.mttdMs, mttrMs: t.incident.mttrMs, via: from, held: true }, at);
      this.changed(t);
    }
  }

  /**
   * A request the balancer's failover hold held, or a write it answered 503 + Retry-After, for the
   * loss of `heldFor` (the outcome's fields): counted on that node's latest incident, which may have
   * closed already (the first held request served is what closes it).
   */
  requestHeld(o: HeldOutcome): void {
    if (!o.heldFor || (o.heldMs === undefined && o.error !== 'failover-write-refused' && o.error !== 'failover-write-unknown')) return;
    let t: Tracked | undefined;
    for (let i = this.tracked.length - 1; i >= 0 && !t; i--) if (this.tracked[i]!.incident.nodeId === o.heldFor) t = this.tracked[i];
    // Only the incident the request lived through: it may have arrived a little before the loss was seen.
    const start = t ? firstStage(t.incident) : undefined;
    const recovered = t?.incident.stages.recovered;
    if (!t || start === undefined || start > o.startedAt + HELD_BEFORE_INCIDENT_MS || (recovered !== undefined && recovered < o.startedAt)) {
      // A write cut at the kill can be answered before the exit that opens the incident is seen: kept a moment.
      if (!t || !t.incident.open) {
        this.heldEarly.push(o);
        if (this.heldEarly.length > HELD_EARLY_KEPT) this.heldEarly.shift();
      }
      return;
    }
    this.countHeld(t, o);
  }

  private countHeld(t: Tracked, o: HeldOutcome): void {
    const held: FailoverHeld = { ...(t.incident.held ?? { requests: 0, served: 0, expired: 0, maxMs: 0, totalMs: 0, refusedWrites: 0 }) };
    if (o.heldMs !== undefined) {
      held.requests++;
      if (o.ok) held.served++;
      if (o.error === 'failover-deadline') held.expired++;
      held.maxMs = Math.max(held.maxMs, round(o.heldMs));
      held.totalMs = round(held.totalMs + o.heldMs);
    } else held.refusedWrites++;
    t.incident.held = held;
    this.changed(t);
  }

  /** The data plane's thread died and another took over (`downMs` null: it gave up): every open incident says so. */
  planeRestarted(e: { at: number; downMs: number | null; reason: string }): void {
    for (const t of this.tracked) {
      if (!t.incident.open) continue;
      t.incident.planeRestarts = [...(t.incident.planeRestarts ?? []), { at: e.at, downMs: e.downMs === null ? null : round(e.downMs), reason: e.reason }];
      this.changed(t);
    }
  }

  /** What the ledger check found for this incident's data (lost and stale acknowledged writes). */
  setLedger(incidentId: string, ledger: { lost: number; stale: number }): void {
    const t = this.tracked.find((x) => x.incident.id === incidentId);
    if (!t) return;
    t.incident.lostWrites = ledger.lost;
    t.incident.staleWrites = ledger.stale;
    this.changed(t);
  }

  /** Oldest first; copies. */
  incidents(): Incident[] {
    return this.tracked.map((t) => copy(t.incident));
  }

  /** The node's open incident, if any. */
  openIncident(nodeId: string): Incident | undefined {
    const t = this.openFor(nodeId);
    return t ? copy(t.incident) : undefined;
  }

  onChanged(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private open(nodeId: string, cause: string, stage: IncidentStage, at: number, detail: Record<string, unknown> = {}): Tracked {
    const t: Tracked = {
      incident: {
        id: `inc-${++this.seq}`,
        nodeId,
        cause,
        stages: {},
        detectedVia: null,
        mttdMs: null,
        mttrMs: null,
        lostWrites: null,
        staleWrites: null,
        open: true,
      },
      openedBy: stage,
      takeover: null,
      takeoverSince: null,
    };
    const early = this.earlyTakeovers.get(nodeId);
    this.earlyTakeovers.delete(nodeId);
    if (early && Math.abs(early.at - at) <= TAKEOVER_EARLY_MS) {
      t.takeover = early.to;
      t.takeoverSince = early.at;
    }
    this.tracked.push(t);
    this.trim();
    this.timeline('incident.opened', t, { cause, stage, ...detail }, at);
    if (stage !== 'detected') this.stage(t, stage, at);
    // What the balancer held or refused for this node just before its loss was seen belongs here.
    const heldEarly = this.heldEarly.filter((o) => o.heldFor === nodeId && o.startedAt >= at - HELD_BEFORE_INCIDENT_MS);
    if (heldEarly.length > 0) {
      this.heldEarly = this.heldEarly.filter((o) => !heldEarly.includes(o));
      for (const o of heldEarly) this.countHeld(t, o);
    }
    return t;
  }

  /** First time wins: a stage keeps the timestamp it was first reached at. */
  private stage(t: Tracked, stage: IncidentStage, at: number): void {
    const stages = t.incident.stages;
    if (stages[stage] !== undefined) return;
    stages[stage] = at;
    // Only a ground-truth start (the fault, or the exit that opened it) makes MTTD / MTTR.
    // The earliest evidence of a death (the exit, or a detection that beat it) is when it happened.
    const start = stages.injected ?? (t.openedBy === 'observed' && stages.observed !== undefined ? Math.min(stages.observed, stages.detected ?? Infinity) : undefined);
    t.incident.mttdMs = start !== undefined && stages.detected !== undefined ? round(stages.detected - start) : null;
    t.incident.mttrMs = start !== undefined && stages.recovered !== undefined ? round(stages.recovered - start) : null;
    this.changed(t);
  }

  private openFor(nodeId: string): Tracked | undefined {
    for (let i = this.tracked.length - 1; i >= 0; i--) {
      const t = this.tracked[i]!;
      if (t.incident.open && t.incident.nodeId === nodeId) return t;
    }
    return undefined;
  }

  /** Open incidents this node's progress counts for: its own, or those it took over. */
  private concerning(nodeId: string, at: number): Tracked[] {
    return this.tracked.filter(
      (t) => t.incident.open && (t.incident.nodeId === nodeId || (t.takeover === nodeId && t.takeoverSince !== null && at >= t.takeoverSince)),
    );
  }

  private trim(): void {
    while (this.tracked.length > this.limit) {
      const closed = this.tracked.findIndex((t) => !t.incident.open);
      this.tracked.splice(closed >= 0 ? closed : 0, 1);
    }
  }

  private changed(t: Tracked): void {
    const snapshot = copy(t.incident);
    for (const listener of this.listeners) {
      try {
        listener(snapshot);
      } catch (error) {
        console.error('incident listener failed:', error);
      }
    }
  }

  private timeline(kind: string, t: Tracked, detail: Record<string, unknown>, at: number): void {
    try {
      this.options.onTimeline?.(kind, t.incident.nodeId, { incident: t.incident.id, ...detail }, at);
    } catch (error) {
      console.error('incident timeline listener failed:', error);
    }
  }
}

/** The earliest stage reached: when the incident began, as far as anything saw. */
function firstStage(incident: Incident): number | undefined {
  let first: number | undefined;
  for (const at of Object.values(incident.stages)) if (at !== undefined && (first === undefined || at < first)) first = at;
  return first;
}

function copy(incident: Incident): Incident {
  return { ...incident, stages: { ...incident.stages } };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
