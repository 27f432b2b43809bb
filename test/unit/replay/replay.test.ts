import { describe, expect, it } from 'vitest';
import type { Incident } from '../../../shared/contract/model.js';
import { Recording } from '../../../shared/replay/recording.js';
import { ReplayCursor, logsUpTo, stateAt } from '../../../shared/replay/replay.js';
import { sliceRecording } from '../../../shared/replay/slice.js';
import { SyntheticLab, T0, syntheticUpstream } from '../../support/synthetic-lab.js';

/** A hot standby's failover told as events: p1 killed at +2 s, detected at +2.05 s, s1 promoted at +2.3 s, recovered at +2.5 s. */
function failover(): SyntheticLab {
  const lab = new SyntheticLab(['p1', 's1'], { keyframeEveryMs: 1_000 }, { p1: 'primary', s1: 'standby' });
  const incident: Incident = { id: 'inc-1', nodeId: 'p1', cause: 'exit', stages: {}, detectedVia: null, mttdMs: null, mttrMs: null, lostWrites: null, staleWrites: null, failover: null, open: true };
  const upstreams = (p1: 'in-rotation' | 'ejected', s1: 'standby' | 'in-rotation') => ({ ...lab.state.balancer, upstreams: [syntheticUpstream('p1', 10_000, p1), syntheticUpstream('s1', 10_001, s1)] });
  lab.state = { ...lab.state, balancer: upstreams('in-rotation', 'standby') };
  for (let i = 0; i < 20; i++) { lab.advance(100); lab.tick(); }
  lab.advance(1); // +2001
  lab.setNode('p1', { status: 'backoff', pid: null });
  lab.timeline('node.exit', 'p1', { signal: 'SIGKILL' });
  const injected = lab.t - 1;
  lab.emit('incident.changed', { ...incident, stages: { injected } });
  lab.advance(49); // +2050
  lab.state = { ...lab.state, balancer: upstreams('ejected', 'standby') };
  lab.emit('balancer.changed', lab.state.balancer);
  lab.emit('incident.changed', { ...incident, stages: { injected, detected: lab.t, ejected: lab.t }, detectedVia: 'exit', mttdMs: lab.t - injected });
  lab.advance(250); // +2300
  lab.setNode('s1', { role: 'primary' });
  lab.timeline('failover.done', 's1');
  lab.state = { ...lab.state, balancer: upstreams('ejected', 'in-rotation') };
  lab.emit('balancer.changed', lab.state.balancer);
  const failedOver = lab.t;
  lab.advance(200); // +2500: the last word on the incident, written once it closed
  lab.emit('incident.changed', { ...incident, stages: { injected, detected: injected + 49, ejected: injected + 49, failedOver, recovered: failedOver + 100 }, detectedVia: 'exit', mttdMs: 49, mttrMs: 399, open: false, failover: { outcome: 'promoted', to: 's1', reason: null } });
  for (let i = 0; i < 30; i++) { lab.advance(100); lab.tick(); }
  return lab;
}

describe('replay: the state at any instant', () => {
  it('rebuilds a failover: primary serving before the kill, detected and ejected after, the standby promoted, the stages in order', () => {
    const recording = Recording.parse(failover().recording.get());
    const before = stateAt(recording, T0 + 1_500);
    expect(before.nodes.find((n) => n.id === 'p1')).toMatchObject({ status: 'ready', role: 'primary' });
    expect(before.balancer.upstreams.find((u) => u.id === 'p1')?.state).toBe('in-rotation');
    expect(before.incidents).toEqual([]);
    expect(before.metrics?.at).toBeLessThanOrEqual(T0 + 1_500);
    expect(before.metrics?.at).toBeGreaterThan(T0 + 1_400);

    const killed = stateAt(recording, T0 + 2_020);
    expect(killed.nodes.find((n) => n.id === 'p1')?.status).toBe('backoff');
    expect(Object.keys(killed.incidents[0]!.stages)).toEqual(['injected']);
    expect(killed.balancer.upstreams.find((u) => u.id === 'p1')?.state).toBe('in-rotation');

    const detected = stateAt(recording, T0 + 2_100);
    expect(detected.balancer.upstreams.find((u) => u.id === 'p1')?.state).toBe('ejected');
    expect(detected.incidents[0]!.stages).toMatchObject({ detected: T0 + 2_050, ejected: T0 + 2_050 });
    expect(detected.incidents[0]!.stages.failedOver).toBeUndefined();
    expect(detected.nodes.find((n) => n.id === 's1')?.role).toBe('standby');

    // The incident's last word came at +2.5 s but said recovered at +2.4 s: at +2.35 s only what was reached shows.
    const promoted = stateAt(recording, T0 + 2_350);
    expect(promoted.nodes.find((n) => n.id === 's1')?.role).toBe('primary');
    expect(promoted.balancer.upstreams.find((u) => u.id === 's1')?.state).toBe('in-rotation');
    const after = stateAt(recording, T0 + 2_600).incidents[0]!;
    expect(Object.keys(after.stages)).toEqual(['injected', 'detected', 'ejected', 'failedOver', 'recovered']);
    expect(after).toMatchObject({ open: false, mttrMs: 399 });
    // +2450: recovered (at +2.4 s) but not yet said (+2.5 s): a replay shows what was true then, with what it implies.
    const retro = stateAt(recording, T0 + 2_450);
    expect(retro.incidents[0]).toMatchObject({ stages: { recovered: T0 + 2_400, failedOver: T0 + 2_300 }, open: false, mttrMs: 399, failover: { outcome: 'promoted', to: 's1' } });
    expect(stateAt(recording, T0 + 2_399).incidents[0]).toMatchObject({ open: true, mttrMs: null });
    expect(stateAt(recording, T0 + 2_399).incidents[0]!.stages.recovered).toBeUndefined();
    expect(retro.timeline.map((e) => e.kind)).toEqual(['node.exit', 'failover.done']);
    expect(stateAt(recording, T0 + 2_000).timeline).toEqual([]);
  });

  it('filters stages reached after t out of an entry that already holds them, with what they imply', () => {
    const lab = failover();
    lab.advance(100);
    const closed: Incident = { id: 'inc-2', nodeId: 's1', cause: 'hang', stages: { injected: lab.t, detected: lab.t + 500, recovered: lab.t + 900 }, detectedVia: 'active', mttdMs: 500, mttrMs: 900, lostWrites: 0, staleWrites: 0, failover: null, open: false };
    lab.state = { ...lab.state, incidents: [...lab.state.incidents, closed] }; // the keyframes hold it too
    lab.emit('incident.changed', closed);
    const at = lab.t;
    lab.advance(1_000);
    lab.tick();
    const recording = lab.recording.get();
    const early = stateAt(recording, at + 100).incidents.find((i) => i.id === 'inc-2')!;
    expect(early).toMatchObject({ stages: { injected: at }, detectedVia: null, mttdMs: null, mttrMs: null, open: true });
    const mid = stateAt(recording, at + 600).incidents.find((i) => i.id === 'inc-2')!;
    expect(mid).toMatchObject({ stages: { injected: at, detected: at + 500 }, mttdMs: 500, mttrMs: null, open: true });
    expect(stateAt(recording, at + 900).incidents.find((i) => i.id === 'inc-2')!.open).toBe(false);
  });

  it('shows an incident the lab said late from its first stage: opened at a detection with the exit 40 ms before it', () => {
    const lab = failover();
    lab.advance(100);
    const exitAt = lab.t;
    lab.advance(40);
    const late: Incident = { id: 'inc-2', nodeId: 's1', cause: 'exit', stages: { observed: exitAt, detected: lab.t }, detectedVia: 'passive', mttdMs: 40, mttrMs: null, lostWrites: null, staleWrites: null, failover: null, open: true };
    lab.emit('incident.changed', late);
    const saidAt = lab.t;
    lab.advance(500);
    lab.tick();
    const recording = lab.recording.get();
    expect(stateAt(recording, exitAt - 1).incidents.find((i) => i.id === 'inc-2')).toBeUndefined();
    const between = stateAt(recording, exitAt + 20).incidents.find((i) => i.id === 'inc-2')!;
    expect(between).toMatchObject({ stages: { observed: exitAt }, open: true, mttdMs: null, detectedVia: null });
    expect(between.stages.detected).toBeUndefined();
    expect(stateAt(recording, saidAt).incidents.find((i) => i.id === 'inc-2')).toMatchObject({ stages: { observed: exitAt, detected: saidAt }, mttdMs: 40 });
    // Played through frame by frame, the stages come in the order they happened.
    const cursor = new ReplayCursor(recording, exitAt - 10);
    const seen: string[] = [];
    while (cursor.at < saidAt + 10) for (const stage of Object.keys(cursor.advance(5).incidents.find((i) => i.id === 'inc-2')?.stages ?? {})) if (!seen.includes(stage)) seen.push(stage);
    expect(seen).toEqual(['observed', 'detected']);
  });

  it('steps frame by frame to exactly the states stateAt gives, and never changes a state it handed out', () => {
    const recording = failover().recording.get();
    const cursor = new ReplayCursor(recording, recording.startedAt);
    const seen: Array<{ state: ReturnType<typeof stateAt>; copy: string }> = [];
    let frames = 0;
    for (let state = cursor.state; state; state = cursor.next()!) {
      // stateAt(t) holds every entry at t; a frame holds one: they agree on the last frame of an instant.
      const following = recording.entries.find((e) => e.seq > state.seq);
      if (frames > 0 && (!following || following.at > state.at)) expect(state).toEqual(stateAt(recording, state.at));
      seen.push({ state, copy: JSON.stringify(state) });
      frames++;
      if (cursor.done) break;
    }
    expect(frames).toBe(recording.entries.length + 1);
    for (const { state, copy } of seen) expect(JSON.stringify(state)).toBe(copy);
    expect(cursor.next()).toBeNull();
  });

  it('seeks back and forth, plays at any speed, and steps to the next frame a filter keeps', () => {
    const recording = failover().recording.get();
    const cursor = new ReplayCursor(recording, T0 + 2_600);
    expect(cursor.state.nodes.find((n) => n.id === 's1')?.role).toBe('primary');
    expect(cursor.seek(T0 + 1_000).nodes.find((n) => n.id === 's1')?.role).toBe('standby');
    // ¼×: a quarter of 400 ms of wall time per step.
    const states = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map(() => cursor.advance(100));
    expect(states.at(-1)!.at).toBe(T0 + 2_300);
    // The kill at +2000 is said at +2001; the incident shows from +2000, when it was true.
    expect(states.map((s) => s.incidents.length)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
    expect(cursor.state).toEqual(stateAt(recording, T0 + 2_300));
    cursor.seek(T0 + 1_000);
    const next = cursor.next((e) => e.event !== 'metrics.tick');
    expect(next?.at).toBe(T0 + 2_001);
    expect(next?.nodes.find((n) => n.id === 'p1')?.status).toBe('backoff');
  });

  it('takes from each keyframe what no event says (nodes of a fleet replaced), and carries the latest tick across it', () => {
    const lab = new SyntheticLab(['a1', 'a2', 'a3'], { keyframeEveryMs: 1_000 });
    lab.advance(100);
    lab.tick();
    lab.advance(100);
    lab.state = { ...lab.state, nodes: lab.state.nodes.slice(0, 1), fleet: { name: 'smaller', status: 'running' } };
    lab.emit('fleet.changed', { name: 'smaller', status: 'running' }); // a keyframe at once
    lab.advance(2_000);
    const recording = lab.recording.get();
    expect(recording.keyframes.length).toBe(4);
    expect(stateAt(recording, T0 + 150).nodes).toHaveLength(3);
    const later = stateAt(recording, T0 + 1_500);
    expect(later.nodes.map((n) => n.id)).toEqual(['a1']);
    expect(later.fleet.name).toBe('smaller');
    expect(later.metrics?.at).toBe(T0 + 100);
    const cursor = new ReplayCursor(recording, T0);
    cursor.seek(T0 + 150);
    expect(cursor.seek(T0 + 2_100).nodes).toHaveLength(1);
    // Frame by frame across the keyframe: the tick after it sees one node.
    lab.advance(100);
    lab.tick();
    const stepper = new ReplayCursor(lab.recording.get(), T0 + 150);
    let last = stepper.state;
    for (let s = stepper.next(); s; s = stepper.next()) last = s;
    expect(last.nodes.map((n) => n.id)).toEqual(['a1']);
  });

  it('keeps the newest timeline events up to its limit, and the logs up to t', () => {
    const lab = new SyntheticLab(['a1']);
    for (let i = 0; i < 500; i++) {
      lab.advance(10);
      lab.timeline('note', 'a1', { i });
      lab.emit('log.batch', { lines: [{ nodeId: 'a1', stream: 'stdout', at: lab.t, text: `line ${i}` }], dropped: 0 });
    }
    const recording = lab.recording.get();
    const state = stateAt(recording, T0 + 2_000, { timelineLimit: 50 });
    expect(state.timeline).toHaveLength(50);
    expect(state.timeline.at(-1)!.detail).toEqual({ i: 199 });
    expect(logsUpTo(recording, T0 + 2_000, 3).map((l) => l.text)).toEqual(['line 197', 'line 198', 'line 199']);
  });

  it('reads the place in the balancer from its timeline events, at the instant the balancer acted', () => {
    const lab = new SyntheticLab(['a1', 'a2']);
    lab.advance(100);
    lab.timeline('balancer.ejected', 'a1');
    const state = stateAt(lab.recording.get(), lab.t);
    expect(state.balancer.upstreams.map((u) => u.state)).toEqual(['ejected', 'in-rotation']);
    expect(lab.state.balancer.upstreams[0]!.state).toBe('in-rotation'); // the keyframe untouched
    lab.advance(100);
    lab.timeline('balancer.readmitted', 'a1');
    lab.timeline('balancer.ejected', 'a2');
    expect(stateAt(lab.recording.get(), lab.t).balancer.upstreams.map((u) => u.state)).toEqual(['in-rotation', 'ejected']);
  });
});

describe('replay: a stretch of a whole recording', () => {
  it('rebuilds every instant of the stretch as the whole does, and holds nothing past its end', () => {
    const lab = new SyntheticLab(['a1', 'a2', 'a3'], { keyframeEveryMs: 1_000, maxStretchBytes: 64 * 1024 * 1024 });
    for (let i = 0; i < 100; i++) {
      lab.advance(100);
      lab.tick();
      if (i % 7 === 0) lab.setNode('a2', { restarts: i });
      if (i % 5 === 0) lab.timeline('note', 'a1', { i });
    }
    const whole = lab.recording.get();
    const from = T0 + 2_350;
    const to = T0 + 6_050;
    const stretch = sliceRecording(whole, from, to);
    expect(stretch.startedAt).toBe(from);
    expect(stretch.endedAt).toBe(to);
    expect(stretch.keyframes[0]!.at).toBe(T0 + 2_000);
    expect(stretch.entries.every((e) => e.at <= to)).toBe(true);
    for (let t = from; t <= to; t += 50) expect(stateAt(stretch, t)).toEqual(stateAt(whole, t));
    // Asked for more than there is: clamped to what it holds.
    const all = sliceRecording(whole, T0 - 5_000, T0 + 99_000);
    expect(all.keyframes).toHaveLength(whole.keyframes.length);
    expect(all.entries).toHaveLength(whole.entries.length);
  });
});
