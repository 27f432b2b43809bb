import { describe, expect, it } from 'vitest';
import type { Incident } from '../../../shared/contract/model';
import { IncidentTracker } from '../../../electron/engine/incidents/incident-tracker';
import { FailoverWindows, type FailoverRequestClass } from '../../../electron/engine/metrics/failover-windows';

/** A kill of p1 at 1000, failed over to s1, recovered at 1030. */
function killedAndRecovered(): { t: IncidentTracker; changes: Incident[] } {
  const t = new IncidentTracker({ clock: () => 0 });
  const changes: Incident[] = [];
  t.onChanged((i) => changes.push(i));
  t.nodeExited('p1', 1000, { signal: 'SIGKILL' });
  t.detected({ nodeId: 'p1', via: 'exit', at: 1000.5 });
  t.failoverStarted({ from: 'p1', to: 's1', at: 1001 });
  t.failedOver({ from: 'p1', to: 's1', at: 1025 });
  t.firstServed({ nodeId: 's1', at: 1030 });
  return { t, changes };
}

describe('IncidentTracker: requests held through a failover', () => {
  it('counts held requests and refused writes on the lost node’s incident, after it closed too', () => {
    const { t, changes } = killedAndRecovered();
    const before = changes.length;
    t.requestHeld({ startedAt: 999, heldFor: 'p1', heldMs: 29.5, ok: true }); // in flight at the kill
    t.requestHeld({ startedAt: 1010, heldFor: 'p1', heldMs: 18, ok: true });
    t.requestHeld({ startedAt: 1012, heldFor: 'p1', heldMs: 1000, ok: false, error: 'failover-deadline' });
    t.requestHeld({ startedAt: 1011, heldFor: 'p1', ok: false, error: 'failover-write-refused' });
    t.requestHeld({ startedAt: 999.5, heldFor: 'p1', ok: false, error: 'failover-write-unknown' });
    const [incident] = t.incidents();
    expect(incident?.open).toBe(false);
    expect(incident?.held).toEqual({ requests: 3, served: 2, expired: 1, maxMs: 1000, totalMs: 1047.5, refusedWrites: 2 });
    expect(changes.length - before).toBe(5);
    // Each change is a new object: an earlier snapshot is not rewritten.
    expect(changes[before]?.held?.requests).toBe(1);
  });

  it('a write cut at the kill, answered before the exit was seen, counts once the incident opens', () => {
    const t = new IncidentTracker({ clock: () => 0 });
    t.requestHeld({ startedAt: 998, heldFor: 'p1', ok: false, error: 'failover-write-unknown' });
    t.requestHeld({ startedAt: 500, heldFor: 'q9', ok: false, error: 'failover-write-unknown' }); // another node
    expect(t.incidents()).toEqual([]);
    t.nodeExited('p1', 1000, { signal: 'SIGKILL' });
    expect(t.incidents()[0]?.held?.refusedWrites).toBe(1);
    t.nodeExited('q9', 5000, { signal: 'SIGKILL' }); // too long after: not its incident
    expect(t.incidents()[1]?.held).toBeUndefined();
  });

  it('ignores what is not about an incident it lived through', () => {
    const { t } = killedAndRecovered();
    t.requestHeld({ startedAt: 1010, heldFor: null, heldMs: 100, ok: false }); // a park that named no failover
    t.requestHeld({ startedAt: 1010, heldFor: 'q9', heldMs: 5, ok: true }); // no incident on that node
    t.requestHeld({ startedAt: 1040, heldFor: 'p1', heldMs: 5, ok: true }); // after the recovery
    t.requestHeld({ startedAt: -5_000, heldFor: 'p1', heldMs: 5, ok: true }); // long before it
    t.requestHeld({ startedAt: 1010, heldFor: 'p1', ok: true }); // neither held nor refused
    expect(t.incidents()[0]?.held).toBeUndefined();
  });
});

describe('FailoverWindows: a request held by the balancer counts as held', () => {
  it('held even when it was sent only once', () => {
    const counted: FailoverRequestClass[] = [];
    const w = new FailoverWindows((c) => counted.push(c));
    w.timeline('failover.started', 'p1', { from: 'p1', lossAt: 1000 }, 1001);
    w.outcome(1005, true, 1, true);
    w.outcome(1006, true, 1);
    w.outcome(1007, true, 2);
    expect(counted).toEqual(['held', 'served', 'held']);
  });
});
