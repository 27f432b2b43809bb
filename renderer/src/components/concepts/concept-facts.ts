import type { BalancerSettings, Incident, LedgerCounts, TopologySpec } from '../../../../shared/contract/model.js';
import type { Store } from '../../store/store.js';

/** What the concepts are explained with: the lab's own settings and measurements. */
export type ConceptFacts = {
  topology: TopologySpec | null;
  balancer: BalancerSettings | null;
  /** Incidents that were detected, newest last. */
  detected: Incident[];
  /** Incidents that recovered, newest last. */
  recovered: Incident[];
  ledger: LedgerCounts | null;
  nodes: number;
  ready: number;
};

/** The parts of the store the facts come from (stable references, so a shallow compare can tell a change). */
export const factSources = (s: Store) => ({ lab: s.lab, balancer: s.balancer.state, incidents: s.incidents, ledger: s.traffic.ledger });

export function factsOf(s: ReturnType<typeof factSources>): ConceptFacts {
  return {
    topology: s.lab.topology,
    balancer: s.balancer?.settings ?? null,
    detected: s.incidents.filter((i) => i.mttdMs !== null),
    recovered: s.incidents.filter((i) => i.mttrMs !== null),
    ledger: s.ledger,
    nodes: s.lab.nodeIds.length,
    ready: s.lab.nodeIds.filter((id) => s.lab.nodes[id]?.status === 'ready').length,
  };
}

export const mean = (values: number[]): number | null => (values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length);
