// The fleet each redundancy topology runs, and which of its nodes the balancer routes to.
import { FleetSpec, type NodeSnapshot, type NodeSpecInput, type TopologySpec } from '../../../shared/contract/model';

export interface UpstreamTarget {
  id: string;
  port: number;
  weight?: number;
}

/** The node ids a stateful topology starts with: the primary, and the standby that takes over. */
export interface TopologyRoles {
  primary: string | null;
  standby: string | null;
}

export function rolesOf(kind: TopologySpec['kind']): TopologyRoles {
  switch (kind) {
    case 'active-active':
      return { primary: null, standby: null };
    case 'cold-standby':
      return { primary: 'p1', standby: 'c1' };
    default:
      return { primary: 'p1', standby: 's1' };
  }
}

/**
 * active-active: `nodes` stateless nodes a1..aN. hot-standby: p1 ships its log to s1 (sync|async).
 * warm-standby: p1, and s1, a standby no one ships a log to (the lab ships p1's checkpoints into its
 * folder; it restores them when promoted). cold-standby: p1, and c1 not started (autostart false;
 * its folder receives p1's checkpoints: the backup store it is started from). Restart policy
 * `always` unless the topology says otherwise.
 */
export function fleetForTopology(topology: TopologySpec): FleetSpec {
  const server = topology.server ?? {};
  const restart = { policy: 'always' as const, ...topology.restart };
  let nodes: NodeSpecInput[];
  let name: string;
  switch (topology.kind) {
    case 'active-active':
      name = `active-active, ${topology.nodes} stateless nodes`;
      nodes = Array.from({ length: topology.nodes }, (_, i) => ({ id: `a${i + 1}`, kind: 'bundled', role: 'stateless', server }));
      break;
    case 'hot-standby':
      name = `hot standby (${topology.replication} replication)`;
      nodes = [
        { id: 'p1', kind: 'bundled', role: 'primary', server: { ...server, replicas: ['s1'], replication: topology.replication } },
        // Its mode is kept for the day it is promoted.
        { id: 's1', kind: 'bundled', role: 'standby', server: { ...server, replication: topology.replication } },
      ];
      break;
    case 'warm-standby':
      name = 'warm standby (restores shipped checkpoints at promotion)';
      nodes = [
        { id: 'p1', kind: 'bundled', role: 'primary', server },
        { id: 's1', kind: 'bundled', role: 'standby', server },
      ];
      break;
    case 'cold-standby':
      name = 'cold standby (started from shipped checkpoints on failure)';
      nodes = [
        { id: 'p1', kind: 'bundled', role: 'primary', server },
        { id: 'c1', kind: 'bundled', role: 'standby', autostart: false, server },
      ];
      break;
  }
  return FleetSpec.parse({ name, restart, nodes });
}

/**
 * Where the balancer routes: every ready stateless node (active-active), or the current primary
 * alone when it is ready. `primaryId` is the failover controller's view; without it, the first
 * ready node whose snapshot says primary.
 */
export function upstreamsFor(topology: TopologySpec, nodes: readonly NodeSnapshot[], primaryId?: string | null): UpstreamTarget[] {
  const ready = nodes.filter((n) => n.status === 'ready');
  if (topology.kind === 'active-active') return ready.filter((n) => n.role === 'stateless').map(target);
  const primary = primaryId === undefined ? ready.find((n) => n.role === 'primary') : ready.find((n) => n.id === primaryId);
  return primary ? [target(primary)] : [];
}

function target(node: NodeSnapshot): UpstreamTarget {
  return { id: node.id, port: node.port };
}
