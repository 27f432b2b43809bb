// The load-balancing strategies, one file each; `createStrategy` makes one by its contract name.
import type { BalancerStrategy } from '../../../../shared/contract/model';
import { LeastConnections } from './least-connections';
import { LeastResponseTime } from './least-response-time';
import { RandomPick } from './random';
import { RoundRobin } from './round-robin';
import type { Strategy } from './strategy';
import { WeightedRoundRobin } from './weighted-round-robin';

export type { Candidate, Strategy } from './strategy';
export { ownWeight } from './strategy';
export { LeastConnections, LeastResponseTime, RandomPick, RoundRobin, WeightedRoundRobin };

export function createStrategy(name: BalancerStrategy, options: { ewmaDecayMs: number }): Strategy {
  switch (name) {
    case 'round-robin':
      return new RoundRobin();
    case 'weighted-round-robin':
      return new WeightedRoundRobin();
    case 'random':
      return new RandomPick();
    case 'least-connections':
      return new LeastConnections();
    case 'least-response-time':
      return new LeastResponseTime(options.ewmaDecayMs);
  }
}
