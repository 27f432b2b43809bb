// Least-response-time: the node with the lowest latency average (a time-decayed EWMA, see
// upstream-pool.ts). A node with no sample yet — or none for STALE_DECAYS × ewmaDecayMs, so a
// node that was slow once is tried again — goes first. Ties: fewer in flight, then round-robin.
import type { Candidate, Strategy } from './strategy';

/** A sample older than this many decay periods no longer says anything about the node. */
export const STALE_DECAYS = 5;

export class LeastResponseTime implements Strategy {
  readonly name = 'least-response-time' as const;
  private cursor = 0;

  constructor(private readonly ewmaDecayMs: number) {}

  pick<C extends Candidate>(candidates: readonly C[], skip: number, at: number): C | null {
    const n = candidates.length;
    if (n === 0) return null;
    const start = this.cursor++ % n;
    if (this.cursor >= n) this.cursor = 0;
    const staleBefore = at - STALE_DECAYS * this.ewmaDecayMs;
    let best: C | null = null;
    let bestScore = Infinity;
    for (let i = 0; i < n; i++) {
      const c = candidates[(start + i) % n]!;
      if ((c.bit & skip) !== 0) continue;
      // Unsampled or stale nodes score -1: below any real latency.
      const score = c.ewmaMs < 0 || c.ewmaAt < staleBefore ? -1 : c.ewmaMs;
      if (best === null || score < bestScore || (score === bestScore && c.inflight < best.inflight)) {
        best = c;
        bestScore = score;
      }
    }
    return best;
  }
}
