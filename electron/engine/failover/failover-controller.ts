// FailoverController: keeps the balancer pointed at what may serve, and promotes the standby when
// the primary is lost — unless, with strict sync, the standby may be behind: then it holds and the
// primary restarts in place (see README.md here for each topology's steps, the split-brain rules
// and how the controller knows whether the standby is in sync).
import type { LogLine, NodeRole, NodeSnapshot, TopologyKind, TopologySpec } from '../../../shared/contract/model';
import { now } from '../clock';
import type { NodeReconfiguration } from '../fleet/fleet-supervisor';
import { httpNodeAdmin, nodeAddress, type NodeAdmin } from './node-admin';
import { supersedeLog } from './node-data';
import { rolesOf, upstreamsFor, type UpstreamTarget } from './topology';
import { sleep } from '../../../shared/sleep';

/** What the controller needs of the fleet supervisor. */
export interface FleetPort {
  nodes(): NodeSnapshot[];
  node(id: string): NodeSnapshot | undefined;
  startNode(id: string): Promise<NodeSnapshot>;
  stopNode(id: string, graceMs?: number): Promise<NodeSnapshot>;
  reconfigureNode(id: string, patch: NodeReconfiguration): NodeSnapshot;
  setLiveRole(id: string, role: NodeRole): NodeSnapshot;
}

/** What the controller calls on the balancer. */
export interface BalancerPort {
  setUpstreams(targets: UpstreamTarget[]): void;
  nodeExited(id: string, at: number): void;
  nodeStarted(id: string): void;
  /** The topology the upstreams serve: in a standby one the balancer holds idempotent requests through a failover (optional: stand-ins skip it). */
  setFailoverTopology?(kind: TopologyKind | null): void;
  /** The primary `nodeId` is lost (at `lossAt`) and its successor on its way: a promoted standby, or itself restarted in place. */
  failoverStarted?(nodeId: string, lossAt: number): void;
  /** That failover is over: its successor routed (`ok`), or it failed (nothing to wait for). */
  failoverEnded?(nodeId: string, ok: boolean): void;
}

/** What the controller needs of the checkpoint shipper (warm and cold standby). */
export interface ShipperPort {
  setRoute(route: { from: string; to: string } | null): void;
  drain(): Promise<void>;
}

export interface Detection {
  nodeId: string;
  via: 'exit' | 'passive' | 'active';
  at: number;
  reason: string;
}

export interface FailedOver {
  from: string;
  to: string;
  /** When the balancer was pointed at the new primary. */
  at: number;
  kind: TopologyKind;
}

export interface FailoverListener {
  onTimeline(kind: string, nodeId: string | undefined, detail: Record<string, unknown>, at: number): void;
  onFailedOver(e: FailedOver): void;
}

export interface FailoverControllerOptions {
  topology: TopologySpec;
  fleet: FleetPort;
  balancer: BalancerPort;
  listener: FailoverListener;
  /** Required for warm and cold standby; its route is set and switched here. */
  shipper?: ShipperPort;
  /** Used to set aside an old primary's log (warm, cold); required for those topologies. */
  runDir?: string;
  /** The node admin client; default HTTP with `nodeSecret`. */
  admin?: NodeAdmin;
  /** The per-lab secret the bundled nodes were started with (their admin endpoints require it). */
  nodeSecret?: string | null;
  /** The port the balancer reaches a node on (the lab puts a fault proxy there); default the node's own. */
  balancerPort?: (id: string) => number | undefined;
  /** How a node is reached by its peers' replication (default 127.0.0.1:its port; the lab puts a fault proxy there). */
  replicaAddress?: (id: string) => string | undefined;
  /** How long a promotion may keep trying (standby not ready, refusing) before `failover.failed`. */
  promoteTimeoutMs?: number;
}

interface Failover {
  from: string;
  to: string;
  lossAt: number;
  /** What started it: a detection, the operator (`promoteStandby`), or a primary that lost what its standby holds. */
  trigger: Detection['via'] | 'operator' | 'standby-ahead';
  /** Detected down while its process ran: waiting a moment for an exit before fencing it. */
  awaitingExit: boolean;
  /** Hot standby: did the standby hold every acknowledged write when the primary was lost? Kept up to date by `from`'s last lines. */
  inSync: boolean;
  /** Why not (`never-synced`, `exited`, `link-lost`, `async`). */
  behindReason: string | null;
}

/** What the controller knows of the standby's copy (hot standby): see README.md, "In sync". */
interface StandbySync {
  /** The standby process the primary last said holds every acknowledged write; null: none does. */
  syncedPid: number | null;
  /** Why it is not in sync, when it is not. */
  reason: string;
}

/**
 * A primary the balancer saw failing may be dying on its own (its exit event lags a reset on the
 * wire by a few ms): wait this long for the exit before fencing, so a death is not taken for a hang.
 */
const FENCE_GRACE_MS = 50;

const RETRY_MS = 50;

/** Strict sync: a running primary detected down is probed through its balancer link this long before anything is done. */
const HOLD_PROBE_TIMEOUT_MS = 250;

/** The supervisor batches log lines (100 ms): a dead primary's last lines may still be on their way. */
const LOG_SETTLE_MS = 250;

/** Pids of standby processes that exited, remembered so a late line about one is not believed. */
const DEAD_PIDS_KEPT = 64;

export class FailoverController {
  private readonly topology: TopologySpec;
  private readonly admin: NodeAdmin;
  private primaryId: string | null;
  private standbyId: string | null;
  private failover: Failover | null = null;
  /** Old primaries on their way back as standbys. */
  private readonly rejoining = new Set<string>();
  private upstreamIds: string[] = [];
  private started = false;
  private disposed = false;
  private sync: StandbySync = { syncedPid: null, reason: 'never-synced' };
  private readonly deadPids: number[] = [];
  /** Strict sync: a running primary detected down, being probed before anything is done. */
  private holdProbe: { from: string; pid: number | null } | null = null;
  /** A promotion done whose old primary's last lines may still arrive. */
  private settling: Failover | null = null;

  constructor(private readonly options: FailoverControllerOptions) {
    this.topology = options.topology;
    this.admin = options.admin ?? httpNodeAdmin(options.nodeSecret ?? null);
    const roles = rolesOf(this.topology.kind);
    this.primaryId = roles.primary;
    this.standbyId = roles.standby;
    if (this.shipsCheckpoints && (!options.shipper || !options.runDir)) {
      throw new Error(`a ${this.topology.kind} topology needs a checkpoint shipper and the run folder`);
    }
  }

  /** The node the balancer routes to in a stateful topology (null for active-active). */
  get primary(): string | null {
    return this.primaryId;
  }

  get standby(): string | null {
    return this.standbyId;
  }

  get failingOver(): boolean {
    return this.failover !== null;
  }

  /** Hot standby: does the standby, as far as the controller can know, hold every acknowledged write? */
  get standbyInSync(): { inSync: boolean; reason: string | null } {
    const inSync = this.standbyIsInSync();
    return { inSync, reason: inSync ? null : this.behindReason() };
  }

  /** Call once the fleet has started: sets the balancer's upstreams and the checkpoint route. */
  start(): void {
    this.started = true;
    this.options.balancer.setFailoverTopology?.(this.topology.kind);
    this.refreshUpstreams();
    if (this.shipsCheckpoints && this.primaryId && this.standbyId) this.options.shipper?.setRoute({ from: this.primaryId, to: this.standbyId });
  }

  /**
   * The supervisor saw `id` exit at `at`: feed it from `node.exited`, synchronously (a restart may
   * follow). An exit the lab asked for (`byLab`: fleet stop, node.stop) is not a loss.
   */
  nodeExited(id: string, at: number, exit: { byLab?: boolean } = {}): void {
    if (this.disposed) return;
    if (id === this.standbyId) this.standbyGone(id, 'exited');
    if (this.failover?.to === id) {
      // The standby being promoted lost its process: what comes back is only what it recovered.
      this.failover.inSync = false;
      this.failover.behindReason = 'exited';
    }
    // First the balancer: it records the detection (via exit) and stops routing to it at once.
    if (this.upstreamIds.includes(id)) this.options.balancer.nodeExited(id, at);
    if (this.isStateful && id === this.primaryId && !this.failover && !exit.byLab) this.lose(id, at, 'exit', true);
    else if (this.failover?.awaitingExit && this.failover.from === id && !exit.byLab) {
      // It died on its own while we waited to fence it: retire it as an exited primary, synchronously.
      this.failover.awaitingExit = false;
      this.retireOldPrimary(id);
    }
  }

  /** The supervisor reports `id` ready (`node.ready`). */
  nodeReady(id: string): void {
    if (this.disposed || !this.started) return;
    if (!this.isStateful || (id === this.primaryId && !this.failover)) {
      if (this.upstreamIds.includes(id)) this.options.balancer.nodeStarted(id);
      else this.refreshUpstreams();
    }
    this.finishRejoin(id);
  }

  /**
   * The supervisor's log lines: feed every batch. The primary's `replication.synced` and
   * `replication.lost` lines, naming the standby's pid, say whether that standby process holds
   * every write the primary may have acknowledged.
   */
  onLogs(lines: readonly LogLine[]): void {
    if (this.disposed || this.topology.kind !== 'hot-standby') return;
    for (const line of lines) {
      if (line.stream !== 'stdout' || !line.text.includes('"replication.')) continue;
      const event = parseLine(line.text);
      if (!event) continue;
      if (event.event === 'replication.standby-ahead') {
        this.standbyAhead(line.nodeId, event);
        continue;
      }
      if (event.event !== 'replication.synced' && event.event !== 'replication.lost') continue;
      const pid = typeof event.standbyPid === 'number' ? event.standbyPid : null;
      const synced = event.event === 'replication.synced';
      // A dead primary's last words, still arriving during its failover: they describe the standby at its death.
      const failover = this.failover ?? this.settling;
      if (failover && line.nodeId === failover.from && pid !== null && pid === this.options.fleet.node(failover.to)?.pid && !this.deadPids.includes(pid)) {
        if (synced) failover.inSync = true;
        else if (this.losesOnLinkLoss) {
          failover.inSync = false;
          failover.behindReason = 'link-lost';
        }
        continue;
      }
      if (line.nodeId !== this.primaryId || !this.standbyId || pid === null) continue;
      const standby = this.options.fleet.node(this.standbyId);
      if (standby?.pid !== pid || this.deadPids.includes(pid)) continue; // about another (earlier) process
      if (synced) this.setSync({ syncedPid: pid, reason: '' });
      // Strict: nothing is acknowledged without it, so a lost link costs it nothing it had.
      else if (this.losesOnLinkLoss && this.sync.syncedPid === pid) this.setSync({ syncedPid: null, reason: 'link-lost' });
    }
  }

  /**
   * Strict sync: the primary came back with less than its standby holds of the primary's own epoch
   * (a damaged log, or a tail shipped before it was durable here) and will not overwrite it. The
   * standby is the better copy: it is promoted, the primary fenced and brought back as its standby.
   */
  private standbyAhead(primary: string, event: Record<string, unknown>): void {
    if (!this.strict || this.failover || primary !== this.primaryId || !this.standbyId) return;
    const pid = typeof event.standbyPid === 'number' ? event.standbyPid : null;
    const standby = this.options.fleet.node(this.standbyId);
    if (pid === null || standby?.pid !== pid || this.deadPids.includes(pid) || standby.status !== 'ready') return;
    if (this.options.fleet.node(primary)?.status !== 'ready') return;
    this.startFailover(primary, this.standbyId, now(), 'standby-ahead', false, { standbyLsn: event.standbyLsn, lsn: event.lsn });
  }

  /** A balancer detection. A passive or active one of the primary is a loss; an exit is handled by `nodeExited`. */
  detected(e: Detection): void {
    if (this.disposed || !this.isStateful || e.via === 'exit') return;
    if (e.nodeId !== this.primaryId || this.failover) return;
    // A primary that is not running already went through nodeExited.
    if (this.options.fleet.node(e.nodeId)?.status !== 'ready') return;
    this.lose(e.nodeId, e.at, e.via, false);
  }

  /**
   * The operator promotes the standby by hand (a manual failover): a running primary is fenced and
   * the standby takes over, exactly as after a loss. Resolves when the new primary is routed to;
   * rejects when the failover failed or `to` is not the standby.
   */
  async promoteStandby(to: string): Promise<{ from: string; to: string; durationMs: number }> {
    if (!this.isStateful) throw new Error('an active-active lab has no standby to promote');
    if (this.failover) throw new Error(`a failover from ${this.failover.from} is already under way`);
    const from = this.primaryId;
    if (!from || to !== this.standbyId) throw new Error(`"${to}" is not the standby (the standby is ${this.standbyId ?? 'none'})`);
    const status = this.options.fleet.node(from)?.status;
    const startedAt = now();
    this.lose(from, startedAt, 'operator', status !== 'ready' && status !== 'starting');
    const limit = startedAt + (this.options.promoteTimeoutMs ?? 15_000) + 5_000;
    while (this.failover && !this.disposed && now() < limit) await sleep(10);
    if (this.primaryId !== to) throw new Error(`the promotion of ${to} failed (see failover.failed in the timeline)`);
    return { from, to, durationMs: round(now() - startedAt) };
  }

  dispose(): void {
    this.disposed = true;
    this.options.balancer.setFailoverTopology?.(null);
  }

  private get isStateful(): boolean {
    return this.topology.kind !== 'active-active';
  }

  private get shipsCheckpoints(): boolean {
    return this.topology.kind === 'warm-standby' || this.topology.kind === 'cold-standby';
  }

  /** Strict sync: never acknowledged without the standby, so never promoted while it may be behind. */
  private get strict(): boolean {
    return this.topology.kind === 'hot-standby' && this.topology.replication === 'sync';
  }

  /** sync-degradable: a lost link means writes are acknowledged without the standby. */
  private get losesOnLinkLoss(): boolean {
    return this.topology.kind === 'hot-standby' && this.topology.replication === 'sync-degradable';
  }

  private standbyIsInSync(): boolean {
    if (this.topology.kind !== 'hot-standby' || this.topology.replication === 'async' || !this.standbyId) return false;
    const pid = this.sync.syncedPid;
    return pid !== null && !this.deadPids.includes(pid) && this.options.fleet.node(this.standbyId)?.pid === pid;
  }

  private behindReason(): string {
    if (this.topology.kind === 'hot-standby' && this.topology.replication === 'async') return 'async';
    return this.sync.reason || 'never-synced';
  }

  /** The standby's process is gone: whatever it confirmed is only as good as its restart's recovery. */
  private standbyGone(id: string, reason: string): void {
    const pid = this.options.fleet.node(id)?.pid;
    if (typeof pid === 'number' && !this.deadPids.includes(pid)) {
      this.deadPids.push(pid);
      if (this.deadPids.length > DEAD_PIDS_KEPT) this.deadPids.shift();
    }
    this.setSync({ syncedPid: null, reason });
  }

  /** `standby.in-sync` / `standby.behind` on the timeline at each change: what a failover now would decide on. */
  private setSync(next: StandbySync): void {
    const was = this.sync.syncedPid !== null;
    this.sync = next;
    const is = next.syncedPid !== null;
    if (was === is || !this.standbyId) return;
    if (is) this.emit('standby.in-sync', this.standbyId, { standby: this.standbyId, pid: next.syncedPid, primary: this.primaryId });
    else this.emit('standby.behind', this.standbyId, { standby: this.standbyId, reason: next.reason, primary: this.primaryId });
  }

  /**
   * A loss of the primary. Strict sync decides before anything is cut: a dead primary is held
   * (restarted in place) unless the standby is known in sync; a running one is first probed.
   */
  private lose(from: string, lossAt: number, trigger: Failover['trigger'], exited: boolean): void {
    const to = this.standbyId;
    if (!to) return;
    if (this.strict && trigger !== 'operator') {
      if (!exited) return this.probeBeforeFailover(from, to, lossAt, trigger);
      // A standby that may lack an acknowledged write is never promoted by the lab: the primary restarts in place.
      if (!this.standbyIsInSync()) return this.held(from, to, lossAt, trigger, 'standby-behind', 'restart-in-place');
    }
    this.startFailover(from, to, lossAt, trigger, exited);
  }

  /** Exactly once per loss of the primary: later exits and detections of it are ignored. */
  private startFailover(from: string, to: string, lossAt: number, trigger: Failover['trigger'], exited: boolean, ahead?: Record<string, unknown>): void {
    // A standby ahead of its primary's own records is the best copy there is: not "behind".
    const inSync = ahead !== undefined || this.standbyIsInSync();
    const failover: Failover = { from, to, lossAt, trigger, awaitingExit: false, inSync, behindReason: inSync ? null : this.behindReason() };
    this.failover = failover;
    this.emit('failover.started', from, { from, to, trigger, lossAt, topology: this.topology.kind, ...(ahead ? { standbyAhead: ahead } : {}) });
    // Idempotent requests for it wait for the new primary (up to the topology's deadline), rather than fail.
    this.options.balancer.failoverStarted?.(from, lossAt);
    // Nothing routes to the lost primary again, whatever it does next.
    this.setUpstreams([]);
    // Before the supervisor's restart is spawned (its timer is pending now): it comes back a standby.
    this.options.fleet.reconfigureNode(from, { role: 'standby', server: { replicas: undefined } });
    this.rejoining.add(from);
    if (exited) this.retireOldPrimary(from);
    void this.run(failover, exited).catch((error: unknown) => {
      // No primary now: nothing is routed until an operator promotes one (see README).
      this.failover = null;
      this.primaryId = null;
      this.options.balancer.failoverEnded?.(from, false);
      this.emit('failover.failed', from, { from, to, error: (error as Error).message, afterMs: round(now() - lossAt) });
    });
  }

  /** `failover.held`: no promotion for this loss, and why. */
  private held(from: string, standby: string, lossAt: number, trigger: Failover['trigger'], reason: 'standby-behind' | 'primary-serving', action: string, extra: Record<string, unknown> = {}): void {
    const standbyState = this.standbyIsInSync() ? 'in-sync' : this.behindReason();
    // Restarted in place, it is its own successor: requests wait for it as for a promoted standby.
    if (action !== 'none') this.options.balancer.failoverStarted?.(from, lossAt);
    this.emit('failover.held', from, { from, standby, trigger, lossAt, reason, standbyState, action, topology: this.topology.kind, ...extra });
  }

  /**
   * Strict sync, a running primary detected down: asked through its balancer link first. Still
   * answering, it is not lost (the detection saw its refusals — writes failing 503 for want of its
   * standby — or an injected error): it serves on. Silent (frozen, cut off): with the standby in sync
   * it is fenced and the standby promoted; else it is fenced and restarted in place, still primary.
   */
  private probeBeforeFailover(from: string, to: string, lossAt: number, trigger: Failover['trigger']): void {
    if (this.holdProbe?.from === from) return; // already being looked at
    const pid = this.options.fleet.node(from)?.pid ?? null;
    const probe = { from, pid };
    this.holdProbe = probe;
    void (async () => {
      try {
        const port = this.options.balancerPort?.(from) ?? this.options.fleet.node(from)?.port;
        const answers = port !== undefined && (await this.admin.ready(port, HOLD_PROBE_TIMEOUT_MS));
        const node = this.options.fleet.node(from);
        // It died meanwhile (its exit was a loss of its own), or a failover already took it.
        if (this.disposed || this.failover || this.primaryId !== from || node?.pid !== pid || node?.status !== 'ready') return;
        if (answers) return this.held(from, to, lossAt, trigger, 'primary-serving', 'none', { serving: true, detail: 'it answers its health check through the balancer link' });
        if (this.standbyIsInSync()) return this.startFailover(from, to, lossAt, trigger, false);
        const fencedAt = now();
        await this.options.fleet.stopNode(from, 0);
        this.emit('failover.fenced', from, { how: 'SIGKILL', ms: round(now() - fencedAt), held: true });
        this.held(from, to, lossAt, trigger, 'standby-behind', 'fenced-restart-in-place');
        if (!this.disposed) await this.options.fleet.startNode(from).catch(() => undefined);
      } finally {
        if (this.holdProbe === probe) this.holdProbe = null;
      }
    })();
  }

  private async run(failover: Failover, exited: boolean): Promise<void> {
    const { from, to } = failover;
    const { fleet, shipper } = this.options;
    if (!exited) {
      failover.awaitingExit = true;
      const graceEnd = now() + FENCE_GRACE_MS;
      while (failover.awaitingExit && now() < graceEnd) await sleep(5);
    }
    if (!exited && failover.awaitingExit) {
      failover.awaitingExit = false;
      // Alive but detected down (hung, cut off): fence it before anything is promoted.
      const fencedAt = now();
      await fleet.stopNode(from, 0);
      this.emit('failover.fenced', from, { how: 'SIGKILL', ms: round(now() - fencedAt) });
      this.retireOldPrimary(from);
      if (this.topology.kind !== 'cold-standby') void fleet.startNode(from).catch(() => undefined);
    }
    if (shipper) {
      // Every checkpoint the old primary completed reaches the standby before it restores.
      await shipper.drain();
      shipper.setRoute(null);
    }

    const answer = await this.promote(from, to);
    if (this.disposed) return;
    const promotedAt = now();
    this.emit('failover.promoted', to, { from, to, ...answer }, promotedAt);
    if (this.topology.kind === 'hot-standby') void this.sayIfBehind(failover);

    this.primaryId = to;
    this.standbyId = from;
    // A primary is no one's rejoining standby (it may have been one until a moment ago).
    this.rejoining.delete(to);
    // The new standby is the old primary, on its way back: in sync only once the new primary says so.
    this.sync = { syncedPid: null, reason: 'never-synced' };
    if (this.topology.kind === 'hot-standby') this.emit('standby.behind', from, { standby: from, reason: 'never-synced', primary: to });
    this.failover = null;
    const target = fleet.node(to);
    if (target) this.setUpstreams([{ id: to, port: target.port }]);
    this.options.balancer.failoverEnded?.(from, target !== undefined);
    const doneAt = now();
    this.emit('failover.done', to, { from, to, trigger: failover.trigger, durationMs: round(doneAt - failover.lossAt) }, doneAt);
    this.options.listener.onFailedOver({ from, to, at: doneAt, kind: this.topology.kind });
    if (shipper) shipper.setRoute({ from: to, to: from });
    this.finishRejoin(from);
  }

  /**
   * `failover.promoted-behind` when the promoted standby may lack acknowledged writes — decided once
   * the old primary's last lines (batched by the supervisor) have had time to arrive.
   */
  private async sayIfBehind(failover: Failover): Promise<void> {
    this.settling = failover;
    const wait = failover.lossAt + LOG_SETTLE_MS - now();
    if (wait > 0) await sleep(wait);
    if (this.settling === failover) this.settling = null;
    if (this.disposed || failover.inSync) return;
    this.emit('failover.promoted-behind', failover.to, {
      from: failover.from,
      to: failover.to,
      trigger: failover.trigger,
      reason: failover.behindReason ?? 'never-synced',
      replication: this.topology.replication,
      detail: 'the promoted standby may lack writes the old primary acknowledged; the ledger check after the incident counts them',
    });
  }

  /** Promotes `to` per topology; retries while it is not ready or refuses, up to promoteTimeoutMs. */
  private async promote(from: string, to: string): Promise<Record<string, unknown>> {
    const { fleet } = this.options;
    const deadline = now() + (this.options.promoteTimeoutMs ?? 15_000);
    const kind = this.topology.kind;
    let lastError = 'the standby was never ready';
    for (;;) {
      if (this.disposed) throw new Error('the controller was disposed');
      const node = fleet.node(to);
      try {
        if (kind === 'cold-standby' && node && node.status !== 'ready') {
          if (node.status === 'stopped' || node.status === 'exited' || node.status === 'crash-loop') {
            // Not running: start it as the primary; it restores the shipped checkpoints as it starts.
            fleet.reconfigureNode(to, { role: 'primary', server: { replicas: undefined } });
            const started = await fleet.startNode(to);
            if (started.status !== 'ready') throw new Error(`${to} did not get ready (${started.status})`);
            return { how: 'cold-start', startMs: started.readyAt !== null && started.startedAt !== null ? round(started.readyAt - started.startedAt) : null };
          }
        } else if (node?.status === 'ready') {
          const peer = fleet.node(from);
          const answer =
            kind === 'hot-standby'
              ? await this.admin.promote(node.port, { replicas: peer ? [this.addressOf(peer)] : [], replication: this.topology.replication })
              : await this.admin.promote(node.port, { restore: true }); // warm, or a cold standby someone started
          fleet.setLiveRole(to, 'primary');
          // Its next restart keeps it primary (and, hot, shipping to the old primary).
          fleet.reconfigureNode(to, { role: 'primary', server: kind === 'hot-standby' ? { replicas: [from] } : {} });
          return { how: kind === 'hot-standby' ? 'promote' : 'promote-restore', ...answer };
        }
      } catch (error) {
        lastError = (error as Error).message;
      }
      if (now() > deadline) throw new Error(`could not promote ${to}: ${lastError}`);
      await sleep(RETRY_MS);
    }
  }

  /**
   * The old primary has no process now. Warm and cold: its log belongs to the old history and the
   * checkpoints it will be fed belong to the new one, so the log is set aside; cold: it becomes the
   * new cold standby, so its pending restart is cancelled.
   */
  private retireOldPrimary(id: string): void {
    if (!this.shipsCheckpoints) return;
    const node = this.options.fleet.node(id);
    if (this.topology.kind === 'cold-standby') void this.options.fleet.stopNode(id).catch(() => undefined);
    if (!node || !this.options.runDir) return;
    try {
      const folder = supersedeLog(this.options.runDir, node.dataDir);
      if (folder) this.emit('node.log-superseded', id, { folder });
    } catch (error) {
      this.emit('node.log-superseded', id, { error: (error as Error).message });
    }
  }

  /** An old primary is back (ready as a standby, or stopped as the cold standby) once failover is done. */
  private finishRejoin(id: string): void {
    if (this.failover || !this.rejoining.has(id) || id === this.primaryId) return;
    const node = this.options.fleet.node(id);
    const cold = this.topology.kind === 'cold-standby';
    if (!node || (cold ? node.status !== 'stopped' : node.status !== 'ready')) return;
    this.rejoining.delete(id);
    this.emit('node.rejoined', id, { as: cold ? 'cold-standby' : 'standby', primary: this.primaryId });
    const primary = this.primaryId ? this.options.fleet.node(this.primaryId) : undefined;
    if (this.topology.kind === 'hot-standby' && primary) {
      // Idempotent: the promotion already named it; this covers a primary restarted meanwhile.
      void this.admin.configure(primary.port, { replicas: [this.addressOf(node)] }).catch(() => undefined);
    }
  }

  private refreshUpstreams(): void {
    if (this.failover) return;
    const nodes = this.options.fleet.nodes();
    let targets = upstreamsFor(this.topology, nodes, this.isStateful ? this.primaryId : undefined);
    if (!this.isStateful) {
      // Nodes already in the set stay (exited ones are down in the balancer until they restart).
      const kept = this.upstreamIds.filter((id) => !targets.some((t) => t.id === id));
      const byId = new Map(nodes.map((n) => [n.id, n]));
      targets = [...kept.flatMap((id) => (byId.has(id) ? [{ id, port: byId.get(id)!.port }] : [])), ...targets];
      targets.sort((a, b) => nodes.findIndex((n) => n.id === a.id) - nodes.findIndex((n) => n.id === b.id));
    }
    this.setUpstreams(targets);
  }

  private addressOf(node: NodeSnapshot): string {
    return this.options.replicaAddress?.(node.id) ?? nodeAddress(node.port);
  }

  private setUpstreams(targets: UpstreamTarget[]): void {
    const ids = targets.map((t) => t.id);
    if (ids.length === this.upstreamIds.length && ids.every((id, i) => id === this.upstreamIds[i])) return;
    this.upstreamIds = ids;
    this.options.balancer.setUpstreams(targets);
  }

  private emit(kind: string, nodeId: string | undefined, detail: Record<string, unknown>, at = now()): void {
    try {
      this.options.listener.onTimeline(kind, nodeId, detail, at);
    } catch (error) {
      console.error('failover listener failed:', error);
    }
  }
}

function parseLine(text: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
