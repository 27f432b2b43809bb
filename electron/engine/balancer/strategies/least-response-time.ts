// Least-response-time: the node with the lowest expected wait — its latency average (a
// time-decayed EWMA, see upstream-pool.ts) times (requests in flight + 1), as Finagle's peak-EWMA
// cost does, so the fastest node does not take every request until it slows down. A node with no
// sample yet, or none for STALE_DECAYS × ewmaDecayMs (a node that was slow once is tried again),
// goes first — but one request at a time: while that probe is out it scores by what is known of it,
// so a slow or hung node is never handed all the traffic for a whole response time.
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
      const score = scoreOf(c, staleBefore);
      if (best === null || score < bestScore || (score === bestScore && c.inflight < best.inflight)) {
        best = c;
        bestScore = score;
      }
    }
    return best;
  }
}

function scoreOf(c: Candidate, staleBefore: number): number {
  const unknown = c.ewmaMs < 0 || c.ewmaAt < staleBefore;
  // Nothing known, nothing in flight: probe it (below any real cost).
  if (unknown && c.inflight === 0) return -1;
  // Its probe is still out: a stale average is still the best guess; no average at all, last resort.
  if (c.ewmaMs < 0) return Number.MAX_VALUE;
  return c.ewmaMs * (c.inflight + 1);
}
