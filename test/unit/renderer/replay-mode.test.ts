import { describe, expect, it } from 'vitest';
import { ContractError } from '../../../shared/contract/errors.js';
import type { Incident, LabSnapshot, MetricsTick } from '../../../shared/contract/model.js';
import { packTick, unpackTick, type PackedTick } from '../../../shared/replay/packed-tick.js';
import type { Recording } from '../../../shared/replay/recording.js';
import { stateAt, type ReplayCursor, type ReplayState } from '../../../shared/replay/replay.js';
import { SyntheticLab, T0, syntheticUpstream } from '../../support/synthetic-lab.js';

// The replay mode's pure parts (renderer/src/replay/): playback on a fake clock, which ticks the
// charts are fed, fetching in stretches that fit, the marks and words of the scrubber; and the
// store's snapshot in replace mode. Loaded by a path the node-side tsc does not follow.
const replay = '../../../renderer/src/replay/';
interface Playback {
  readonly cursor: ReplayCursor;
  playing: boolean;
  speed: number;
  readonly state: ReplayState;
  readonly atEnd: boolean;
  play(now: number): ReplayState;
  pause(): void;
  frame(now: number): ReplayState | null;
  seek(t: number): ReplayState;
  stepForward(): ReplayState | null;
  stepBack(): ReplayState | null;
}
const { Playback, MAX_FRAME_GAP_MS } = (await import(`${replay}playback`)) as { Playback: new (recording: Recording, at: number) => Playback; MAX_FRAME_GAP_MS: number };
interface TickIndex {
  readonly ticks: PackedTick[];
  lastAtOrBefore(t: number): number;
  atOf(i: number): number;
}
const { TickIndex, planTicks, CHART_WINDOW_MS } = (await import(`${replay}tick-window`)) as {
  TickIndex: new (recording: Recording) => TickIndex;
  planTicks: (index: TickIndex, shown: number, t: number, windowMs?: number) => { reset: boolean; from: number; to: number };
  CHART_WINDOW_MS: number;
};
const { fetchInStretches, mergeRecordings } = (await import(`${replay}stretches`)) as {
  fetchInStretches: (get: (from: number, to: number) => Promise<Recording>, from: number, to: number) => Promise<Recording>;
  mergeRecordings: (parts: Recording[]) => Recording;
};
type Mark = { id: string; nodeId: string; cause: string; at: number };
const { incidentMarks, firstFaultAt, faultNear } = (await import(`${replay}marks`)) as {
  incidentMarks: (recording: Recording) => Mark[];
  firstFaultAt: (recording: Recording, marks?: Mark[], after?: number) => number | null;
  faultNear: (marks: Mark[], at: number) => { mark: Mark; deltaMs: number } | null;
};
const { clockTime, faultOffset, spanText } = (await import(`${replay}clock`)) as { clockTime: (at: number) => string; faultOffset: (ms: number) => string; spanText: (ms: number) => string };

/** A hot standby's failover: 20 s of ticks, p1 killed at +20.001 s, detected +50 ms, s1 promoted +300 ms, recovered +400 ms, then 20 s more. */
function failover(): { lab: SyntheticLab; injected: number } {
  const lab = new SyntheticLab(['p1', 's1'], { keyframeEveryMs: 2_000 }, { p1: 'primary', s1: 'standby' });
  const incident: Incident = { id: 'inc-1', nodeId: 'p1', cause: 'exit', stages: {}, detectedVia: null, mttdMs: null, mttrMs: null, lostWrites: null, staleWrites: null, failover: null, open: true };
  const upstreams = (p1: 'in-rotation' | 'ejected', s1: 'standby' | 'in-rotation') => ({ ...lab.state.balancer, upstreams: [syntheticUpstream('p1', 10_000, p1), syntheticUpstream('s1', 10_001, s1)] });
  lab.state = { ...lab.state, balancer: upstreams('in-rotation', 'standby') };
  // The lab's snapshot (its keyframes) holds the incident and the fault too, as the real one does.
  const emitIncident = (i: Incident) => {
    lab.state = { ...lab.state, incidents: [i] };
    lab.emit('incident.changed', i);
  };
  for (let i = 0; i < 200; i++) {
    lab.advance(100);
    lab.tick();
  }
  lab.advance(1);
  const injected = lab.t;
  const fault = { id: 'f-1', type: 'kill', kind: 'process', target: 'p1', attributes: {}, status: 'done', injectedAt: injected, revertedAt: null, expiresAt: null, error: null } as unknown as LabSnapshot['faults'][number];
  lab.state = { ...lab.state, faults: [fault] };
  lab.emit('fault.changed', fault);
  lab.setNode('p1', { status: 'backoff', pid: null });
  emitIncident({ ...incident, stages: { injected } });
  lab.advance(50);
  lab.state = { ...lab.state, balancer: upstreams('ejected', 'standby') };
  lab.emit('balancer.changed', lab.state.balancer);
  emitIncident({ ...incident, stages: { injected, detected: lab.t }, detectedVia: 'exit', mttdMs: 50 });
  lab.advance(250);
  lab.setNode('s1', { role: 'primary' });
  emitIncident({ ...incident, stages: { injected, detected: injected + 50, failedOver: lab.t }, detectedVia: 'exit', mttdMs: 50 });
  lab.advance(100);
  emitIncident({ ...incident, stages: { injected, detected: injected + 50, failedOver: injected + 300, recovered: lab.t }, detectedVia: 'exit', mttdMs: 50, mttrMs: 400, open: false });
  for (let i = 0; i < 200; i++) {
    lab.advance(100);
    lab.tick();
  }
  return { lab, injected };
}

describe('replay mode: playback by a clock passed in', () => {
  it('plays at 1⁄10×: 1 s of wall time in 16 ms frames moves the instant 100 ms, and the states follow the recording', () => {
    const { lab, injected } = failover();
    const recording = lab.recording.get();
    const playback = new Playback(recording, injected - 40);
    playback.speed = 0.1;
    let now = 5_000;
    playback.play(now);
    let state: ReplayState | null = null;
    for (let frame = 0; frame < 62; frame++) state = playback.frame((now += 16)) ?? state;
    expect(playback.cursor.at).toBeCloseTo(injected - 40 + 62 * 16 * 0.1, 1);
    expect(state!.nodes.find((n) => n.id === 'p1')?.status).toBe('backoff');
    expect(state!.balancer.upstreams.find((u) => u.id === 'p1')?.state).toBe('ejected');
    expect(Object.keys(state!.incidents[0]!.stages)).toEqual(['injected', 'detected']);
    // Paused, frames move nothing.
    playback.pause();
    expect(playback.frame((now += 1_000))).toBeNull();
  });

  it('a late frame moves the replay by MAX_FRAME_GAP_MS × speed at most, and playing stops at the end', () => {
    const { lab } = failover();
    const recording = lab.recording.get();
    const playback = new Playback(recording, recording.endedAt - 2_000);
    playback.play(0);
    playback.frame(10_000);
    expect(playback.cursor.at).toBe(recording.endedAt - 2_000 + MAX_FRAME_GAP_MS);
    for (let now = 10_000; playback.playing && now < 20_000; ) playback.frame((now += 100));
    expect(playback.playing).toBe(false);
    expect(playback.atEnd).toBe(true);
    // Play again at the end: from the start.
    playback.play(0);
    expect(playback.cursor.at).toBe(recording.startedAt);
  });

  it('steps one recorded entry on and back to the instant of the one before', () => {
    const { lab, injected } = failover();
    const recording = lab.recording.get();
    const playback = new Playback(recording, injected - 1);
    const seqBefore = playback.state.seq;
    const next = playback.stepForward()!;
    const entry = recording.entries.find((e) => e.seq > seqBefore)!;
    expect(next.seq).toBe(entry.seq);
    expect(entry.event).toBe('fault.changed');
    expect(next.at).toBe(injected);
    const back = playback.stepBack()!;
    expect(back.at).toBeLessThan(injected);
    expect(back.nodes.find((n) => n.id === 'p1')?.status).toBe('ready');
    const previousTick = recording.entries.filter((e) => e.at < injected).at(-1)!;
    expect(back.at).toBe(previousTick.at);
    // At the very start there is nothing before.
    playback.seek(recording.startedAt);
    expect(playback.stepBack()).toBeNull();
  });
});

/** The tick without one node (a window in which it served nothing). */
function dropNode(tick: MetricsTick, id: string | null): MetricsTick {
  if (id === null) return tick;
  const perNode = { ...tick.perNode };
  delete perNode[id];
  return { ...tick, perNode };
}

describe('replay mode: the charts get the minute up to the instant', () => {
  it('indexes the ticks packed, one id list for all, from a recording/2 as from a recording/1 (ticks as emitted)', () => {
    const { lab } = failover();
    const v2 = lab.recording.get();
    // As parsed from JSON: every tick with its own copy of the ids.
    const parsed = JSON.parse(JSON.stringify(v2)) as Recording;
    const v1: Recording = { ...parsed, format: 'firedrill.recording/1', entries: parsed.entries.map((e) => (e.event === 'metrics.tick' ? { ...e, payload: unpackTick(e.payload as PackedTick) } : e)) };
    const a = new TickIndex(parsed);
    const b = new TickIndex(v1);
    expect(b.ticks).toEqual(a.ticks);
    expect(new Set(a.ticks.map((t) => t.ids)).size).toBe(1);
    expect(new Set(b.ticks.map((t) => t.ids)).size).toBe(1);
    // Ticks alternating between lists (a node with no request in a window is left out of it): one object per list.
    let n = 0;
    const alternating: Recording = { ...v1, entries: v1.entries.map((e) => (e.event === 'metrics.tick' ? { ...e, payload: dropNode(e.payload as MetricsTick, n++ % 3 === 1 ? 'p1' : n % 5 === 0 ? 's1' : null) } : e)) };
    const c = new TickIndex(JSON.parse(JSON.stringify(alternating)) as Recording);
    expect(new Set(c.ticks.map((t) => t.ids.join())).size).toBe(3);
    expect(new Set(c.ticks.map((t) => t.ids)).size).toBe(3);
  });

  it('feeds only the new ticks moving forward, the whole window after a jump or going back', () => {
    const { lab, injected } = failover();
    const index = new TickIndex(lab.recording.get());
    expect(index.ticks.length).toBe(400);
    const first = planTicks(index, -1, injected);
    expect(first.reset).toBe(true);
    expect(index.atOf(first.to)).toBeLessThanOrEqual(injected);
    expect(index.atOf(first.to + 1)).toBeGreaterThan(injected);
    // The window reaches back CHART_WINDOW_MS (the whole recording here, 20 s before the fault).
    expect(first.from).toBe(Math.max(0, index.lastAtOrBefore(index.atOf(first.to) - CHART_WINDOW_MS) + 1));
    const on = planTicks(index, first.to, injected + 1_000);
    expect(on).toEqual({ reset: false, from: first.to + 1, to: index.lastAtOrBefore(injected + 1_000) });
    expect(on.to).toBeGreaterThan(on.from);
    expect(planTicks(index, on.to, injected + 1_000)).toEqual({ reset: false, from: on.to + 1, to: on.to });
    expect(planTicks(index, on.to, injected - 5_000).reset).toBe(true);
    expect(planTicks(index, first.to, injected + 3_000, 5_000)).toMatchObject({ reset: false, from: first.to + 1 });
    // Forward by more than the window: the window again, not every tick in between.
    const far = planTicks(index, first.to, injected + 6_000, 5_000);
    expect(far.reset).toBe(true);
    expect(index.atOf(far.to) - index.atOf(far.from)).toBeLessThan(5_000);
    expect(planTicks(index, -1, T0 - 1)).toEqual({ reset: true, from: 0, to: -1 });
  });
});

describe('replay mode: fetching a recording in answers that fit', () => {
  it('splits a stretch in halves on limit-exceeded, and the parts merged rebuild the same states as the whole', async () => {
    const { lab, injected } = failover();
    const whole = lab.recording.get();
    const bytes = JSON.stringify(whole).length;
    const asked: Array<[number, number]> = [];
    const get = (from: number, to: number) => {
      asked.push([from, to]);
      const part = lab.recording.get({ from, to });
      if (JSON.stringify(part).length > bytes / 3) return Promise.reject(new ContractError({ code: 'limit-exceeded', message: 'too big', field: 'to' }));
      return Promise.resolve(part);
    };
    const merged = await fetchInStretches(get, whole.startedAt, whole.endedAt);
    expect(asked.length).toBeGreaterThan(3);
    expect(merged.entries.map((e) => e.seq)).toEqual(whole.entries.map((e) => e.seq));
    expect(merged.keyframes.map((k) => k.after)).toEqual(whole.keyframes.map((k) => k.after));
    expect(merged.startedAt).toBe(whole.startedAt);
    expect(merged.endedAt).toBe(whole.endedAt);
    for (const t of [whole.startedAt + 500, injected + 60, injected + 350, whole.endedAt]) {
      const a = stateAt(merged, t);
      const b = stateAt(whole, t);
      expect({ ...a, timeline: a.timeline.length }).toEqual({ ...b, timeline: b.timeline.length });
    }
    // Other errors are not retried.
    await expect(fetchInStretches(() => Promise.reject(new ContractError({ code: 'not-found', message: 'gone' })), 0, 10_000)).rejects.toThrow('gone');
    expect(mergeRecordings([whole])).toBe(whole);
  });
});

describe('replay mode: marks and words', () => {
  it('marks incidents at their injection, finds the first fault, and says how far the instant is from it', () => {
    const { lab, injected } = failover();
    const recording = lab.recording.get();
    const marks = incidentMarks(recording);
    expect(marks).toEqual([{ id: 'inc-1', nodeId: 'p1', cause: 'exit', at: injected }]);
    expect(firstFaultAt(recording, marks)).toBe(injected);
    expect(firstFaultAt(recording, marks, injected + 1)).toBeNull();
    expect(faultNear(marks, injected + 1_204)?.deltaMs).toBe(1_204);
    expect(faultNear(marks, injected - 800)?.deltaMs).toBe(-800);
    expect(faultNear(marks, injected - 6_000)).toBeNull();
    expect(faultNear(marks, injected + 121_000)).toBeNull();
    expect(faultOffset(1_204)).toBe('+1.204 s after the fault');
    expect(faultOffset(-800)).toBe('0.800 s before the fault');
    expect(spanText(41_900)).toBe('00:41');
    expect(spanText(3_761_000)).toBe('1:02:41');
    const d = new Date(2026, 11, 5, 12, 4, 31, 512);
    expect(clockTime(d.getTime())).toBe('12:04:31.512');
  });
});

describe('replay mode: the store shows an instant', () => {
  it('applySnapshot with replace drops what is not in the snapshot (a later incident, fault or event), keeping the timeline zero and the logs', async () => {
    const store = '../../../renderer/src/store/';
    const { applySnapshot } = (await import(`${store}actions`)) as { applySnapshot: (s: LabSnapshot, o?: { replace?: boolean }) => void };
    const { useStore } = (await import(`${store}store`)) as { useStore: { getState: () => { incidents: Incident[]; faults: unknown[]; timeline: { events: unknown[]; originAt: number | null }; logs: unknown } } };
    const { lab, injected } = failover();
    const recording = lab.recording.get();
    const live = stateAt(recording, recording.endedAt);
    const liveWithEvent = { ...live, timeline: [{ seq: 1, at: T0 + 5, kind: 'node.note', detail: {} }] };
    applySnapshot(liveWithEvent);
    expect(useStore.getState().incidents.length).toBe(1);
    expect(useStore.getState().timeline.originAt).toBe(T0 + 5);
    const rings = (useStore.getState().logs as { rings: unknown }).rings;
    applySnapshot(stateAt(recording, injected - 100)); // merged, as on connect: the incident stays
    expect(useStore.getState().incidents.length).toBe(1);
    applySnapshot(stateAt(recording, injected - 100), { replace: true });
    expect(useStore.getState().incidents).toEqual([]);
    expect(useStore.getState().faults).toEqual([]);
    expect(useStore.getState().timeline).toEqual({ events: [], originAt: T0 + 5 });
    expect((useStore.getState().logs as { rings: unknown }).rings).toBe(rings);
  });
});

type Ring = { push(frame: unknown): void; times(): Float64Array; series(name: string): Float64Array; nodeSeries(id: string, name: string): Float64Array; nodeIds(): string[] };

describe('replay mode: the charts read the same numbers as live', () => {
  it('frameAt makes of each recorded tick what RollingRates made of it live (nodes coming and going)', async () => {
    const { frameAt } = (await import(`${replay}replay-frames`)) as { frameAt: (ticks: PackedTick[], i: number) => unknown };
    const { RollingRates } = (await import(`${'../../../renderer/src/metrics/'}rolling-rates`)) as { RollingRates: new () => { smooth(tick: MetricsTick): unknown } };
    const node = (requests: number, errors: number) => ({ requests, errors, retries: 0, inflight: requests % 3, p50: requests / 7, p99: requests / 3 });
    const ticks: MetricsTick[] = [];
    let seed = 11;
    const jitter = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % 40; // windows close unevenly, as on a busy machine
    for (let i = 0; i < 60; i++) {
      const perNode: Record<string, ReturnType<typeof node>> = { p1: node(i * 3 + 1, i % 4) };
      if (i % 7 !== 3) perNode.s1 = node(i % 5, 0); // a node missing from some ticks
      if (i > 30) perNode['constructor'] = node(2, 1); // an id a plain object would answer itself
      ticks.push({ at: T0 + i * 100 + jitter(), windowMs: 100 + (i % 3) * 7 - (i % 2) * 3.3, requests: i * 4 + 1, errors: i % 4, retries: i % 2, inflight: 1, acked: i, latency: { p50: 1, p90: 2, p99: 3, max: 4, count: i }, perNode });
    }
    // As a recording keeps them: packed.
    const packed = ticks.map((tick) => packTick(tick));
    const rates = new RollingRates();
    ticks.forEach((tick, i) => expect(frameAt(packed, i), `tick ${i}`).toEqual(rates.smooth(tick)));
    // A refill (a sliding sum over the same ticks, written straight into the ring) writes what pushing
    // each frame would, from any tick on, into an empty ring or after what it holds; with the ticks'
    // own id lists, or one list shared by a run of ticks (as a recording parsed and indexed has them).
    const { framesInto } = (await import(`${replay}replay-frames`)) as { framesInto: (ticks: PackedTick[], from: number, to: number, ring: Ring) => unknown };
    const { MetricsRing, OVERALL_SERIES, NODE_SERIES } = (await import(`${'../../../renderer/src/metrics/'}metrics-ring`)) as {
      MetricsRing: new (capacity: number) => Ring;
      OVERALL_SERIES: readonly string[];
      NODE_SERIES: readonly string[];
    };
    const contents = (ring: Ring) => ({
      times: [...ring.times()],
      overall: OVERALL_SERIES.map((name) => [...ring.series(name)]),
      nodes: ring.nodeIds().map((id) => [id, ...NODE_SERIES.map((name) => [...ring.nodeSeries(id, name)])]),
    });
    const shared = ticks.reduce<PackedTick[]>((out, tick) => [...out, packTick(tick, out[out.length - 1]?.ids)], []);
    expect(shared[1]!.ids).toBe(shared[0]!.ids);
    for (const run of [packed, shared]) {
      for (const [before, from, to] of [[-1, 0, 59], [-1, 17, 44], [-1, 31, 31], [-1, 5, 4], [9, 10, 40], [35, 36, 59]] as const) {
        const written = new MetricsRing(50);
        const pushed = new MetricsRing(50);
        for (let k = 0; k <= before; k++) {
          written.push(frameAt(run, k));
          pushed.push(frameAt(run, k));
        }
        const newest = framesInto(run, from, to, written);
        for (let k = from; k <= to; k++) pushed.push(frameAt(run, k));
        expect(contents(written), `ticks ${from}..${to} after ${before + 1}`).toEqual(contents(pushed));
        expect(newest).toEqual(from > to ? null : frameAt(run, to));
      }
    }
  });
});
