// Random: each pick uniform over the nodes in rotation (weights are ignored).
import type { Candidate, Strategy } from './strategy';
import { labRandom } from '../../random';

export class RandomPick implements Strategy {
  readonly name = 'random' as const;

  pick<C extends Candidate>(candidates: readonly C[], skip: number): C | null {
    const n = candidates.length;
    if (n === 0) return null;
    if (skip === 0) return candidates[Math.floor(labRandom() * n)]!;
    let eligible = 0;
    for (let i = 0; i < n; i++) if ((candidates[i]!.bit & skip) === 0) eligible++;
    if (eligible === 0) return null;
    let k = Math.floor(labRandom() * eligible);
    for (let i = 0; i < n; i++) {
      const c = candidates[i]!;
      if ((c.bit & skip) === 0 && k-- === 0) return c;
    }
    return null;
  }
}
