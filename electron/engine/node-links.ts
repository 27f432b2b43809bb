import type { FaultLinks } from '../../shared/contract/model.js';
import type { FaultToxic } from './faults/index.js';
import { FaultProxy, isToxicType } from './faults/network/index.js';

/** The two ways into a node: from the balancer (clients, health probes) and from its peers (replication). */
export type LinkKind = 'balancer' | 'replication';

/** One fault proxy of the lab, as the Toxiproxy API shows it. */
export interface LinkProxy {
  nodeId: string;
  link: LinkKind;
  /** The proxy's own port on 127.0.0.1. */
  port: number;
  /** The node's port, where it forwards to. */
  upstreamPort: number;
}

interface Applied {
  nodeId: string;
  links: LinkKind[];
  cut: boolean;
}

export function linkKindsOf(links: FaultLinks): LinkKind[] {
  return links === 'all' ? ['balancer', 'replication'] : [links];
}

/**
 * The fault proxies in front of every node, one per link, so that network faults need no root and
 * no help from the server: a toxic or a partition acts on the links it names (both by default).
 * Removing a fault passes in-flight data on (the proxy's promise), and a proxy's faults die with it.
 */
export class NodeLinks {
  private readonly proxies = new Map<string, Record<LinkKind, FaultProxy>>();
  private readonly applied = new Map<string, Applied>();
  /** Partitions per proxy: a link stays cut while any partition names it. */
  private readonly cuts = new Map<FaultProxy, number>();

  /**
   * Puts (or keeps) a proxy pair in front of each node; called before the nodes are spawned. A new
   * pair listens on free ports, or on the ones `fixed` names for its node.
   */
  async ensure(ports: ReadonlyMap<string, number>, fixed?: Readonly<Record<string, { balancer: number; replication: number }>>): Promise<void> {
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
      const want = fixed && Object.hasOwn(fixed, id) ? fixed[id] : undefined;
      await Promise.all([pair.balancer.listen(want?.balancer ?? 0), pair.replication.listen(want?.replication ?? 0)]);
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

  /** Every proxy, node by node (balancer link first). */
  list(): LinkProxy[] {
    return [...this.proxies].flatMap(([nodeId, pair]) =>
      (['balancer', 'replication'] as const).map((link) => ({ nodeId, link, port: pair[link].port, upstreamPort: pair[link].upstream.port })),
    );
  }

  apply(faultId: string, nodeId: string, toxic: FaultToxic): void {
    const pair = this.proxies.get(nodeId);
    if (!pair) throw new Error(`node ${nodeId} has no fault proxy (is the fleet running?)`);
    const links = linkKindsOf(toxic.links);
    if (toxic.type === 'partition') {
      for (const link of links) this.cut(pair[link], +1);
      this.applied.set(faultId, { nodeId, links, cut: true });
      return;
    }
    if (!isToxicType(toxic.type)) throw new Error(`${toxic.type} is not a network fault`);
    const attributes = Object.fromEntries(Object.entries(toxic.attributes).filter((e): e is [string, number] => typeof e[1] === 'number'));
    const added: LinkKind[] = [];
    try {
      for (const link of links) {
        pair[link].addToxic({ name: faultId, type: toxic.type, stream: toxic.stream, toxicity: toxic.toxicity, attributes });
        added.push(link);
      }
    } catch (error) {
      // All or nothing: a link that took it gives it back.
      for (const link of added) pair[link].removeToxic(faultId);
      throw error;
    }
    this.applied.set(faultId, { nodeId, links, cut: false });
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
