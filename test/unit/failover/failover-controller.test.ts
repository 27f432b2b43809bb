// The controller's decisions with a fake fleet, balancer and admin client (the real processes are
// in test/integration/failover): one promotion per loss, the old primary reconfigured before its
// restart can be spawned, never two upstreams, bounded retries.
import { describe, expect, it } from 'vitest';
import type { NodeRole, NodeSnapshot, TopologySpec } from '../../../shared/contract/model';
import { FailoverController, type FleetPort } from '../../../electron/engine/failover/failover-controller';
import type { NodeAdmin } from '../../../electron/engine/failover/node-admin';
import type { UpstreamTarget } from '../../../electron/engine/failover/topology';

class FakeFleet implements FleetPort {
  readonly log: string[] = [];
  readonly map = new Map<string, NodeSnapshot>();

  constructor(nodes: Array<[string, NodeRole, NodeSnapshot['status']]>) {
    nodes.forEach(([id, role, status], i) => this.map.set(id, snapshot(id, role, status, 4000 + i)));
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

function snapshot(id: string, role: NodeRole, status: NodeSnapshot['status'], port: number): NodeSnapshot {
  return { id, kind: 'bundled', role, status, port, pid: 1, restarts: 0, dataDir: `/nowhere/${id}`, restartPolicy: 'always', startedAt: null, readyAt: null, lastExit: null, nextStartAt: null };
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

describe('FailoverController', () => {
  it('hot: one promotion however many ways the loss is seen; the old primary is reconfigured at once', async () => {
    const fleet = new FakeFleet([
      ['p1', 'primary', 'ready'],
      ['s1', 'standby', 'ready'],
    ]);
    const t = setup(hot, fleet);
    t.controller.start();
    expect(t.upstreams).toEqual([['p1']]);

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

    // The old primary is back as a standby: rejoined, never routed to.
    fleet.set('p1', { status: 'ready', role: 'standby' });
    t.controller.nodeReady('p1');
    expect(t.timeline.map((e) => e.kind)).toEqual(['failover.started', 'failover.promoted', 'failover.done', 'node.rejoined']);
    expect(t.upstreams.at(-1)).toEqual(['s1']);
    expect(t.calls).toEqual(['exited p1']);

    // And the next loss goes the other way.
    fleet.set('s1', { status: 'backoff' });
    t.controller.nodeExited('s1', 200);
    await new Promise((resolve) => setTimeout(resolve, 20));
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
    const refusing = setup(hot, fleet, { promote: async () => Promise.reject(new Error('not-ready')) }, 150);
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

  it('warm and cold need a shipper and the run folder', () => {
    const fleet = new FakeFleet([['p1', 'primary', 'ready']]);
    expect(() => setup({ kind: 'warm-standby', nodes: 3, replication: 'sync' }, fleet)).toThrow(/checkpoint shipper/);
  });
});
