import { beforeEach, describe, expect, it } from 'vitest';
import type { BalancerState, FaultRecord, Incident, LabSnapshot, LedgerCounts, NodeSnapshot, TimelineEvent, UpstreamState } from '../../../shared/contract/model';
import type { DrillRunStatus } from '../../../shared/drill/run';
import { MAX_COMPARED } from '../../../shared/report/compare';

// The renderer is type-checked by its own (web) tsconfig: loaded here by a path tsc does not follow.
// Only what these tests read of the store is declared.
const store = '../../../renderer/src/store/';
interface State {
  lab: { runDir: string | null; nodeIds: string[]; nodes: Record<string, NodeSnapshot>; pending: Record<string, string> };
  balancer: { state: BalancerState | null; upstreams: Record<string, UpstreamState | null> };
  traffic: { ledger: LedgerCounts | null };
  faults: FaultRecord[];
  incidents: Incident[];
  timeline: { events: TimelineEvent[]; originAt: number | null };
  logs: { selectedNodeId: string | null };
  drill: { run: DrillRunStatus | null; showRun: boolean; chosenId: string | null; detail: { id: string; state: { status: string } } | null };
  reports: { selected: string[]; viewer: { kind: string; id?: string; state: { status: string } } | null };
}
type Actions = {
  applySnapshot(snapshot: LabSnapshot, options?: { replace?: boolean }): void;
  applyBalancer(state: BalancerState): void;
  applyLedger(counts: LedgerCounts): void;
  applyFaults(faults: FaultRecord[]): void;
  applyIncident(incident: Incident): void;
  addTimelineEvents(events: TimelineEvent[]): void;
  setPending(target: string, name: string | null): void;
  applyDrillRun(run: DrillRunStatus): void;
  showDrillLibrary(): void;
  setChosenDrill(id: string | null): void;
  setDrillDetail(id: string, state: { status: string }): void;
  toggleReportSelected(id: string): void;
  setReportHistory(history: { status: 'ok'; data: { reports: Array<{ id: string }>; problems: string[] } }): void;
  setReportViewer(viewer: State['reports']['viewer']): void;
  updateReportViewer(key: string, update: (viewer: NonNullable<State['reports']['viewer']>) => State['reports']['viewer']): void;
};
const actions = (await import(`${store}actions`)) as Actions;
const { useStore } = (await import(`${store}store`)) as { useStore: { getState: () => State; getInitialState: () => State; setState: (s: State, replace: true) => void } };
const { TIMELINE_CAP } = (await import(`${store}timeline-slice`)) as { TIMELINE_CAP: number };
const { FAULTS_CAP } = (await import(`${store}faults-slice`)) as { FAULTS_CAP: number };
const { INCIDENTS_CAP } = (await import(`${store}incidents-slice`)) as { INCIDENTS_CAP: number };

const state = (): State => useStore.getState();

beforeEach(() => useStore.setState(useStore.getInitialState(), true));

// Records with just the fields the actions read: the store never validates what the engine sent.
const node = (id: string): NodeSnapshot => ({ id, status: 'running' }) as unknown as NodeSnapshot;
const event = (seq: number, at = seq * 10): TimelineEvent => ({ seq, at, kind: 'node.ready', detail: {} }) as unknown as TimelineEvent;
const fault = (id: string, status: FaultRecord['status'], injectedAt = 0): FaultRecord => ({ id, status, injectedAt }) as unknown as FaultRecord;
const incident = (id: string): Incident => ({ id }) as unknown as Incident;
const ledger = (checkedAt: number | null, lost = 0): LedgerCounts => ({ acked: 10, checked: 10, lost, stale: 0, checkedAt });
const run = (runId: string, runState: DrillRunStatus['state']): DrillRunStatus => ({ runId, state: runState }) as unknown as DrillRunStatus;

function snapshot(runDir: string, ids: string[], extra: Partial<LabSnapshot> = {}): LabSnapshot {
  return {
    version: '1',
    runDir,
    fleet: { name: 'f', status: 'running' },
    topology: null,
    nodes: ids.map(node),
    balancer: { settings: {}, upstreams: [{ id: ids[0], state: 'in-rotation' }] },
    traffic: { ledger: ledger(null) },
    incidents: [],
    faults: [],
    timeline: [],
    ...extra,
  } as unknown as LabSnapshot;
}

/** A `balancer.changed` payload routing these nodes in these states. */
function balancer(states: Record<string, UpstreamState>, strategy = 'round-robin'): BalancerState {
  return { url: null, settings: { strategy }, upstreams: Object.entries(states).map(([id, state]) => ({ id, state })), retryBudget: { used: 0, allowed: 0 } } as unknown as BalancerState;
}

describe('renderer store actions', () => {
  describe('applySnapshot', () => {
    it('lays the lab out by node id, in the fleet’s order, every node with an upstream slot', () => {
      actions.applySnapshot(snapshot('/run/1', ['p1', 's1']));
      const s = state();
      expect(s.lab.nodeIds).toEqual(['p1', 's1']);
      expect(s.lab.nodes.s1?.id).toBe('s1');
      expect({ ...s.balancer.upstreams }).toEqual({ p1: 'in-rotation', s1: null });
      expect(s.logs.selectedNodeId).toBe('p1');
      expect(s.traffic.ledger).toBeNull();
    });

    it('keeps the timeline and pending commands of the same run, and forgets them for a new one', () => {
      actions.applySnapshot(snapshot('/run/1', ['p1'], { timeline: [event(1)] }));
      actions.setPending('p1', 'node.restart');
      actions.applySnapshot(snapshot('/run/1', ['p1'], { timeline: [event(2)] }));
      expect(state().timeline.events.map((e) => e.seq)).toEqual([1, 2]);
      expect(state().lab.pending.p1).toBe('node.restart');
      actions.applySnapshot(snapshot('/run/2', ['p1'], { timeline: [event(7)] }));
      expect(state().timeline.events.map((e) => e.seq)).toEqual([7]);
      expect(state().lab.pending.p1).toBeUndefined();
    });

    it('a snapshot saying the same again (a replay jump to another keyframe) keeps the store’s objects; what changed is new', () => {
      const lab = (p1Status: string, faultStatus: FaultRecord['status']) =>
        snapshot('/run/1', ['p1', 's1'], {
          nodes: [{ ...node('p1'), status: p1Status } as NodeSnapshot, node('s1')],
          incidents: [incident('inc-1')],
          faults: [fault('f-1', faultStatus, 5)],
          timeline: [event(1), event(2)],
        });
      actions.applySnapshot(lab('running', 'active'), { replace: true });
      const first = state();
      actions.applySnapshot(lab('running', 'active'), { replace: true });
      const again = state();
      expect(again.lab.nodes.p1).toBe(first.lab.nodes.p1);
      expect(again.lab.nodeIds).toBe(first.lab.nodeIds);
      expect(again.balancer).toBe(first.balancer);
      expect(again.incidents).toBe(first.incidents);
      expect(again.faults).toBe(first.faults);
      expect(again.timeline).toBe(first.timeline);
      actions.applySnapshot(lab('exited', 'reverted'), { replace: true });
      const changed = state();
      expect(changed.lab.nodes.p1).not.toBe(first.lab.nodes.p1);
      expect(changed.lab.nodes.p1?.status).toBe('exited');
      expect(changed.lab.nodes.s1).toBe(first.lab.nodes.s1);
      expect(changed.faults).not.toBe(first.faults);
      expect(changed.faults[0]?.status).toBe('reverted');
      expect(changed.incidents).toBe(first.incidents);
      expect(changed.timeline.events[1]).toBe(first.timeline.events[1]);
    });
  });

  describe('addTimelineEvents', () => {
    it('merges by seq (a resent event replaces its copy), in seq order, from the first event’s time', () => {
      actions.addTimelineEvents([event(3), event(1)]);
      actions.addTimelineEvents([event(2), { ...event(3), kind: 'node.exited' }]);
      const { events, originAt } = state().timeline;
      expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(events[2]?.kind).toBe('node.exited');
      expect(originAt).toBe(10);
      actions.addTimelineEvents([event(0, 1)]);
      // The zero of relative times does not move once set.
      expect(state().timeline.originAt).toBe(10);
    });

    it('keeps the newest TIMELINE_CAP events', () => {
      actions.addTimelineEvents(Array.from({ length: TIMELINE_CAP + 5 }, (_, i) => event(i + 1)));
      const { events } = state().timeline;
      expect(events).toHaveLength(TIMELINE_CAP);
      expect(events[0]?.seq).toBe(6);
      expect(events.at(-1)?.seq).toBe(TIMELINE_CAP + 5);
    });
  });

  describe('faults and incidents', () => {
    it('updates a fault in place and appends a new one', () => {
      actions.applyFaults([fault('f-1', 'active'), fault('f-2', 'active')]);
      actions.applyFaults([fault('f-3', 'active'), fault('f-1', 'reverted')]);
      expect(state().faults.map((f) => `${f.id}:${f.status}`)).toEqual(['f-1:reverted', 'f-2:active', 'f-3:active']);
    });

    it('past FAULTS_CAP, drops the oldest finished faults and keeps every active one', () => {
      actions.applyFaults([fault('old-active', 'active'), ...Array.from({ length: FAULTS_CAP }, (_, i) => fault(`done-${i}`, 'reverted'))]);
      const ids = state().faults.map((f) => f.id);
      expect(ids).toHaveLength(FAULTS_CAP);
      expect(ids[0]).toBe('old-active');
      expect(ids).not.toContain('done-0');
      expect(ids.at(-1)).toBe(`done-${FAULTS_CAP - 1}`);
    });

    it('keeps the newest INCIDENTS_CAP incidents', () => {
      for (let i = 0; i <= INCIDENTS_CAP; i++) actions.applyIncident(incident(`i-${i}`));
      const ids = state().incidents.map((i) => i.id);
      expect(ids).toHaveLength(INCIDENTS_CAP);
      expect(ids[0]).toBe('i-1');
    });
  });

  describe('applyBalancer (balancer.changed)', () => {
    it('takes the upstream states and settings; a node no longer routed reads null', () => {
      actions.applySnapshot(snapshot('/run/1', ['p1', 's1']));
      actions.applyBalancer(balancer({ p1: 'ejected', s1: 'in-rotation' }));
      expect({ ...state().balancer.upstreams }).toEqual({ p1: 'ejected', s1: 'in-rotation' });
      actions.applyBalancer(balancer({ s1: 'in-rotation' }, 'least-connections'));
      expect({ ...state().balancer.upstreams }).toEqual({ p1: null, s1: 'in-rotation' });
      expect(state().balancer.state?.settings.strategy).toBe('least-connections');
    });

    it('keeps the upstream states object when no state changed (a settings change re-renders no node)', () => {
      actions.applySnapshot(snapshot('/run/1', ['p1', 's1']));
      const before = state().balancer.upstreams;
      actions.applyBalancer(balancer({ p1: 'in-rotation' }, 'random'));
      expect(state().balancer.upstreams).toBe(before);
      expect(state().balancer.state?.settings.strategy).toBe('random');
    });
  });

  describe('applyLedger (ledger.checked)', () => {
    it('shows each check as it comes', () => {
      actions.applySnapshot(snapshot('/run/1', ['p1']));
      expect(state().traffic.ledger).toBeNull();
      actions.applyLedger(ledger(100, 2));
      expect(state().traffic.ledger).toMatchObject({ checkedAt: 100, lost: 2 });
      actions.applyLedger(ledger(200, 0));
      expect(state().traffic.ledger).toMatchObject({ checkedAt: 200, lost: 0 });
    });
  });

  describe('drills', () => {
    it('shows a run that is going; a late copy never takes a finished run back to running', () => {
      actions.applyDrillRun(run('r1', 'running'));
      expect(state().drill.showRun).toBe(true);
      actions.showDrillLibrary();
      expect(state().drill.showRun).toBe(true);
      actions.applyDrillRun(run('r1', 'finished'));
      actions.applyDrillRun(run('r1', 'running'));
      expect(state().drill.run?.state).toBe('finished');
      actions.showDrillLibrary();
      expect(state().drill.showRun).toBe(false);
      actions.applyDrillRun(run('r2', 'finished'));
      // A finished run found on connect does not take the view.
      expect(state().drill.showRun).toBe(false);
    });

    it('drops a drill’s detail that arrives after another drill was chosen', () => {
      actions.setChosenDrill('b');
      actions.setDrillDetail('a', { status: 'loading' });
      expect(state().drill.detail).toBeNull();
      actions.setDrillDetail('b', { status: 'loading' });
      expect(state().drill.detail?.id).toBe('b');
    });
  });

  describe('reports', () => {
    it('ticks at most MAX_COMPARED reports (the oldest tick goes), and unticks', () => {
      for (let i = 0; i <= MAX_COMPARED; i++) actions.toggleReportSelected(`r${i}`);
      expect(state().reports.selected).toEqual(Array.from({ length: MAX_COMPARED }, (_, i) => `r${i + 1}`));
      actions.toggleReportSelected('r3');
      expect(state().reports.selected).not.toContain('r3');
    });

    it('forgets ticks on reports that are gone from the history', () => {
      actions.toggleReportSelected('kept');
      actions.toggleReportSelected('gone');
      actions.setReportHistory({ status: 'ok', data: { reports: [{ id: 'kept' }], problems: [] } });
      expect(state().reports.selected).toEqual(['kept']);
    });

    it('updates the viewer only while it still shows what was asked for', () => {
      actions.setReportViewer({ kind: 'report', id: 'a', state: { status: 'loading' } });
      actions.setReportViewer({ kind: 'report', id: 'b', state: { status: 'loading' } });
      actions.updateReportViewer('report:a', (v) => ({ ...v, state: { status: 'ok' } }));
      expect(state().reports.viewer).toMatchObject({ id: 'b', state: { status: 'loading' } });
      actions.updateReportViewer('report:b', (v) => ({ ...v, state: { status: 'ok' } }));
      expect(state().reports.viewer).toMatchObject({ id: 'b', state: { status: 'ok' } });
    });
  });
});
