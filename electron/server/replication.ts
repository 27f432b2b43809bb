// ReplicationShipper: the primary's set of ReplicaLinks and the acknowledgement rule of each mode.
import { formatAddress, type ReplicaAddress, type ReplicationMode } from './config';
import type { EventLog } from './log';
import { ReplicaLink, type ReplicaStatus, type ReplicationSource } from './replica-link';

/** Strict sync: these standbys did not confirm the write in time; it is not acknowledged. */
export class StandbyUnavailable extends Error {
  constructor(
    readonly lsn: number,
    readonly missing: string[],
    readonly waitedMs: number,
  ) {
    super(`standby ${missing.join(', ')} did not confirm lsn ${lsn} within ${waitedMs} ms`);
  }
}

export class ReplicationShipper {
  private links = new Map<string, ReplicaLink>();
  private mode: ReplicationMode = 'sync';

  constructor(
    private readonly source: ReplicationSource,
    private readonly log: EventLog,
    private readonly options: { syncTimeoutMs: number; secret: string | null },
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
      const link = new ReplicaLink(replica, this.source, this.log, () => this.mode, this.options.secret);
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

  /**
   * async: at once. sync-degradable: once every *connected* standby has `lsn`. sync (strict): once
   * every configured standby confirmed it; after `syncTimeoutMs` rejects with StandbyUnavailable.
   */
  async waitForReplicas(lsn: number): Promise<void> {
    if (this.mode === 'async' || this.links.size === 0) return;
    const links = [...this.links.values()];
    if (this.mode === 'sync-degradable') {
      await Promise.all(links.map((link) => link.waitFor(lsn)));
      return;
    }
    const started = performance.now();
    const confirmed = await Promise.all(links.map((link) => link.waitStrict(lsn, this.options.syncTimeoutMs)));
    const missing = links.filter((_, i) => !confirmed[i]).map((link) => link.address);
    if (missing.length > 0) throw new StandbyUnavailable(lsn, missing, Math.round(performance.now() - started));
  }

  status(): { mode: ReplicationMode; syncTimeoutMs: number; replicas: ReplicaStatus[] } {
    return { mode: this.mode, syncTimeoutMs: this.options.syncTimeoutMs, replicas: [...this.links.values()].map((l) => l.status()) };
  }
}
