// Smooth weighted round-robin, as nginx does it: every pick adds each node's weight to its
// score, the highest score wins and gives back the total. Weights 1:2:3 give C B A C B C ...
// spread out rather than in bursts. A node of weight 0 gets no traffic.
import type { Candidate, Strategy } from './strategy';

export class WeightedRoundRobin implements Strategy {
  readonly name = 'weighted-round-robin' as const;

  pick<C extends Candidate>(candidates: readonly C[], skip: number): C | null {
    let best: C | null = null;
    let total = 0;
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[i]!;
      if ((c.bit & skip) !== 0 || c.weight <= 0) continue;
      c.wrrCurrent += c.weight;
      total += c.weight;
      if (best === null || c.wrrCurrent > best.wrrCurrent) best = c;
    }
    if (best !== null) best.wrrCurrent -= total;
    return best;
  }
}
