// Round-robin: each node in turn.
import type { Candidate, Strategy } from './strategy';

export class RoundRobin implements Strategy {
  readonly name = 'round-robin' as const;
  private cursor = 0;

  pick<C extends Candidate>(candidates: readonly C[], skip: number): C | null {
    const n = candidates.length;
    for (let i = 0; i < n; i++) {
      const c = candidates[this.cursor++ % n]!;
      if ((c.bit & skip) === 0) {
        if (this.cursor >= n) this.cursor %= n;
        return c;
      }
    }
    return null;
  }
}
