// The lab's state at any instant of a recording, rebuilt from the last keyframe before it plus the
// entries after it; and a cursor that steps through it frame by frame. Pure: no clock, no I/O.
import type { BalancerState, FaultRecord, FleetState, Incident, IncidentStage, LabSnapshot, LedgerCounts, MetricsTick, NodeSnapshot, TimelineEvent, TrafficState } from '../contract/model.js';
import type { DrillRunStatus } from '../drill/run.js';
import { isPackedTick, unpackTick, type RecordedTick } from './packed-tick.js';
import type { Keyframe, Recording, RecordingEntry } from './recording.js';

/** The lab as it was at `at`: `lab.state`'s shape, plus the latest metrics tick and drill status by then. */
export interface ReplayState extends LabSnapshot {
  /** The instant this state is of (engine time, epoch ms). */
  at: number;
  /** The seq of the last recorded entry it holds. */
  seq: number;
  /** The latest `metrics.tick` at or before `at`, if any. */
  metrics: MetricsTick | null;
  /** The latest `drill.step` / `drill.verdict` at or before `at`, if any. */
  drill: DrillRunStatus | null;
}

export interface ReplayOptions {
  /** How many timeline events a state keeps, newest last (default 200, as `lab.state`). */
  timelineLimit?: number;
}

type Field = 'nodes' | 'balancer' | 'incidents' | 'faults' | 'timeline';

const stageEnds: Array<[IncidentStage, 'mttdMs' | 'mttrMs']> = [
  ['detected', 'mttdMs'],
  ['recovered', 'mttrMs'],
];

/**
 * A state being built: its arrays are copied on the first write after each `view()` (copy on
 * write), so every view handed out stays as it was while the cursor moves on, and unchanged parts
 * are shared between views.
 */
class Draft {
  state: ReplayState;
  private owned = new Set<Field>();

  constructor(
    keyframe: Keyframe,
    private readonly timelineLimit: number,
    private readonly late: LateStages,
    carried?: { metrics: MetricsTick | null; drill: DrillRunStatus | null },
  ) {
    // Held as recorded (packed, in a recording/2) while the draft moves; unpacked by `view()`.
    const metrics = (keyframe.carried.metrics as MetricsTick | undefined) ?? carried?.metrics ?? null;
    const drill = (keyframe.carried.drill as DrillRunStatus | undefined) ?? carried?.drill ?? null;
    this.state = { ...keyframe.state, at: keyframe.at, seq: keyframe.after, metrics, drill };
  }

  apply(entry: RecordingEntry): void {
    const s = this.state;
    s.at = entry.at;
    s.seq = entry.seq;
    const payload = entry.payload as never;
    switch (entry.event) {
      case 'timeline.event': {
        const timeline = this.own('timeline');
        timeline.push(payload as TimelineEvent);
        if (timeline.length > this.timelineLimit * 2) timeline.splice(0, timeline.length - this.timelineLimit);
        this.upstreamStateOf(payload as TimelineEvent);
        break;
      }
      case 'metrics.tick':
        s.metrics = payload as RecordedTick as MetricsTick;
        break;
      case 'node.changed':
        upsert(this.own('nodes'), payload as NodeSnapshot, false);
        break;
      case 'incident.changed':
        upsert(this.own('incidents'), payload as Incident, false);
        break;
      case 'fault.changed':
        upsert(this.own('faults'), payload as FaultRecord, true);
        break;
      case 'fleet.changed':
        s.fleet = payload as FleetState;
        break;
      case 'traffic.changed':
        s.traffic = payload as TrafficState;
        break;
      case 'balancer.changed':
        s.balancer = payload as BalancerState;
        this.owned.delete('balancer');
        break;
      case 'ledger.checked':
        s.traffic = { ...s.traffic, ledger: payload as LedgerCounts };
        break;
      case 'drill.step':
      case 'drill.verdict':
        s.drill = payload as DrillRunStatus;
        break;
      default:
        break; // recorded for whoever reads the entries; not part of the lab's state
    }
  }

  /** A state to hand out: fixed from now on (the next write copies what it changes). */
  view(): ReplayState {
    const s = this.state;
    if (s.timeline.length > this.timelineLimit) s.timeline = s.timeline.slice(-this.timelineLimit);
    this.owned.clear();
    const known = this.late.at(s.incidents, s.at);
    const incidents = known.some((i) => reachedAfter(i, s.at)) ? known.map((i) => (reachedAfter(i, s.at) ? asOf(i, s.at) : i)) : known;
    const view = { ...s, incidents, metrics: s.metrics && unpacked(s.metrics) };
    this.state = { ...s };
    return view;
  }

  /** The balancer's own words on the timeline (`balancer.ejected`, `balancer.readmitted`), at the instant the balancer acted (its `balancer.changed` follows a few ms later). */
  private upstreamStateOf(event: TimelineEvent): void {
    const state = event.kind === 'balancer.ejected' ? 'ejected' : event.kind === 'balancer.readmitted' ? 'in-rotation' : null;
    if (!state || event.nodeId === undefined) return;
    const i = this.state.balancer.upstreams.findIndex((u) => u.id === event.nodeId);
    if (i < 0 || this.state.balancer.upstreams[i]!.state === state) return;
    const balancer = this.ownBalancer();
    balancer.upstreams[i] = { ...balancer.upstreams[i]!, state };
  }

  private ownBalancer(): BalancerState {
    if (!this.owned.has('balancer')) {
      this.state.balancer = { ...this.state.balancer, upstreams: [...this.state.balancer.upstreams] };
      this.owned.add('balancer');
    }
    return this.state.balancer;
  }

  private own<K extends Exclude<Field, 'balancer'>>(field: K): ReplayState[K] {
    if (!this.owned.has(field)) {
      (this.state[field] as unknown[]) = [...this.state[field]];
      this.owned.add(field);
    }
    return this.state[field];
  }
}

/**
 * Stages the lab said late. A stage carries its ground-truth instant (an exit's, a detection stamped
 * where it happened), and the lab may say it after a later one: an exit seen by the supervisor a few
 * ms after the balancer's detection and failover, or an incident opened at a detection with the
 * exit that preceded it. At any instant the replay shows every stage reached by then, said or not,
 * from the last word the recording has on each incident.
 */
class LateStages {
  /** Each incident said late: its last recorded form, and the stretch of time some stage of it was reached but not yet said. */
  private readonly windows: Array<{ incident: Incident; from: number; until: number }> = [];

  constructor(recording: Recording) {
    const last = new Map<string, Incident>();
    // When each stage of each incident was first said (a keyframe's or an entry's time).
    const said = new Map<string, Map<IncidentStage, number>>();
    const heard = (incident: Incident, at: number): void => {
      last.set(incident.id, incident);
      let stages = said.get(incident.id);
      if (!stages) said.set(incident.id, (stages = new Map()));
      for (const stage of Object.keys(incident.stages) as IncidentStage[]) if (!((stages.get(stage) ?? Infinity) <= at)) stages.set(stage, at);
    };
    for (const k of recording.keyframes) for (const incident of k.state.incidents) heard(incident, k.at);
    for (const e of recording.entries) if (e.event === 'incident.changed') heard(e.payload as Incident, e.at);
    for (const incident of last.values()) {
      let from = Infinity;
      let until = -Infinity;
      for (const [stage, stageAt] of Object.entries(incident.stages) as Array<[IncidentStage, number]>) {
        const saidAt = said.get(incident.id)?.get(stage) ?? stageAt;
        if (stageAt >= saidAt) continue;
        from = Math.min(from, stageAt);
        until = Math.max(until, saidAt);
      }
      if (from < until) this.windows.push({ incident, from, until });
    }
  }

  /** `incidents` (as said by `at`) with the stages reached by `at` that were said later; the same array when there are none. */
  at(incidents: Incident[], at: number): Incident[] {
    let out: Incident[] | null = null;
    for (const { incident: last, from, until } of this.windows) {
      if (at < from || at >= until) continue;
      const list: Incident[] = out ?? incidents;
      const i = list.findIndex((x) => x.id === last.id);
      const said = i >= 0 ? list[i] : undefined;
      const missing = (Object.entries(last.stages) as Array<[IncidentStage, number]>).some(([stage, stageAt]) => stageAt <= at && said?.stages[stage] === undefined);
      if (!missing) continue;
      out ??= [...incidents];
      // Not said yet at all: its last form, cut to `at` by the caller (asOf).
      if (!said) out.push(last);
      else out[i] = withStagesOf(said, last, at);
    }
    return out ?? incidents;
  }
}

/** One scan of a recording for its late stages, however many cursors (and `stateAt` calls) read it. */
const lateStages = new WeakMap<Recording, LateStages>();

function lateStagesOf(recording: Recording): LateStages {
  let late = lateStages.get(recording);
  if (!late) lateStages.set(recording, (late = new LateStages(recording)));
  return late;
}

/** `said` with the stages of `last` reached by `at`, and what those imply (MTTD, MTTR, closed, the failover) as `last` has it. */
function withStagesOf(said: Incident, last: Incident, at: number): Incident {
  const out: Incident = { ...said, stages: { ...last.stages, ...said.stages } };
  const reached = (stage: IncidentStage): boolean => (last.stages[stage] ?? Infinity) <= at && said.stages[stage] === undefined;
  if (reached('detected')) Object.assign(out, { mttdMs: last.mttdMs, detectedVia: last.detectedVia });
  if (reached('failedOver')) out.failover = last.failover;
  if (reached('recovered')) Object.assign(out, { mttrMs: last.mttrMs, open: last.open });
  return out;
}

/** Each packed tick unpacked once, however many views show it. */
const unpackedTicks = new WeakMap<object, MetricsTick>();

function unpacked(tick: RecordedTick): MetricsTick {
  if (!isPackedTick(tick)) return tick;
  let out = unpackedTicks.get(tick);
  if (!out) unpackedTicks.set(tick, (out = unpackTick(tick)));
  return out;
}

function upsert<T extends { id: string }>(list: T[], item: T, newFirst: boolean): void {
  const index = list.findIndex((x) => x.id === item.id);
  if (index >= 0) list[index] = item;
  else if (newFirst) list.unshift(item);
  else list.push(item);
}

function reachedAfter(incident: Incident, at: number): boolean {
  for (const stageAt of Object.values(incident.stages)) if (stageAt !== undefined && stageAt > at) return true;
  return false;
}

/** An incident as it stood at `at`: only the stages reached by then, and what they imply. */
function asOf(incident: Incident, at: number): Incident {
  const stages: Incident['stages'] = {};
  for (const [stage, stageAt] of Object.entries(incident.stages) as Array<[IncidentStage, number]>) if (stageAt <= at) stages[stage] = stageAt;
  const out: Incident = { ...incident, stages };
  for (const [stage, field] of stageEnds) if (stages[stage] === undefined) out[field] = null;
  if (stages.recovered === undefined) out.open = true;
  if (stages.detected === undefined) out.detectedVia = null;
  if (stages.failedOver === undefined && out.failover?.outcome !== 'held') out.failover = null;
  return out;
}

/** The index of the last item whose key is <= x, or -1 (items sorted by key). */
function lastAtOrBefore<T>(items: readonly T[], key: (item: T) => number, x: number): number {
  let lo = 0;
  let hi = items.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (key(items[mid]!) <= x) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * A cursor over a recording: `seek(t)` to any instant, `next()` one frame on (a frame is one
 * recorded entry), `advance(ms)` for playback at any speed. Moving forward applies only the entries
 * passed (or jumps to a keyframe when one is nearer); moving back starts again from the keyframe
 * before. Every state it returns stays as it was (they share what did not change).
 */
export class ReplayCursor {
  private draft!: Draft;
  /** Index of the next entry to apply. */
  private pos = 0;
  /** Index of the next keyframe ahead. */
  private nextKeyframe = 0;
  private current!: ReplayState;
  private readonly timelineLimit: number;
  private readonly late: LateStages;

  constructor(
    readonly recording: Recording,
    t: number = recording.startedAt,
    options: ReplayOptions = {},
  ) {
    if (recording.keyframes.length === 0) throw new Error('a recording without a keyframe cannot be replayed');
    this.timelineLimit = options.timelineLimit ?? 200;
    this.late = lateStagesOf(recording);
    this.seek(t);
  }

  get state(): ReplayState {
    return this.current;
  }

  get at(): number {
    return this.current.at;
  }

  /** Whether a frame remains after the current one. */
  get done(): boolean {
    return this.pos >= this.recording.entries.length;
  }

  /** The state at `t` (clamped to the first keyframe: nothing before it is known). */
  seek(t: number): ReplayState {
    const { keyframes, entries } = this.recording;
    const k = Math.max(0, lastAtOrBefore(keyframes, (kf) => kf.at, t));
    const keyframe = keyframes[k]!;
    // Forward from where it stands, unless going back, or a keyframe between is nearer.
    if (!this.draft || t < this.current.at || keyframe.after > this.current.seq) {
      this.draft = new Draft(keyframe, this.timelineLimit, this.late);
      this.pos = lastAtOrBefore(entries, (e) => e.seq, keyframe.after) + 1;
      this.nextKeyframe = k + 1;
    }
    this.forward(t, Infinity);
    this.draft.state.at = Math.max(t, keyframe.at);
    this.current = this.draft.view();
    return this.current;
  }

  /** One frame on: the next recorded entry (or the next one `filter` accepts). Null at the end. */
  next(filter?: (entry: RecordingEntry) => boolean): ReplayState | null {
    const { entries } = this.recording;
    for (;;) {
      if (this.pos >= entries.length) return null;
      const entry = entries[this.pos]!;
      this.forward(entry.at, 1);
      if (!filter || filter(entry)) break;
    }
    this.current = this.draft.view();
    return this.current;
  }

  /** Playback: `ms` of recorded time on (at ¼× the caller passes a quarter of the wall time gone by). */
  advance(ms: number): ReplayState {
    return this.seek(this.current.at + ms);
  }

  /** Applies entries (and keyframes met on the way) up to `t`, at most `frames` entries. */
  private forward(t: number, frames: number): void {
    const { keyframes, entries } = this.recording;
    let applied = 0;
    for (;;) {
      const entry = entries[this.pos];
      const keyframe = keyframes[this.nextKeyframe];
      if (keyframe && keyframe.at <= t && (!entry || keyframe.after < entry.seq)) {
        // A keyframe holds everything before it, and what no event says (a node removed with its fleet).
        const { metrics, drill } = this.draft.state;
        this.draft = new Draft(keyframe, this.timelineLimit, this.late, { metrics, drill });
        this.nextKeyframe++;
        continue;
      }
      if (!entry || entry.at > t || applied >= frames) return;
      this.draft.apply(entry);
      this.pos++;
      applied++;
    }
  }
}

/** The lab's state at instant `t` of a recording. */
export function stateAt(recording: Recording, t: number, options: ReplayOptions = {}): ReplayState {
  return new ReplayCursor(recording, t, options).state;
}

/** The log lines recorded up to `t`, newest last, at most `limit`. */
export function logsUpTo(recording: Recording, t: number, limit = 500): Array<{ nodeId: string; stream: string; at: number; text: string }> {
  const out: Array<{ nodeId: string; stream: string; at: number; text: string }> = [];
  const last = lastAtOrBefore(recording.logs, (e) => e.at, t);
  for (let i = last; i >= 0 && out.length < limit; i--) {
    const lines = (recording.logs[i]!.payload as { lines?: Array<{ nodeId: string; stream: string; at: number; text: string }> }).lines ?? [];
    for (let j = lines.length - 1; j >= 0 && out.length < limit; j--) if (lines[j]!.at <= t) out.push(lines[j]!);
  }
  return out.reverse();
}
