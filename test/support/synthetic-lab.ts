// A lab without processes for the recording's and the replayer's tests and bench: a state held in
// memory, events emitted by hand into a real LabRecording, and a clock the test moves.
import type { LabSnapshot, MetricsTick, NodeMetrics, NodeSnapshot, TimelineEvent, UpstreamSnapshot } from '../../shared/contract/model.js';
import { BalancerSettings, LedgerCounts, TrafficSettings } from '../../shared/contract/model.js';
import { LabRecording, type RecordingSettings } from '../../electron/engine/recording/lab-recording.js';

export const T0 = 1_700_000_000_000;

export function syntheticNode(id: string, role: NodeSnapshot['role'] = 'stateless', port = 10_000): NodeSnapshot {
  return {
    id, kind: 'bundled', role, pid: 1000 + port, port, status: 'ready', restarts: 0, dataDir: `/tmp/${id}`, restartPolicy: 'always',
    startedAt: T0, readyAt: T0, lastExit: null, nextStartAt: null,
  };
}

export function syntheticUpstream(id: string, port: number, state: UpstreamSnapshot['state'] = 'in-rotation'): UpstreamSnapshot {
  return { id, port, state, weight: 1, inflight: 0, ewmaMs: 1, consecutiveFailures: 0, ejections: 0, ejectedUntil: null, lastDetection: null };
}

export function syntheticSnapshot(ids: string[], roles: Record<string, NodeSnapshot['role']> = {}): LabSnapshot {
  const ledger = LedgerCounts.parse({ acked: 0, checked: 0, lost: 0, stale: 0, checkedAt: null });
  return {
    version: 'test', runDir: '/tmp/run', fleet: { name: 'synthetic', status: 'running' }, topology: null,
    nodes: ids.map((id, i) => syntheticNode(id, roles[id] ?? 'stateless', 10_000 + i)),
    balancer: { url: 'http://127.0.0.1:1', settings: BalancerSettings.parse({}), upstreams: ids.filter((id) => roles[id] !== 'standby').map((id, i) => syntheticUpstream(id, 10_000 + i)), retryBudget: { used: 0, allowed: 10 }, workers: { asked: 1, running: 1, note: null } },
    traffic: { running: false, settings: TrafficSettings.parse({}), startedAt: null, stats: null, ledger },
    incidents: [], faults: [], timeline: [],
  };
}

/**
 * A metrics tick as the lab emits it for these nodes: its fields, and numbers that look like real
 * ones (a histogram's latencies to the microsecond, 3 significant digits; counts that vary), so what
 * the recording weighs here is what it weighs in a lab.
 */
export function syntheticTick(at: number, ids: string[]): MetricsTick {
  const perNode: Record<string, NodeMetrics> = {};
  const k = Math.round(at / 100);
  let requests = 0;
  ids.forEach((id, i) => {
    const n = 10 + ((k + i) % 5);
    requests += n;
    perNode[id] = { requests: n, errors: (k + i) % 97 === 0 ? 1 : 0, retries: 0, inflight: (k + i) % 3, p50: (400 + ((k * 37 + i * 11) % 600)) / 1000, p99: (2048 + ((k * 53 + i * 7) % 2000) * 2) / 1000 };
  });
  return { at, windowMs: 100, requests, errors: 0, retries: 0, inflight: ids.length, acked: 0, latency: { p50: 0.712, p90: 2.31, p99: 4.502, max: 9.87, count: requests }, perNode };
}

/** The lab's state held in memory, its events recorded by a real LabRecording on a clock the test moves. */
export class SyntheticLab {
  t = T0;
  state: LabSnapshot;
  readonly recording: LabRecording;
  private seq = 0;
  private nextKeyframe: number;

  constructor(
    readonly ids: string[],
    settings: Partial<RecordingSettings> = {},
    roles: Record<string, NodeSnapshot['role']> = {},
  ) {
    this.state = syntheticSnapshot(ids, roles);
    this.recording = new LabRecording({ snapshot: () => this.state, subscribe: () => () => {}, now: () => this.t, settings, timer: false }).start();
    this.nextKeyframe = this.t + this.recording.settings.keyframeEveryMs;
  }

  /** Moves the clock on, taking the keyframes a timer would have. */
  advance(ms: number): void {
    const to = this.t + ms;
    while (this.nextKeyframe <= to) {
      this.t = this.nextKeyframe;
      this.recording.keyframe();
      this.nextKeyframe += this.recording.settings.keyframeEveryMs;
    }
    this.t = to;
  }

  emit(name: string, payload: unknown): void {
    this.recording.record(name, payload);
  }

  tick(): void {
    this.emit('metrics.tick', syntheticTick(this.t, this.ids));
  }

  setNode(id: string, patch: Partial<NodeSnapshot>): NodeSnapshot {
    const node = { ...this.state.nodes.find((n) => n.id === id)!, ...patch };
    this.state = { ...this.state, nodes: this.state.nodes.map((n) => (n.id === id ? node : n)) };
    this.emit('node.changed', node);
    return node;
  }

  timeline(kind: string, nodeId?: string, detail: Record<string, unknown> = {}): TimelineEvent {
    const event: TimelineEvent = { seq: ++this.seq, at: this.t, kind, detail, ...(nodeId ? { nodeId } : {}) };
    this.state = { ...this.state, timeline: [...this.state.timeline, event].slice(-200) };
    this.emit('timeline.event', event);
    return event;
  }

  /** `minutes` of a busy lab: a tick every 100 ms, a node change and a timeline event every 5 s. */
  run(minutes: number): void {
    const frames = minutes * 600;
    for (let i = 0; i < frames; i++) {
      this.advance(100);
      this.tick();
      if (i % 50 === 25) {
        const id = this.ids[i % this.ids.length]!;
        this.setNode(id, { restarts: i });
        this.timeline('node.note', id, { i });
      }
    }
  }
}
