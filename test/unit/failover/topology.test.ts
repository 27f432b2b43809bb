import { describe, expect, it } from 'vitest';
import type { NodeSnapshot } from '../../../shared/contract/model';
import { fleetForTopology, upstreamsFor } from '../../../electron/engine/failover/topology';

function snapshot(id: string, role: NodeSnapshot['role'], status: NodeSnapshot['status'], port: number): NodeSnapshot {
  return { id, kind: 'bundled', role, status, port, pid: 1, restarts: 0, dataDir: `/x/${id}`, restartPolicy: 'always', startedAt: null, readyAt: null, lastExit: null, nextStartAt: null };
}

describe('fleetForTopology', () => {
  it('active-active: N stateless nodes, restart always', () => {
    const fleet = fleetForTopology({ kind: 'active-active', nodes: 4, replication: 'sync', server: { serviceTimeMs: 2 } });
    expect(fleet.restart).toEqual({ policy: 'always' });
    expect(fleet.nodes.map((n) => [n.id, n.kind === 'bundled' && n.role, n.autostart])).toEqual([
      ['a1', 'stateless', true],
      ['a2', 'stateless', true],
      ['a3', 'stateless', true],
      ['a4', 'stateless', true],
    ]);
    expect(fleet.nodes[0]).toMatchObject({ server: { serviceTimeMs: 2 } });
  });

  it('hot standby: p1 ships to s1 in the chosen mode; the topology’s restart settings win', () => {
    const fleet = fleetForTopology({ kind: 'hot-standby', nodes: 3, replication: 'async', restart: { policy: 'on-failure', backoffInitialMs: 5 } });
    expect(fleet.restart).toEqual({ policy: 'on-failure', backoffInitialMs: 5 });
    expect(fleet.nodes).toMatchObject([
      { id: 'p1', role: 'primary', autostart: true, server: { replicas: ['s1'], replication: 'async' } },
      { id: 's1', role: 'standby', autostart: true, server: { replication: 'async' } },
    ]);
  });

  it('warm standby: nobody ships a log to s1; cold standby: c1 is not started', () => {
    const warm = fleetForTopology({ kind: 'warm-standby', nodes: 3, replication: 'sync', server: { keep: 2 } });
    expect(warm.nodes).toMatchObject([
      { id: 'p1', role: 'primary', server: { keep: 2 } },
      { id: 's1', role: 'standby', autostart: true },
    ]);
    expect(warm.nodes.every((n) => n.kind === 'bundled' && !n.server?.replicas)).toBe(true);
    const cold = fleetForTopology({ kind: 'cold-standby', nodes: 3, replication: 'sync' });
    expect(cold.nodes).toMatchObject([
      { id: 'p1', role: 'primary', autostart: true },
      { id: 'c1', role: 'standby', autostart: false },
    ]);
  });
});

describe('upstreamsFor', () => {
  it('active-active: every ready stateless node', () => {
    const nodes = [snapshot('a1', 'stateless', 'ready', 1), snapshot('a2', 'stateless', 'backoff', 2), snapshot('a3', 'stateless', 'ready', 3)];
    expect(upstreamsFor({ kind: 'active-active', nodes: 3, replication: 'sync' }, nodes)).toEqual([
      { id: 'a1', port: 1 },
      { id: 'a3', port: 3 },
    ]);
  });

  it('stateful: the current primary alone, and only when ready', () => {
    const topology = { kind: 'hot-standby' as const, nodes: 3, replication: 'sync' as const };
    const nodes = [snapshot('p1', 'primary', 'ready', 1), snapshot('s1', 'primary', 'ready', 2)];
    expect(upstreamsFor(topology, nodes)).toEqual([{ id: 'p1', port: 1 }]);
    expect(upstreamsFor(topology, nodes, 's1')).toEqual([{ id: 's1', port: 2 }]);
    expect(upstreamsFor(topology, [snapshot('p1', 'primary', 'starting', 1)], 'p1')).toEqual([]);
  });
});
