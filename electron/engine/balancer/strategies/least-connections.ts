// Least-connections: the node with the fewest requests in flight; ties go round-robin (the scan
// starts one node further each pick).
import type { Candidate, Strategy } from './strategy';

export class LeastConnections implements Strategy {
  readonly name = 'least-connections' as const;
  private cursor = 0;

  pick<C extends Candidate>(candidates: readonly C[], skip: number): C | null {
    const n = candidates.length;
    if (n === 0) return null;
    const start = this.cursor++ % n;
    if (this.cursor >= n) this.cursor = 0;
    let best: C | null = null;
    for (let i = 0; i < n; i++) {
      const c = candidates[(start + i) % n]!;
      if ((c.bit & skip) !== 0) continue;
      if (best === null || c.inflight < best.inflight) best = c;
    }
    return best;
  }
}
