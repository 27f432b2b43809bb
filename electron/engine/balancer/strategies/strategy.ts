// What a strategy sees of an upstream, and what every strategy implements.
import type { BalancerStrategy } from '../../../../shared/contract/model';

/** The fields of an upstream a strategy reads (and, for weighted round-robin, writes). */
export interface Candidate {
  /** One bit per upstream, so a request can mark the nodes it already tried in one number. */
  readonly bit: number;
  readonly inflight: number;
  readonly weight: number;
  /** Latency average (ms) used by least-response-time; -1 before the first sample. */
  readonly ewmaMs: number;
  /** When the last latency sample was taken (epoch ms, monotonic). */
  readonly ewmaAt: number;
  /** Smooth weighted round-robin's running score (nginx's `current_weight`). */
  wrrCurrent: number;
}

export interface Strategy {
  readonly name: BalancerStrategy;
  /**
   * One of `candidates` (the nodes in rotation) whose bit is not in `skip`, or null when none
   * qualifies. `at` is the request's arrival time (monotonic epoch ms).
   */
  pick<C extends Candidate>(candidates: readonly C[], skip: number, at: number): C | null;
}

/** A node's weight from the settings' record, own keys only: `constructor` is a node id there, not Object's. */
export function ownWeight(weights: Readonly<Record<string, number>>, id: string): number | undefined {
  return Object.hasOwn(weights, id) ? weights[id] : undefined;
}
