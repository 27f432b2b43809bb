import type { BalancerSettings, Incident, LedgerCounts, TopologySpec } from '../../../../shared/contract/model.js';
import { countNodes, type NodeCounts } from '../../../../shared/node-view.js';
import { liveMttrSplit } from '../../../../shared/report/mttr-split.js';
import type { Store } from '../../store/store.js';
import { nodeViewsIn } from '../topology/node-views.js';

/** What the concepts are explained with: the lab's own settings and measurements. */
export type ConceptFacts = {
  topology: TopologySpec | null;
  balancer: BalancerSettings | null;
  /** Incidents that were detected, newest last. */
  detected: Incident[];
  /** Incidents that recovered, newest last. */
  recovered: Incident[];
  ledger: LedgerCounts | null;
  /** Serving, standby and total, from the same node views as the cards and the header. */
  counts: NodeCounts;
};

/** The parts of the store the facts come from (stable references, so a shallow compare can tell a change). */
export const factSources = (s: Store) => ({ lab: s.lab, balancer: s.balancer.state, incidents: s.incidents, ledger: s.traffic.ledger, faults: s.faults, run: s.drill.run });

export function factsOf(s: ReturnType<typeof factSources>): ConceptFacts {
  return {
    topology: s.lab.topology,
    balancer: s.balancer?.settings ?? null,
    detected: s.incidents.filter((i) => i.mttdMs !== null),
    // Each with its MTTR split, so the availability is worked out without a learner's reading time.
    recovered: s.incidents.filter((i) => i.mttrMs !== null).map((i) => ({ ...i, mttrSplit: liveMttrSplit(i, s.run, s.faults) })),
    ledger: s.ledger,
    counts: countNodes(nodeViewsIn({ lab: s.lab, faults: s.faults, balancer: { state: s.balancer } })),
  };
}

export const mean = (values: number[]): number | null => (values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length);
