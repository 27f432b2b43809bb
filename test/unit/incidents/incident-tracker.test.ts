import { describe, expect, it } from 'vitest';
import type { Incident } from '../../../shared/contract/model';
import { IncidentTracker } from '../../../electron/engine/incidents/incident-tracker';

function tracker(): { t: IncidentTracker; timeline: Array<{ kind: string; detail: Record<string, unknown> }>; changes: Incident[] } {
  const timeline: Array<{ kind: string; detail: Record<string, unknown> }> = [];
  const t = new IncidentTracker({ clock: () => 0, onTimeline: (kind, _node, detail) => timeline.push({ kind, detail }) });
  const changes: Incident[] = [];
  t.onChanged((i) => changes.push(i));
  return { t, timeline, changes };
}

describe('IncidentTracker', () => {
  it('an injected fault: every stage stamped once, MTTD and MTTR derived from injected', () => {
    const { t, timeline, changes } = tracker();
    const id = t.faultInjected('p1', 'fault:kill', 1000);
    t.nodeExited('p1', 1002, { signal: 'SIGKILL' });
    t.detected({ nodeId: 'p1', via: 'exit', at: 1002.5, reason: 'process exited' });
    t.detected({ nodeId: 'p1', via: 'active', at: 1150, reason: 'probe refused' }); // later way: timeline only
    t.ejected({ nodeId: 'p1', via: 'exit', at: 1003 });
    t.failoverStarted({ from: 'p1', to: 's1', at: 1003 });
    t.nodeStarting('p1', 1060); // the supervisor restarts the old primary
    t.failedOver({ from: 'p1', to: 's1', at: 1010 });
    t.logLines([{ nodeId: 'p1', stream: 'stdout', at: 1100, text: '{"event":"restore.done","generation":3}' }]);
    t.firstServed({ nodeId: 'x9', at: 1011 }); // another node: not this incident
    t.firstServed({ nodeId: 's1', at: 1012 }); // the node that took over serves: recovered

    const [incident] = t.incidents();
    expect(incident).toEqual({
      id,
      nodeId: 'p1',
      cause: 'fault:kill',
      stages: { injected: 1000, observed: 1002, detected: 1002.5, ejected: 1003, failedOver: 1010, restarted: 1060, restored: 1100, recovered: 1012 },
      detectedVia: 'exit',
      mttdMs: 2.5,
      mttrMs: 12,
      lostWrites: null,
      staleWrites: null,
      open: false,
    });
    expect(timeline.filter((e) => e.kind === 'incident.detected').map((e) => [e.detail.via, e.detail.first])).toEqual([
      ['exit', true],
      ['active', false],
    ]);
    expect(timeline.at(-1)).toMatchObject({ kind: 'incident.closed', detail: { incident: id, mttdMs: 2.5, mttrMs: 12 } });
    expect(changes.at(-1)?.open).toBe(false);

    t.setLedger(id, { lost: 3, stale: 1 });
    expect(t.incidents()[0]).toMatchObject({ lostWrites: 3, staleWrites: 1 });
  });

  it('a kill -9 from a terminal opens an incident at observed; MTTD and MTTR count from there', () => {
    const { t } = tracker();
    t.timelineEvent({ kind: 'node.exited', nodeId: 'a2', at: 500, detail: { signal: 'SIGKILL', code: null, byLab: false } });
    t.timelineEvent({ kind: 'node.starting', nodeId: 'a2', at: 600 });
    t.timelineEvent({ kind: 'node.ready', nodeId: 'a2', at: 700 });
    expect(t.openIncident('a2')).toMatchObject({ cause: 'exit', stages: { observed: 500, restarted: 600, restored: 700 }, mttdMs: null, mttrMs: null, open: true });
    t.detected({ nodeId: 'a2', via: 'exit', at: 500.25 });
    t.firstServed({ nodeId: 'a2', at: 750 });
    expect(t.incidents()[0]).toMatchObject({ detectedVia: 'exit', mttdMs: 0.25, mttrMs: 250, open: false });
    // The next failure of the same node is a new incident.
    t.nodeExited('a2', 900);
    expect(t.incidents().map((i) => i.open)).toEqual([false, true]);
  });

  it('an exit reported after the detection it caused is still the ground-truth start', () => {
    const { t } = tracker();
    t.detected({ nodeId: 'p1', via: 'exit', at: 10.5 });
    t.nodeExited('p1', 10);
    expect(t.incidents()).toHaveLength(1);
    expect(t.incidents()[0]).toMatchObject({ cause: 'exit', stages: { observed: 10, detected: 10.5 }, mttdMs: 0.5 });
  });

  it('a detection with nothing injected or exited (a frozen node) opens an incident without MTTD', () => {
    const { t } = tracker();
    t.detected({ nodeId: 'p1', via: 'active', at: 50, reason: 'timeout' });
    t.nodeExited('p1', 80, { byLab: true }); // fenced by the failover controller
    t.failedOver({ from: 'p1', to: 's1', at: 90 });
    t.firstServed({ nodeId: 's1', at: 95 });
    expect(t.incidents()[0]).toMatchObject({ cause: 'detected:active', detectedVia: 'active', stages: { detected: 50, observed: 80, failedOver: 90, recovered: 95 }, mttdMs: null, mttrMs: null, open: false });
  });

  it('ignores lab stops, does not count a takeover’s progress from before the failover, and stays bounded', () => {
    const { t } = tracker();
    expect(t.nodeExited('p1', 1, { byLab: true })).toBeNull();
    t.nodeExited('p1', 10);
    t.nodeStarting('c1', 5); // before the failover began: not this incident's
    t.failoverStarted({ from: 'p1', to: 'c1', at: 11 });
    t.nodeStarting('c1', 12);
    t.nodeRestored('c1', 40);
    expect(t.openIncident('p1')?.stages).toEqual({ observed: 10, restarted: 12, restored: 40 });
    // A second fault on a node already failing belongs to the same incident.
    expect(t.faultInjected('p1', 'fault:freeze', 13)).toBe(t.openIncident('p1')?.id);

    const small = new IncidentTracker({ limit: 3 });
    for (let i = 0; i < 5; i++) {
      small.nodeExited(`n${i}`, i);
      if (i !== 1) small.firstServed({ nodeId: `n${i}`, at: i + 0.5 });
    }
    // Closed ones go first: the open n1 is kept.
    expect(small.incidents().map((i) => i.nodeId)).toEqual(['n1', 'n3', 'n4']);
  });

  it('a failover begun before its incident opened (the controller hears the exit first) still counts its takeover', () => {
    const { t } = tracker();
    t.failoverStarted({ from: 'p1', to: 'c1', at: 10 });
    t.nodeExited('p1', 10);
    t.nodeStarting('c1', 12);
    t.nodeRestored('c1', 90);
    expect(t.openIncident('p1')?.stages).toEqual({ observed: 10, restarted: 12, restored: 90 });
    // Only for an incident opening about then: a later one of the same node is not that failover's.
    t.firstServed({ nodeId: 'c1', at: 95 });
    t.failoverStarted({ from: 'p2', to: 's2', at: 100 });
    t.nodeExited('p2', 5_000);
    t.nodeStarting('s2', 5_001);
    expect(t.openIncident('p2')?.stages).toEqual({ observed: 5_000 });
  });
});

describe('IncidentTracker: a detection that beats the exit event', () => {
  it('still anchors the incident at the death: start = the earlier of the two, MTTD 0', () => {
    const tracker = new IncidentTracker();
    tracker.detected({ nodeId: 'p1', via: 'passive', at: 1_000 });
    tracker.nodeExited('p1', 1_001.5, { signal: 'SIGKILL' });
    tracker.firstServed({ nodeId: 'p1', at: 1_200 });
    const [incident] = tracker.incidents();
    expect(incident?.cause).toBe('exit');
    expect(incident?.mttdMs).toBe(0);
    expect(incident?.mttrMs).toBe(200);
  });

  it('does not take a much later exit as the cause of a detection', () => {
    const tracker = new IncidentTracker();
    tracker.detected({ nodeId: 'p1', via: 'active', at: 1_000 });
    tracker.nodeExited('p1', 2_000, { signal: 'SIGKILL' });
    tracker.firstServed({ nodeId: 'p1', at: 2_500 });
    expect(tracker.incidents()[0]?.mttdMs).toBeNull();
  });

  it('a stop or restart the lab asked for is not an incident: its detections are expected until the node is ready', () => {
    const { t } = tracker();
    expect(t.nodeExited('a2', 100, { byLab: true })).toBeNull();
    expect(t.detected({ nodeId: 'a2', via: 'exit', at: 100.2 })).toBeNull();
    expect(t.detected({ nodeId: 'a2', via: 'active', at: 150 })).toBeNull();
    t.timelineEvent({ kind: 'node.ready', nodeId: 'a2', at: 300 });
    expect(t.incidents()).toEqual([]);
    // Ready again: a detection now is a failure like any other.
    expect(t.detected({ nodeId: 'a2', via: 'passive', at: 900 })).toMatch(/^inc-/);
    expect(t.incidents()).toHaveLength(1);
  });

  it('records how the failover answered: held (strict sync), promoted, promoted behind — even after the incident closed', () => {
    const { t } = tracker();
    t.nodeExited('p1', 100, { signal: 'SIGKILL' });
    t.timelineEvent({ kind: 'failover.held', nodeId: 'p1', at: 101, detail: { from: 'p1', standby: 's1', reason: 'standby-behind', standbyState: 'exited', action: 'restart-in-place' } });
    expect(t.incidents()[0]?.failover).toEqual({ outcome: 'held', to: null, reason: 'standby-behind: exited' });
    t.firstServed({ nodeId: 'p1', at: 400 }); // the primary, restarted in place, serves again

    t.nodeExited('p1', 1_000, { signal: 'SIGKILL' });
    t.timelineEvent({ kind: 'failover.promoted', nodeId: 's1', at: 1_010, detail: { from: 'p1', to: 's1' } });
    t.failedOver({ from: 'p1', to: 's1', at: 1_011 });
    t.firstServed({ nodeId: 's1', at: 1_050 });
    t.timelineEvent({ kind: 'failover.promoted-behind', nodeId: 's1', at: 1_250, detail: { from: 'p1', to: 's1', reason: 'link-lost' } });
    expect(t.incidents().map((i) => [i.open, i.failover])).toEqual([
      [false, { outcome: 'held', to: null, reason: 'standby-behind: exited' }],
      [false, { outcome: 'promoted-behind', to: 's1', reason: 'link-lost' }],
    ]);
  });

  it('a running primary held because it still serves (e.g. writes refused 503 for want of its standby) was never down: its incident ends', () => {
    const { t, timeline } = tracker();
    t.detected({ nodeId: 'p1', via: 'passive', at: 10, reason: '3 failures in a row, the last answered 503' });
    t.timelineEvent({ kind: 'failover.held', nodeId: 'p1', at: 12, detail: { from: 'p1', reason: 'standby-behind', standbyState: 'exited', action: 'none', serving: true } });
    expect(t.incidents()[0]).toMatchObject({ open: false, failover: { outcome: 'held' } });
    expect(timeline.at(-1)).toMatchObject({ kind: 'incident.closed', detail: { held: true } });
  });
});
