// What still holds of what the engine told a data plane: a new thread (one that replaces a dead one,
// or another balancer worker joining) is told it again, and is then in the same place as the others.
import { BalancerSettings, type TopologyKind } from '../../../shared/contract/model';
import { mergeBalancerSettings } from '../balancer/index';
import type { HttpFault, PlaneIn, UpstreamTarget } from './messages';

export class PlaneMemory {
  settings: BalancerSettings;
  private targets: UpstreamTarget[] | null = null;
  private topology: TopologyKind | null | undefined;
  private readonly httpFaults = new Map<string, { nodeId: string; fault: HttpFault }>();
  private readonly exited = new Map<string, number>();
  private readonly failovers = new Map<string, number>();

  constructor(settings?: BalancerSettings) {
    this.settings = BalancerSettings.parse(settings ?? {});
  }

  /** Keeps what a new thread must be told; what a later message undoes is forgotten. */
  remember(message: PlaneIn): void {
    switch (message.type) {
      case 'settings':
        this.settings = mergeBalancerSettings(this.settings, message.patch);
        return;
      case 'upstreams':
        this.targets = message.targets.map((t) => ({ ...t }));
        return;
      case 'node.exited':
        this.exited.set(message.nodeId, message.at);
        return;
      case 'node.started':
        this.exited.delete(message.nodeId);
        return;
      case 'http-fault.set':
        this.httpFaults.set(message.faultId, { nodeId: message.nodeId, fault: { ...message.fault } });
        return;
      case 'http-fault.cleared':
        this.httpFaults.delete(message.faultId);
        return;
      case 'failover.topology':
        this.topology = message.kind;
        return;
      case 'failover.started':
        this.failovers.set(message.nodeId, message.lossAt);
        return;
      case 'failover.ended':
        this.failovers.delete(message.nodeId);
        return;
      case 'link-toxic.reverted':
      case 'upstream.mirror':
        // Link toxics are kept with their calls (worker-plane.ts); mirrors by the multi-worker plane.
        return;
    }
  }

  /** The messages that tell a new thread what holds, in the order it first happened (its settings go with its start). */
  replay(): PlaneIn[] {
    const out: PlaneIn[] = [];
    if (this.topology !== undefined) out.push({ type: 'failover.topology', kind: this.topology });
    if (this.targets) out.push({ type: 'upstreams', targets: this.targets.map((t) => ({ ...t })) });
    for (const [nodeId, at] of this.exited) out.push({ type: 'node.exited', nodeId, at });
    for (const [nodeId, lossAt] of this.failovers) out.push({ type: 'failover.started', nodeId, lossAt });
    for (const [faultId, f] of this.httpFaults) out.push({ type: 'http-fault.set', faultId, nodeId: f.nodeId, fault: { ...f.fault } });
    return out;
  }
}
