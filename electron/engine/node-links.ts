import { FaultProxy } from './faults/network/index.js';

/** The two ways into a node: from the balancer (clients, health probes) and from its peers (replication). */
export type LinkKind = 'balancer' | 'replication';

export interface NetworkFault {
  type: string;
  stream: 'upstream' | 'downstream';
  toxicity: number;
  attributes: Record<string, unknown>;
}

interface Applied {
  nodeId: string;
  links: LinkKind[];
  cut: boolean;
}

/**
 * The fault proxies in front of every node, one per link, so that network faults need no root and
 * no help from the server: a toxic on a node slows both of its links; a partition cuts the links
 * it names. Removing a fault passes in-flight data on (the proxy's promise), and a proxy's faults
 * die with it.
 */
export class NodeLinks {
  private readonly proxies = new Map<string, Record<LinkKind, FaultProxy>>();
  private readonly applied = new Map<string, Applied>();
  /** Partitions per proxy: a link stays cut while any partition names it. */
  private readonly cuts = new Map<FaultProxy, number>();

  /** Puts (or keeps) a proxy pair in front of each node; called before the nodes are spawned. */
  async ensure(ports: ReadonlyMap<string, number>): Promise<void> {
    for (const [id, port] of ports) {
      const existing = this.proxies.get(id);
      if (existing) {
        existing.balancer.setUpstreamPort(port);
        existing.replication.setUpstreamPort(port);
        continue;
      }
      const pair = {
        balancer: new FaultProxy({ name: `${id}:balancer`, upstreamPort: port }),
        replication: new FaultProxy({ name: `${id}:replication`, upstreamPort: port }),
      };
      await Promise.all([pair.balancer.listen(0), pair.replication.listen(0)]);
      this.proxies.set(id, pair);
    }
    for (const [id, pair] of [...this.proxies]) {
      if (ports.has(id)) continue;
      this.proxies.delete(id);
      await Promise.all([pair.balancer.close(), pair.replication.close()]);
    }
  }

  balancerPort(id: string): number | undefined {
    return this.proxies.get(id)?.balancer.port;
  }

  replicationPort(id: string): number | undefined {
    return this.proxies.get(id)?.replication.port;
  }

  has(id: string): boolean {
    return this.proxies.has(id);
  }

  apply(faultId: string, nodeId: string, fault: NetworkFault): void {
    const pair = this.proxies.get(nodeId);
    if (!pair) throw new Error(`node ${nodeId} has no fault proxy (is the fleet running?)`);
    if (fault.type === 'partition') {
      const which = fault.attributes.links;
      const links: LinkKind[] = which === 'balancer' ? ['balancer'] : which === 'replication' ? ['replication'] : ['balancer', 'replication'];
      for (const link of links) this.cut(pair[link], +1);
      this.applied.set(faultId, { nodeId, links, cut: true });
      return;
    }
    const attributes = Object.fromEntries(Object.entries(fault.attributes).filter((e): e is [string, number] => typeof e[1] === 'number'));
    const type = fault.type as Parameters<FaultProxy['addToxic']>[0]['type'];
    for (const link of ['balancer', 'replication'] as const) {
      pair[link].addToxic({ name: faultId, type, stream: fault.stream, toxicity: fault.toxicity, attributes });
    }
    this.applied.set(faultId, { nodeId, links: ['balancer', 'replication'], cut: false });
  }

  revert(faultId: string): void {
    const applied = this.applied.get(faultId);
    if (!applied) return;
    this.applied.delete(faultId);
    const pair = this.proxies.get(applied.nodeId);
    if (!pair) return;
    for (const link of applied.links) {
      if (applied.cut) this.cut(pair[link], -1);
      else pair[link].removeToxic(faultId);
    }
  }

  async close(): Promise<void> {
    const pairs = [...this.proxies.values()];
    this.proxies.clear();
    this.applied.clear();
    this.cuts.clear();
    await Promise.all(pairs.flatMap((p) => [p.balancer.close(), p.replication.close()]));
  }

  /** A partition blackholes: packets vanish, as on a real cut network, so only timeouts can tell. */
  private cut(proxy: FaultProxy, delta: number): void {
    const count = Math.max(0, (this.cuts.get(proxy) ?? 0) + delta);
    this.cuts.set(proxy, count);
    proxy.cut(count > 0 ? 'blackhole' : null);
  }
}
