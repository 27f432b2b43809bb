// The failover hold: in a standby topology, while the lost primary's successor is being made ready,
// idempotent requests wait here instead of failing with 502/503, bounded by the topology's deadline
// (counted from the loss); then they go to the new primary, or get 503 + Retry-After. Off the hot
// path: nothing here runs for a request unless the rotation was empty or its only node just failed.
import type { FailoverHoldSettings, TopologyKind } from '../../../shared/contract/model';
import { now } from '../clock';

/**
 * With no failover announced (yet), a request whose only node just failed on the wire waits this
 * long for news before it is retried there as usual: a kill's exit notice takes a few ms (crash
 * MTTD p99 46–66 ms on a busy 2-core machine), and a failover announced meanwhile keeps it held.
 */
export const PARK_MS = 100;

/** Retry-After (seconds) on the hold's own 503s. */
export const RETRY_AFTER_S = '1';

/** A request the hold can keep (the proxy handler's Exchange). */
export interface HeldRequest {
  /** When it started waiting this time (monotonic ms); -1 when it is not held. */
  heldAt: number;
  /**
   * Go on if a node may take it now (`force` false), or whatever happens (`force`: its park ran
   * out, or the hold was disarmed). Leaves the hold (`FailoverHold.remove`) before it sends or answers.
   */
  resumeHeld(at: number, force: boolean): void;
  /** The deadline passed (or the failover failed): 503 + Retry-After. Leaves the hold first. */
  expireHeld(at: number): void;
}

/** What of an upstream the hold reads to tell the lost node from its successor. */
export interface HoldCandidate {
  readonly id: string;
  /** When it was last put back in rotation (monotonic ms; 0 never). */
  readonly readmittedAt: number;
}

export class FailoverHold<R extends HeldRequest> {
  private topology: TopologyKind | null = null;
  private settings: FailoverHoldSettings;
  /** The primary whose loss is being failed over (null: none announced). */
  lost: string | null = null;
  /** When the engine announced it (a node readmitted after this is back). */
  private announcedAt = 0;
  private deadlineAt = 0;
  /** The last node announced lost, and when its failover ended: what a request held meanwhile waited for. */
  private lastLost: string | null = null;
  private lastEndedAt = -Infinity;
  private readonly held = new Set<R>();
  private timer: NodeJS.Timeout | null = null;
  /** When the armed timer fires (Infinity: none). */
  private timerDue = Infinity;
  private releaseQueued = false;
  private disposed = false;

  constructor(
    settings: FailoverHoldSettings,
    /** The nodes in rotation now. */
    private readonly rotation: () => readonly HoldCandidate[],
  ) {
    this.settings = settings;
  }

  configure(settings: FailoverHoldSettings): void {
    this.settings = settings;
    if (!this.armed) this.letGo();
  }

  /** The topology the upstreams serve (null, or active-active: nothing to fail over to, nothing held). */
  setTopology(kind: TopologyKind | null): void {
    this.topology = kind === 'active-active' ? null : kind;
    if (this.topology === null) {
      if (this.lost !== null) this.lastEndedAt = now();
      this.lost = null;
      this.letGo();
    }
  }

  /** A lost primary in a standby topology with holding on: requests may wait for its successor. */
  get armed(): boolean {
    return this.topology !== null && this.settings.hold && !this.disposed;
  }

  get size(): number {
    return this.held.size;
  }

  /** The topology's failover deadline, ms from the loss. */
  get deadlineMs(): number {
    const s = this.settings;
    return this.topology === 'cold-standby' ? s.coldDeadlineMs : this.topology === 'warm-standby' ? s.warmDeadlineMs : s.hotDeadlineMs;
  }

  /** The engine's failover controller lost `nodeId` at `lossAt`: its successor is on its way. */
  started(nodeId: string, lossAt: number): void {
    if (!this.armed) return;
    this.lost = nodeId;
    this.lastLost = nodeId;
    this.announcedAt = now();
    this.deadlineAt = lossAt + this.deadlineMs;
    this.schedule();
  }

  /** The failover of `nodeId` is over: done (its successor routed), or failed (nothing will come: answer now). */
  ended(nodeId: string, ok: boolean): void {
    if (this.lost !== nodeId) return;
    this.lost = null;
    this.lastEndedAt = now();
    if (!ok) {
      const at = now();
      for (const r of [...this.held]) if (this.held.has(r)) r.expireHeld(at);
    }
    this.schedule();
  }

  /** Holds `r` when the hold may: armed, and before the deadline of a failover under way. */
  add(r: R, at: number): boolean {
    if (!this.armed || (this.lost !== null && at >= this.deadlineAt)) return false;
    r.heldAt = at;
    this.held.add(r);
    // Requests are held in time order, so the armed wake (the failover's deadline, or the oldest park's
    // end) stays the earliest: no new timer, and no walk over the held, per request.
    const due = this.lost !== null ? this.deadlineAt : at + PARK_MS;
    if (this.timer === null || due < this.timerDue) this.schedule();
    return true;
  }

  remove(r: R): void {
    this.held.delete(r);
  }

  /** The lost node a request held since `heldAt` waited for: the failover under way, or the last one if it ended since. */
  attribution(heldAt: number): string | null {
    if (this.lost !== null) return this.lost;
    return this.lastLost !== null && this.lastEndedAt >= heldAt ? this.lastLost : null;
  }

  /**
   * May `u` take a held request: not the lost node (until it is readmitted after the loss was
   * announced: a primary restarted in place), and not the node the request failed on (until it is
   * readmitted after that).
   */
  eligible(u: HoldCandidate, failedOn: HoldCandidate | null, heldAt: number): boolean {
    if (this.lost !== null && u.id === this.lost && u.readmittedAt <= this.announcedAt) return false;
    return failedOn === null || u !== failedOn || u.readmittedAt > heldAt;
  }

  /**
   * The rotation changed: once the change is complete (a microtask later), held requests try again,
   * and a failover whose successor (or the lost node itself, restarted in place) is in rotation is over.
   */
  rotationChanged(): void {
    if ((this.held.size === 0 && this.lost === null) || this.releaseQueued) return;
    this.releaseQueued = true;
    queueMicrotask(() => {
      this.releaseQueued = false;
      const at = now();
      for (const r of [...this.held]) if (this.held.has(r)) r.resumeHeld(at, false);
      const lost = this.lost;
      if (lost !== null && this.rotation().some((u) => this.eligible(u, null, 0))) {
        this.lost = null;
        this.lastEndedAt = at;
      }
      this.schedule();
    });
  }

  /** Answers every held request (503 + Retry-After) and stops the timer. */
  dispose(): void {
    this.disposed = true;
    const at = now();
    for (const r of [...this.held]) if (this.held.has(r)) r.expireHeld(at);
    this.held.clear();
    this.clearTimer();
  }

  /** Disarmed: nothing waits any more; each held request goes on as if it had not been held. */
  private letGo(): void {
    const at = now();
    for (const r of [...this.held]) if (this.held.has(r)) r.resumeHeld(at, true);
    this.schedule();
  }

  /** One timer for every held request: the failover's deadline, or the earliest park's end. */
  private schedule(): void {
    this.clearTimer();
    if (this.held.size === 0) return;
    let due = Infinity;
    if (this.lost !== null) due = this.deadlineAt;
    else for (const r of this.held) due = Math.min(due, r.heldAt + PARK_MS);
    this.timer = setTimeout(() => this.tick(), Math.max(1, Math.ceil(due - now())));
    this.timer.unref();
    this.timerDue = due;
  }

  private tick(): void {
    this.timer = null;
    const at = now();
    for (const r of [...this.held]) {
      if (!this.held.has(r)) continue;
      if (this.lost !== null) {
        if (at >= this.deadlineAt) r.expireHeld(at);
      } else if (at >= r.heldAt + PARK_MS) r.resumeHeld(at, true);
    }
    this.schedule();
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.timerDue = Infinity;
  }
}
