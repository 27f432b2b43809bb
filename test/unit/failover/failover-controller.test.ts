// The controller's decisions with a fake fleet, balancer and admin client (the real processes are
// in test/integration/failover): one promotion per loss, the old primary reconfigured before its
// restart can be spawned, never two upstreams, bounded retries; strict sync holds rather than
// promote a standby that may be behind, degradable promotes and says so.
import { describe, expect, it } from 'vitest';
import type { LogLine, NodeRole, NodeSnapshot, TopologySpec } from '../../../shared/contract/model';
import { FailoverController, type FleetPort } from '../../../electron/engine/failover/failover-controller';
import type { NodeAdmin } from '../../../electron/engine/failover/node-admin';
import type { UpstreamTarget } from '../../../electron/engine/failover/topology';
import { sleep } from '../../../shared/sleep';

class FakeFleet implements FleetPort {
  readonly log: string[] = [];
  readonly map = new Map<string, NodeSnapshot>();

  constructor(nodes: Array<[string, NodeRole, NodeSnapshot['status']]>) {
    nodes.forEach(([id, role, status], i) => this.map.set(id, snapshot(id, role, status, 4000 + i, 100 + i)));
  }

  nodes(): NodeSnapshot[] {
    return [...this.map.values()];
  }
  node(id: string): NodeSnapshot | undefined {
    return this.map.get(id);
  }
  set(id: string, patch: Partial<NodeSnapshot>): void {
    this.map.set(id, { ...this.map.get(id)!, ...patch });
  }
  async startNode(id: string): Promise<NodeSnapshot> {
    this.log.push(`start ${id}`);
    this.set(id, { status: 'ready' });
    return this.map.get(id)!;
  }
  async stopNode(id: string): Promise<NodeSnapshot> {
    this.log.push(`stop ${id}`);
    this.set(id, { status: 'stopped' });
    return this.map.get(id)!;
  }
  reconfigureNode(id: string, patch: { role?: 'primary' | 'standby' | 'stateless'; server?: object }): NodeSnapshot {
    this.log.push(`reconfigure ${id} ${patch.role ?? '-'} ${JSON.stringify(patch.server ?? {})}`);
    return this.map.get(id)!;
  }
  setLiveRole(id: string, role: NodeRole): NodeSnapshot {
    this.log.push(`live ${id} ${role}`);
    this.set(id, { role });
    return this.map.get(id)!;
  }
}

function snapshot(id: string, role: NodeRole, status: NodeSnapshot['status'], port: number, pid: number): NodeSnapshot {
  return { id, kind: 'bundled', role, status, port, pid, restarts: 0, dataDir: `/nowhere/${id}`, restartPolicy: 'always', startedAt: null, readyAt: null, lastExit: null, nextStartAt: null };
}

function setup(topology: TopologySpec, fleet: FakeFleet, admin: Partial<NodeAdmin> = {}, promoteTimeoutMs = 2_000) {
  const upstreams: string[][] = [];
  const calls: string[] = [];
  const timeline: Array<{ kind: string; detail: Record<string, unknown> }> = [];
  const failedOver: unknown[] = [];
  const promotes: Array<{ port: number; body: unknown }> = [];
  const controller = new FailoverController({
    topology,
    fleet,
    promoteTimeoutMs,
    balancer: {
      setUpstreams: (targets: UpstreamTarget[]) => upstreams.push(targets.map((t) => t.id)),
      nodeExited: (id) => calls.push(`exited ${id}`),
      nodeStarted: (id) => calls.push(`started ${id}`),
    },
    admin: {
      promote:
        admin.promote ??
        (async (port, body) => {
          promotes.push({ port, body });
          return { role: 'primary', changed: true };
        }),
      configure: admin.configure ?? (async () => ({})),
      ready: admin.ready ?? (async () => true),
    },
    listener: {
      onTimeline: (kind, _node, detail) => timeline.push({ kind, detail }),
      onFailedOver: (e) => failedOver.push(e),
    },
  });
  const settled = (kind: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const started = Date.now();
      const poll = (): void => {
        if (timeline.some((e) => e.kind === kind)) resolve();
        else if (Date.now() - started > 5_000) reject(new Error(`no ${kind}`));
        else setTimeout(poll, 2);
      };
      poll();
    });
  return { controller, upstreams, calls, timeline, failedOver, promotes, settled };
}

const hot: TopologySpec = { kind: 'hot-standby', nodes: 3, replication: 'sync' };
const degradable: TopologySpec = { kind: 'hot-standby', nodes: 3, replication: 'sync-degradable' };

/** A primary's log line about its standby process `standbyPid`, as the supervisor batches it. */
function line(primary: string, event: 'replication.synced' | 'replication.lost', standbyPid: number): LogLine {
  return { nodeId: primary, stream: 'stdout', at: 0, text: JSON.stringify({ ts: 0, node: primary, event, replica: '127.0.0.1:1', standbyPid }) };
}

const until = async (check: () => boolean, what: string): Promise<void> => {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > 5_000) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
};

describe('FailoverController', () => {
  it('hot: one promotion however many ways the loss is seen; the old primary is reconfigured at once', async () => {
    const fleet = new FakeFleet([
      ['p1', 'primary', 'ready'],
      ['s1', 'standby', 'ready'],
    ]);
    const t = setup(hot, fleet);
    t.controller.start();
    expect(t.upstreams).toEqual([['p1']]);
    t.controller.onLogs([line('p1', 'replication.synced', 101)]);
    expect(t.controller.standbyInSync).toEqual({ inSync: true, reason: null });

    fleet.set('p1', { status: 'backoff' });
    t.controller.nodeExited('p1', 100);
    // Synchronously, before any restart timer could fire: out of the balancer, coming back a standby.
    expect(t.calls).toEqual(['exited p1']);
    expect(t.upstreams).toEqual([['p1'], []]);
    expect(fleet.log).toEqual(['reconfigure p1 standby {}']);
    t.controller.detected({ nodeId: 'p1', via: 'exit', at: 100, reason: 'exited' });
    t.controller.detected({ nodeId: 'p1', via: 'passive', at: 101, reason: 'refused' });
    t.controller.detected({ nodeId: 'p1', via: 'active', at: 102, reason: 'refused' });
    t.controller.nodeExited('p1', 103);
    await t.settled('failover.done');

    expect(t.promotes).toEqual([{ port: 4001, body: { replicas: ['127.0.0.1:4000'], replication: 'sync' } }]);
    expect(t.upstreams).toEqual([['p1'], [], ['s1']]);
    expect(t.failedOver).toEqual([{ from: 'p1', to: 's1', at: expect.any(Number), kind: 'hot-standby' }]);
    expect(fleet.log).toContain('live s1 primary');
    expect(fleet.log).toContain('reconfigure s1 primary {"replicas":["p1"]}');
    expect(t.controller.primary).toBe('s1');

    // The old primary is back as a standby (a new process): rejoined, never routed to.
    fleet.set('p1', { status: 'ready', role: 'standby', pid: 200 });
    t.controller.nodeReady('p1');
    expect(t.controller.standbyInSync).toEqual({ inSync: false, reason: 'never-synced' });
    t.controller.onLogs([line('p1', 'replication.synced', 200)]); // the old primary is no primary: not believed
    expect(t.controller.standbyInSync.inSync).toBe(false);
    t.controller.onLogs([line('s1', 'replication.synced', 200)]);
    expect(t.controller.standbyInSync.inSync).toBe(true);
    expect(t.timeline.at(-1)).toEqual({ kind: 'standby.in-sync', detail: { standby: 'p1', pid: 200, primary: 's1' } });
    expect(t.timeline.map((e) => e.kind)).toEqual(['standby.in-sync', 'failover.started', 'failover.promoted', 'standby.behind', 'failover.done', 'node.rejoined', 'standby.in-sync']);
    expect(t.timeline.find((e) => e.kind === 'standby.behind')?.detail).toEqual({ standby: 'p1', reason: 'never-synced', primary: 's1' });
    expect(t.upstreams.at(-1)).toEqual(['s1']);
    expect(t.calls).toEqual(['exited p1']);

    // And the next loss goes the other way.
    fleet.set('s1', { status: 'backoff' });
    t.controller.nodeExited('s1', 200);
    await sleep(20);
    expect(t.promotes.at(-1)).toEqual({ port: 4000, body: { replicas: ['127.0.0.1:4001'], replication: 'sync' } });
    expect(t.upstreams.at(-1)).toEqual(['p1']);
  });

  it('ignores detections of anything but the running primary, and a primary restart without a loss is passed on', () => {
    const fleet = new FakeFleet([
      ['p1', 'primary', 'ready'],
      ['s1', 'standby', 'ready'],
    ]);
    const t = setup(hot, fleet);
    t.controller.start();
    t.controller.detected({ nodeId: 's1', via: 'active', at: 1, reason: 'x' });
    t.controller.nodeExited('s1', 2); // a standby exit: it is not in the balancer
    t.controller.nodeReady('s1');
    expect(t.timeline).toEqual([]);
    expect(t.calls).toEqual([]);
    t.controller.nodeReady('p1');
    expect(t.calls).toEqual(['started p1']);
    // A stop the lab asked for (the fleet stopping, node.stop) is not a loss.
    t.controller.nodeExited('p1', 3, { byLab: true });
    expect(t.calls).toEqual(['started p1', 'exited p1']);
    expect(t.timeline).toEqual([]);
  });

  it('keeps trying while the standby is not ready, and gives up with failover.failed after the timeout', async () => {
    const fleet = new FakeFleet([
      ['p1', 'primary', 'ready'],
      ['s1', 'standby', 'starting'],
    ]);
    const refusing = setup(degradable, fleet, { promote: async () => Promise.reject(new Error('not-ready')) }, 150);
    refusing.controller.start();
    refusing.controller.nodeExited('p1', 1);
    fleet.set('s1', { status: 'ready' });
    await refusing.settled('failover.failed');
    expect(refusing.timeline.at(-1)).toMatchObject({ kind: 'failover.failed', detail: { from: 'p1', to: 's1', error: expect.stringMatching(/not-ready/) } });
    expect(refusing.upstreams.at(-1)).toEqual([]);
    expect(refusing.controller.failingOver).toBe(false);
    // The old primary coming back (as a standby) is not routed to: no primary until an operator acts.
    expect(refusing.controller.primary).toBeNull();
    refusing.controller.nodeReady('p1');
    expect(refusing.upstreams.at(-1)).toEqual([]);
  });

  it('active-active: exits and restarts go to the balancer; a node ready later joins the set', () => {
    const fleet = new FakeFleet([
      ['a1', 'stateless', 'ready'],
      ['a2', 'stateless', 'starting'],
    ]);
    const t = setup({ kind: 'active-active', nodes: 2, replication: 'sync' }, fleet);
    t.controller.start();
    fleet.set('a2', { status: 'ready' });
    t.controller.nodeReady('a2');
    t.controller.nodeExited('a1', 5);
    fleet.set('a1', { status: 'ready' });
    t.controller.nodeReady('a1');
    expect(t.upstreams).toEqual([['a1'], ['a1', 'a2']]);
    expect(t.calls).toEqual(['exited a1', 'started a1']);
    t.controller.detected({ nodeId: 'a1', via: 'passive', at: 6, reason: 'x' });
    expect(t.timeline).toEqual([]);
  });

  it('strict: a standby never said to be in sync is not promoted; the primary restarts in place, still routed', async () => {
    const fleet = new FakeFleet([
      ['p1', 'primary', 'ready'],
      ['s1', 'standby', 'ready'],
    ]);
    const t = setup(hot, fleet);
    t.controller.start();
    fleet.set('p1', { status: 'backoff' });
    t.controller.nodeExited('p1', 100);
    expect(t.timeline).toEqual([
      { kind: 'failover.held', detail: expect.objectContaining({ from: 'p1', standby: 's1', reason: 'standby-behind', standbyState: 'never-synced', action: 'restart-in-place', trigger: 'exit' }) },
    ]);
    // Not reconfigured (it comes back a primary), not cut from the balancer, nothing promoted.
    expect(fleet.log).toEqual([]);
    expect(t.upstreams).toEqual([['p1']]);
    expect(t.calls).toEqual(['exited p1']);
    expect(t.controller.failingOver).toBe(false);
    fleet.set('p1', { status: 'ready', pid: 300 });
    t.controller.nodeReady('p1');
    expect(t.calls).toEqual(['exited p1', 'started p1']);
    await sleep(20);
    expect(t.promotes).toEqual([]);
    expect(t.controller.primary).toBe('p1');
  });

  it('strict: the standby dies first — a late line about its dead process is not believed, and the primary is held', () => {
    const fleet = new FakeFleet([
      ['p1', 'primary', 'ready'],
      ['s1', 'standby', 'ready'],
    ]);
    const t = setup(hot, fleet);
    t.controller.start();
    t.controller.onLogs([line('p1', 'replication.synced', 101)]);
    fleet.set('s1', { status: 'backoff' }); // its snapshot keeps the dead pid until the next spawn
    t.controller.nodeExited('s1', 50);
    expect(t.controller.standbyInSync).toEqual({ inSync: false, reason: 'exited' });
    t.controller.onLogs([line('p1', 'replication.synced', 101)]); // written before the death, batched after it
    expect(t.controller.standbyInSync.inSync).toBe(false);
    fleet.set('s1', { status: 'ready', pid: 111 });
    t.controller.onLogs([line('p1', 'replication.lost', 101), line('p1', 'replication.synced', 999)]);
    expect(t.controller.standbyInSync.inSync).toBe(false);
    fleet.set('p1', { status: 'backoff' });
    t.controller.nodeExited('p1', 60);
    expect(t.timeline.map((e) => [e.kind, e.detail.standbyState ?? e.detail.reason])).toEqual([
      ['standby.in-sync', undefined],
      ['standby.behind', 'exited'],
      ['failover.held', 'exited'],
    ]);
  });

  it('strict: a lost link alone costs the standby nothing (nothing is acknowledged without it): it is promoted', async () => {
    const fleet = new FakeFleet([
      ['p1', 'primary', 'ready'],
      ['s1', 'standby', 'ready'],
    ]);
    const t = setup(hot, fleet);
    t.controller.start();
    t.controller.onLogs([line('p1', 'replication.synced', 101), line('p1', 'replication.lost', 101)]);
    expect(t.controller.standbyInSync.inSync).toBe(true);
    fleet.set('p1', { status: 'backoff' });
    t.controller.nodeExited('p1', 100);
    await t.settled('failover.done');
    await sleep(300);
    expect(t.timeline.map((e) => e.kind)).toEqual(['standby.in-sync', 'failover.started', 'failover.promoted', 'standby.behind', 'failover.done']);
  });

  it('strict: a running primary detected down is probed through its balancer link — serving: left alone; silent: fenced and restarted, still primary', async () => {
    const fleet = new FakeFleet([
      ['p1', 'primary', 'ready'],
      ['s1', 'standby', 'ready'],
    ]);
    let answers = true;
    const probed: number[] = [];
    const t = setup(hot, fleet, {
      ready: async (port) => {
        probed.push(port);
        return answers;
      },
    });
    t.controller.start();
    // e.g. passive detection of writes failing 503 `standby-unavailable` while s1 is gone
    t.controller.detected({ nodeId: 'p1', via: 'passive', at: 10, reason: '3 failures in a row, the last answered 503' });
    await t.settled('failover.held');
    expect(t.timeline[0]?.detail).toMatchObject({ reason: 'primary-serving', action: 'none', serving: true, trigger: 'passive', standbyState: 'never-synced' });
    expect(fleet.log).toEqual([]);
    expect(t.upstreams).toEqual([['p1']]);

    answers = false; // frozen, or cut off from the balancer
    t.controller.detected({ nodeId: 'p1', via: 'active', at: 20, reason: '2 probes timed out' });
    await until(() => t.timeline.length === 3, 'fenced and held');
    expect(t.timeline.map((e) => [e.kind, e.detail.action])).toEqual([
      ['failover.held', 'none'],
      ['failover.fenced', undefined],
      ['failover.held', 'fenced-restart-in-place'],
    ]);
    expect(fleet.log).toEqual(['stop p1', 'start p1']);
    expect(probed).toEqual([4000, 4000]);
    expect(t.promotes).toEqual([]);
    expect(t.upstreams).toEqual([['p1']]);
    expect(t.timeline[2]?.detail).toMatchObject({ reason: 'standby-behind' });
  });

  it('strict: a silent running primary with its standby in sync is fenced and the standby promoted; one still answering is not', async () => {
    const fleet = new FakeFleet([
      ['p1', 'primary', 'ready'],
      ['s1', 'standby', 'ready'],
    ]);
    let answers = true;
    const t = setup(hot, fleet, { ready: async () => answers });
    t.controller.start();
    t.controller.onLogs([line('p1', 'replication.synced', 101)]);
    t.controller.detected({ nodeId: 'p1', via: 'passive', at: 10, reason: 'x' });
    await t.settled('failover.held');
    expect(t.timeline.at(-1)?.detail).toMatchObject({ reason: 'primary-serving', standbyState: 'in-sync' });
    answers = false;
    t.controller.detected({ nodeId: 'p1', via: 'active', at: 20, reason: 'y' });
    await t.settled('failover.done');
    expect(fleet.log.slice(0, 2)).toEqual(['reconfigure p1 standby {}', 'stop p1']);
    expect(t.timeline.filter((e) => e.kind.startsWith('failover.')).map((e) => e.kind)).toEqual(['failover.held', 'failover.started', 'failover.fenced', 'failover.promoted', 'failover.done']);
  });

  it('sync-degradable: promotes a standby the primary lost, and says so with failover.promoted-behind', async () => {
    const fleet = new FakeFleet([
      ['p1', 'primary', 'ready'],
      ['s1', 'standby', 'ready'],
    ]);
    const t = setup(degradable, fleet);
    t.controller.start();
    t.controller.onLogs([line('p1', 'replication.synced', 101), line('p1', 'replication.lost', 101)]);
    expect(t.controller.standbyInSync).toEqual({ inSync: false, reason: 'link-lost' });
    fleet.set('p1', { status: 'backoff' });
    t.controller.nodeExited('p1', performance.timeOrigin + performance.now());
    await t.settled('failover.promoted-behind');
    expect(t.timeline.map((e) => e.kind)).toEqual(['standby.in-sync', 'standby.behind', 'failover.started', 'failover.promoted', 'standby.behind', 'failover.done', 'failover.promoted-behind']);
    expect(t.timeline.at(-1)?.detail).toMatchObject({ from: 'p1', to: 's1', reason: 'link-lost', replication: 'sync-degradable', trigger: 'exit' });
  });

  it('sync-degradable: the dead primary\'s last lines, batched after its exit, still count', async () => {
    for (const [last, behind] of [
      ['replication.lost', true],
      ['replication.synced', false],
    ] as const) {
      const fleet = new FakeFleet([
        ['p1', 'primary', 'ready'],
        ['s1', 'standby', 'ready'],
      ]);
      const t = setup(degradable, fleet);
      t.controller.start();
      t.controller.onLogs([line('p1', last === 'replication.lost' ? 'replication.synced' : 'replication.lost', 101)]);
      fleet.set('p1', { status: 'backoff' });
      t.controller.nodeExited('p1', performance.timeOrigin + performance.now());
      t.controller.onLogs([line('p1', last, 101)]);
      await t.settled('failover.done');
      await sleep(400);
      expect(t.timeline.some((e) => e.kind === 'failover.promoted-behind')).toBe(behind);
    }
  });

  it('strict: the operator may promote a standby that may be behind — and it is said', async () => {
    const fleet = new FakeFleet([
      ['p1', 'primary', 'ready'],
      ['s1', 'standby', 'ready'],
    ]);
    const t = setup(hot, fleet);
    t.controller.start();
    await t.controller.promoteStandby('s1');
    await t.settled('failover.promoted-behind');
    expect(t.timeline.at(-1)?.detail).toMatchObject({ trigger: 'operator', reason: 'never-synced' });
  });

  it('a primary lost before the old one rejoined: the old one is promoted, and never "rejoins" as its own standby', async () => {
    const fleet = new FakeFleet([
      ['p1', 'primary', 'ready'],
      ['s1', 'standby', 'ready'],
    ]);
    const configured: Array<{ port: number; body: unknown }> = [];
    const t = setup(degradable, fleet, { configure: async (port, body) => (configured.push({ port, body }), {}) });
    t.controller.start();
    fleet.set('p1', { status: 'backoff' });
    t.controller.nodeExited('p1', 1);
    await t.settled('failover.done');
    // p1 is back (a standby) but s1 dies before p1's readiness is seen: p1 is promoted.
    fleet.set('p1', { status: 'ready', role: 'standby', pid: 200 });
    fleet.set('s1', { status: 'backoff' });
    t.controller.nodeExited('s1', 2);
    await until(() => t.timeline.filter((e) => e.kind === 'failover.done').length === 2, 'the second failover');
    expect(t.controller.primary).toBe('p1');
    // p1, now the primary, restarts: it is not a rejoining standby, and is never told to ship to itself.
    fleet.set('p1', { pid: 300 });
    t.controller.nodeReady('p1');
    fleet.set('s1', { status: 'ready', role: 'standby', pid: 400 });
    t.controller.nodeReady('s1');
    await sleep(20);
    expect(t.timeline.filter((e) => e.kind === 'node.rejoined').map((e) => e.detail)).toEqual([{ as: 'standby', primary: 'p1' }]);
    expect(configured).toEqual([{ port: 4000, body: { replicas: ['127.0.0.1:4001'] } }]);
  });

  it('strict: a primary that lost records its standby holds (replication.standby-ahead) hands over to the standby', async () => {
    const fleet = new FakeFleet([
      ['p1', 'primary', 'ready'],
      ['s1', 'standby', 'ready'],
    ]);
    const t = setup(hot, fleet);
    t.controller.start();
    const ahead = (pid: number): LogLine => ({ nodeId: 'p1', stream: 'stdout', at: 0, text: JSON.stringify({ event: 'replication.standby-ahead', standbyPid: pid, standbyLsn: 40, lsn: 39 }) });
    t.controller.onLogs([ahead(999)]); // about another process: ignored
    expect(t.timeline).toEqual([]);
    t.controller.onLogs([ahead(101)]);
    await t.settled('failover.done');
    expect(t.timeline.find((e) => e.kind === 'failover.started')?.detail).toMatchObject({ from: 'p1', to: 's1', trigger: 'standby-ahead', standbyAhead: { standbyLsn: 40, lsn: 39 } });
    expect(fleet.log.slice(0, 2)).toEqual(['reconfigure p1 standby {}', 'stop p1']);
    await sleep(300);
    expect(t.timeline.some((e) => e.kind === 'failover.promoted-behind')).toBe(false);
  });

  it('warm and cold need a shipper and the run folder', () => {
    const fleet = new FakeFleet([['p1', 'primary', 'ready']]);
    expect(() => setup({ kind: 'warm-standby', nodes: 3, replication: 'sync' }, fleet)).toThrow(/checkpoint shipper/);
  });
});
