// ReplicationShipper: the primary's set of ReplicaLinks and the sync/async acknowledgement rule.
import { formatAddress, type ReplicaAddress, type ReplicationMode } from './config';
import type { EventLog } from './log';
import { ReplicaLink, type ReplicaStatus, type ReplicationSource } from './replica-link';

export class ReplicationShipper {
  private links = new Map<string, ReplicaLink>();
  private mode: ReplicationMode = 'sync';

  constructor(
    private readonly source: ReplicationSource,
    private readonly log: EventLog,
  ) {}

  /** Starts links to new replicas and stops links to removed ones. */
  configure(replicas: readonly ReplicaAddress[], mode: ReplicationMode): void {
    this.mode = mode;
    const wanted = new Map(replicas.map((r) => [formatAddress(r), r]));
    for (const [address, link] of this.links) {
      if (!wanted.has(address)) {
        link.stop();
        this.links.delete(address);
      }
    }
    for (const [address, replica] of wanted) {
      if (this.links.has(address)) continue;
      const link = new ReplicaLink(replica, this.source, this.log, () => this.mode);
      this.links.set(address, link);
      link.start();
    }
  }

  stop(): void {
    this.configure([], this.mode);
  }

  published(): void {
    for (const link of this.links.values()) link.notify();
  }

  /** sync: resolves once every connected standby has `lsn`; async: at once. */
  async waitForReplicas(lsn: number): Promise<void> {
    if (this.mode !== 'sync' || this.links.size === 0) return;
    const waits: Promise<void>[] = [];
    for (const link of this.links.values()) waits.push(link.waitFor(lsn));
    await Promise.all(waits);
  }

  status(): { mode: ReplicationMode; replicas: ReplicaStatus[] } {
    return { mode: this.mode, replicas: [...this.links.values()].map((l) => l.status()) };
  }
}
