// Passive detection (outlier ejection): failures seen on live traffic — connection refused or
// reset, a per-try timeout, a 5xx — counted in a row per node. Reaching `consecutiveFailures`
// ejects the node for baseEjectionMs × 2^(strikes-1), capped at maxEjectionMs, unless that would
// take out more than maxEjectedPercent of the upstreams (one node always stays). When the time
// is up the node comes back ('timer') — unless active health checks say it is down.
import type { BalancerSettings } from '../../../shared/contract/model';
import { now } from '../clock';
import type { Upstream, UpstreamPool } from './upstream-pool';

export class OutlierDetector {
  private readonly timers = new Map<Upstream, NodeJS.Timeout>();

  /**
   * `timed` false: a follower among several balancer workers (multi-plane.ts) ejects on its own
   * traffic but leaves the ejection's end to the lead worker, which runs its timer with its health checks.
   */
  constructor(
    private readonly pool: UpstreamPool,
    private readonly settings: () => BalancerSettings,
    private readonly timed = true,
  ) {}

  /**
   * A try that got a response below 500. The failure count restarts at once; a node passive
   * detection already reported is called well again only after as many successes in a row as it
   * took failures to report it — so a node that fails most requests but not all (overloaded, and
   * kept in rotation by maxEjectedPercent) is one detection, not one every few requests.
   */
  success(u: Upstream): void {
    u.consecutiveFailures = 0;
    // Counts only up to the threshold: past it the node is well and a success costs nothing more.
    if (u.passiveOks === -1) return;
    if (++u.passiveOks < this.settings().passive.consecutiveFailures) return;
    u.passiveOks = -1;
    this.pool.clearDetected(u, 'passive');
  }

  /** A failed try, observed at `at` (the error, the timeout firing, the 5xx status line). */
  failure(u: Upstream, at: number, reason: string): void {
    const passive = this.settings().passive;
    if (!passive.enabled || u.removed) return;
    u.consecutiveFailures++;
    u.passiveOks = 0;
    if (u.consecutiveFailures < passive.consecutiveFailures) return;
    this.pool.detect(u, 'passive', at, `${u.consecutiveFailures} failures in a row, the last ${reason}`);
    if (u.state !== 'in-rotation' || !this.mayEject(passive.maxEjectedPercent)) return;
    // A node that served well for maxEjectionMs since its last return starts again from the base time.
    if (u.passiveStrikes > 0 && at - u.readmittedAt >= passive.maxEjectionMs) u.passiveStrikes = 0;
    u.passiveStrikes++;
    const duration = Math.min(passive.baseEjectionMs * 2 ** (u.passiveStrikes - 1), passive.maxEjectionMs);
    this.pool.eject(u, 'passive', at, at + duration);
    if (this.timed) this.schedule(u, duration);
  }

  /** Another worker ejected `u` until `untilAt`: this one ends the ejection then (the lead's part). */
  endAt(u: Upstream, untilAt: number): void {
    if (this.timed) this.schedule(u, Math.max(0, untilAt - now()));
  }

  /** Passive ejections end by their timer; an exit or a readmission by the lab cancels it. */
  cancel(u: Upstream): void {
    const timer = this.timers.get(u);
    if (timer) clearTimeout(timer);
    this.timers.delete(u);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private mayEject(maxPercent: number): boolean {
    const total = this.pool.all.length;
    const out = this.pool.outOfRotation() + 1;
    return this.pool.rotation.length > 1 && out * 100 <= maxPercent * total;
  }

  private schedule(u: Upstream, ms: number): void {
    this.cancel(u);
    const timer = setTimeout(() => {
      this.timers.delete(u);
      this.expire(u);
    }, ms);
    timer.unref();
    this.timers.set(u, timer);
  }

  private expire(u: Upstream): void {
    if (u.state !== 'ejected' || u.ejectedVia !== 'passive') return;
    const health = this.settings().health;
    // Active checks say it is down: it stays out until they see it pass `rise` times.
    if (health.enabled && u.healthFails >= health.fall) return;
    this.pool.readmit(u, 'timer', now());
  }
}
