import { describe, expect, it } from 'vitest';
import type { FaultRecord, NodeSnapshot, UpstreamSnapshot } from '../../../shared/contract/model';
import { balancerPlaceOf, countNodes, countsText, nodeViewOf, nodeViewsOf, placeText, processStateOf } from '../../../shared/node-view';

const node = (id: string, patch: Partial<NodeSnapshot> = {}): NodeSnapshot => ({
  id,
  kind: 'bundled',
  role: 'stateless',
  pid: 1000 + id.length,
  port: 7000,
  status: 'ready',
  restarts: 0,
  dataDir: `/tmp/${id}`,
  restartPolicy: 'always',
  startedAt: 1,
  readyAt: 2,
  lastExit: null,
  nextStartAt: null,
  ...patch,
});

const upstream = (id: string, state: UpstreamSnapshot['state'], detection: UpstreamSnapshot['lastDetection'] = null): UpstreamSnapshot => ({
  id,
  port: 7000,
  state,
  weight: 1,
  inflight: 0,
  ewmaMs: null,
  consecutiveFailures: 0,
  ejections: detection ? 1 : 0,
  ejectedUntil: null,
  lastDetection: detection,
});

const pause = (target: string, pid: number | undefined, status: FaultRecord['status'] = 'active'): FaultRecord => ({
  id: `f-${target}-${pid}`,
  type: 'pause',
  kind: 'process',
  target,
  attributes: {},
  toxicity: 1,
  stream: 'downstream',
  links: 'all',
  name: null,
  status,
  injectedAt: 10,
  expiresAt: null,
  revertedAt: null,
  effect: pid === undefined ? {} : { pid, signal: 'SIGSTOP' },
  error: null,
});

const exit = { code: null, signal: 'SIGKILL', at: 5, byLab: false };

describe('shared/node-view: the process axis', () => {
  it('ready is running; an active pause on that very process makes it frozen, whatever the supervisor says', () => {
    const n = node('a1', { pid: 42 });
    expect(processStateOf(n, [])).toBe('running');
    expect(processStateOf(n, [pause('a1', 42)])).toBe('frozen');
    expect(processStateOf(n, [pause('a1', undefined)]), 'a pause that names no pid holds the node').toBe('frozen');
    expect(processStateOf(n, [pause('a1', 42, 'reverted')]), 'a resumed node runs').toBe('running');
    expect(processStateOf(n, [pause('a2', 42)]), "another node's pause").toBe('running');
    expect(processStateOf(n, [pause('a1', 41)]), 'a pause of the process before a restart does not hold the new one').toBe('running');
  });

  it('a start after an exit is restarting; the first start is starting; backoff is restarting; the rest keep their word', () => {
    expect(processStateOf(node('p1', { status: 'starting', lastExit: null, restarts: 0 }), [])).toBe('starting');
    expect(processStateOf(node('p1', { status: 'starting', lastExit: exit, restarts: 1 }), [])).toBe('restarting');
    expect(processStateOf(node('p1', { status: 'backoff', pid: null, lastExit: exit }), [])).toBe('restarting');
    expect(processStateOf(node('p1', { status: 'exited', pid: null }), [])).toBe('exited');
    expect(processStateOf(node('p1', { status: 'stopped', pid: null }), [])).toBe('stopped');
    expect(processStateOf(node('p1', { status: 'stopping' }), [])).toBe('stopping');
    expect(processStateOf(node('p1', { status: 'crash-loop', pid: null }), [])).toBe('crash-loop');
    expect(processStateOf(node('p1', { status: 'exited', pid: null }), [pause('p1', undefined)]), 'a dead process is not frozen').toBe('exited');
  });
});

describe('shared/node-view: the balancer axis', () => {
  it('the upstream state when the balancer routes the node; standby or not routed when it does not', () => {
    expect(balancerPlaceOf({ role: 'stateless' }, upstream('a1', 'in-rotation'))).toBe('in-rotation');
    expect(balancerPlaceOf({ role: 'primary' }, upstream('p1', 'ejected'))).toBe('ejected');
    expect(balancerPlaceOf({ role: 'primary' }, upstream('p1', 'down'))).toBe('down');
    expect(balancerPlaceOf({ role: 'standby' }, null)).toBe('standby');
    expect(balancerPlaceOf({ role: 'primary' }, undefined)).toBe('not-routed');
    expect(balancerPlaceOf({ role: 'standby' }, upstream('s1', 'in-rotation')), 'a promoted standby whose role has not caught up').toBe('in-rotation');
  });
});

describe('shared/node-view: what follows from both', () => {
  const probes = { via: 'active' as const, at: 20, reason: '2 health checks failed, the last timed out after 150 ms' };

  it('running and in rotation is serving', () => {
    const v = nodeViewOf(node('a1'), upstream('a1', 'in-rotation'), []);
    expect(v).toMatchObject({ process: 'running', place: 'in-rotation', serving: true, unnoticed: false, readyStandby: false, reason: null });
  });

  it('a frozen node already ejected: frozen, ejected with the reason, not serving', () => {
    const n = node('a2', { pid: 7 });
    const v = nodeViewOf(n, upstream('a2', 'ejected', probes), [pause('a2', 7)]);
    expect(v).toMatchObject({ process: 'frozen', place: 'ejected', serving: false, unnoticed: false, reason: probes.reason, via: 'active' });
    expect(placeText(v)).toBe(`ejected: ${probes.reason} (active)`);
  });

  it('a frozen node the balancer has not ejected yet is NOT serving: it is in rotation, unnoticed', () => {
    const n = node('a2', { pid: 7 });
    const v = nodeViewOf(n, upstream('a2', 'in-rotation'), [pause('a2', 7)]);
    expect(v).toMatchObject({ process: 'frozen', place: 'in-rotation', serving: false, unnoticed: true });
    expect(placeText(v)).toBe('in rotation');
  });

  it('a killed primary between its exit and its restart: restarting, down (or not routed), not serving', () => {
    const dead = node('p1', { role: 'primary', status: 'backoff', pid: null, lastExit: exit, restarts: 1 });
    const down = nodeViewOf(dead, upstream('p1', 'down', { via: 'exit', at: 5, reason: 'process exited (SIGKILL)' }), []);
    expect(down).toMatchObject({ process: 'restarting', place: 'down', serving: false, unnoticed: false, reason: 'process exited (SIGKILL)', via: 'exit' });
    const dropped = nodeViewOf(dead, undefined, []);
    expect(dropped).toMatchObject({ process: 'restarting', place: 'not-routed', serving: false, readyStandby: false });
    // An exit the balancer has not seen yet: still listed in rotation, but nothing answers.
    const unseen = nodeViewOf(node('p1', { role: 'primary', status: 'backoff', pid: null, lastExit: exit }), upstream('p1', 'in-rotation'), []);
    expect(unseen).toMatchObject({ serving: false, unnoticed: true });
  });

  it('a standby during a kill of the primary: running, standby, ready to take over, not serving; once promoted, serving', () => {
    const standby = nodeViewOf(node('s1', { role: 'standby' }), undefined, []);
    expect(standby).toMatchObject({ process: 'running', place: 'standby', serving: false, readyStandby: true });
    const promoted = nodeViewOf(node('s1', { role: 'primary' }), upstream('s1', 'in-rotation'), []);
    expect(promoted).toMatchObject({ serving: true, readyStandby: false });
    const frozenStandby = nodeViewOf(node('s1', { role: 'standby', pid: 9 }), undefined, [pause('s1', 9)]);
    expect(frozenStandby, 'a frozen standby is not ready to take over').toMatchObject({ process: 'frozen', readyStandby: false, serving: false });
  });

  it('an ejection with no detection on record has no reason; a node in rotation shows none even if one is on record', () => {
    expect(nodeViewOf(node('a1'), upstream('a1', 'ejected'), []).reason).toBeNull();
    expect(nodeViewOf(node('a1'), upstream('a1', 'in-rotation', probes), []).reason, 'readmitted: the old reason is history').toBeNull();
  });
});

describe('shared/node-view: counts', () => {
  it('hot standby with the primary serving: 1/2 serving, 1 standby', () => {
    const views = nodeViewsOf([node('p1', { role: 'primary' }), node('s1', { role: 'standby' })], [upstream('p1', 'in-rotation')], []);
    expect(countNodes(views)).toEqual({ total: 2, serving: 1, standby: 1, unavailable: 0 });
    expect(countsText(countNodes(views))).toBe('1/2 serving · 1 standby');
  });

  it('active-active with one node frozen (ejected or not yet): 2/3 serving', () => {
    const nodes = [node('a1', { pid: 1 }), node('a2', { pid: 2 }), node('a3', { pid: 3 })];
    const frozen = [pause('a2', 2)];
    for (const a2 of ['in-rotation', 'ejected'] as const) {
      const views = nodeViewsOf(nodes, [upstream('a1', 'in-rotation'), upstream('a2', a2), upstream('a3', 'in-rotation')], frozen);
      expect(countNodes(views)).toEqual({ total: 3, serving: 2, standby: 0, unavailable: 1 });
      expect(countsText(countNodes(views))).toBe('2/3 serving');
    }
    const resumed = nodeViewsOf(nodes, ['a1', 'a2', 'a3'].map((id) => upstream(id, 'in-rotation')), [pause('a2', 2, 'reverted')]);
    expect(countsText(countNodes(resumed))).toBe('3/3 serving');
  });

  it('an empty fleet counts nothing', () => {
    expect(countNodes([])).toEqual({ total: 0, serving: 0, standby: 0, unavailable: 0 });
  });
});
