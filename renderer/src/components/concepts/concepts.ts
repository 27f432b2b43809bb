import { countsText } from '../../../../shared/node-view.js';
import { formatAvailability } from '../../../../shared/report/availability.js';
import { incidentSystemMttr } from '../../../../shared/report/mttr-split.js';
import { formatMs } from '../../format.js';
import type { ViewId } from '../../store/ui-slice.js';
import { mean, type ConceptFacts } from './concept-facts.js';

/** A term the lab teaches: what it means in general, and what it is in this lab right now. */
export type Concept = {
  id: string;
  term: string;
  /** The textbook sentence or two. */
  meaning: string;
  /** The same idea in this lab's own numbers; null when the lab has nothing to show yet. */
  live: (f: ConceptFacts) => string | null;
};

const last = <T,>(items: T[]): T | undefined => items[items.length - 1];

const standbyLive = (kind: string, f: ConceptFacts, then: string): string | null => {
  if (f.topology?.kind !== kind) return `This lab runs ${f.topology?.kind ?? 'a fleet file'} now; choose ${kind} in Settings to try it.`;
  const r = last(f.recovered);
  then = `Now ${countsText(f.counts)}. ${then}`;
  return r ? `${then} Your last failover recovered in ${formatMs(r.mttrMs)}.` : `${then} Kill p1 to see it happen.`;
};

export const CONCEPTS: Concept[] = [
  {
    id: 'hot-standby',
    term: 'Hot standby',
    meaning: 'A second copy runs all the time and receives every change as it happens (log shipping). When the primary fails, the standby is promoted at once: it already has the data.',
    live: (f) =>
      standbyLive('hot-standby', f, `Here p1 ships its write-ahead log to s1 ${f.topology?.replication === 'async' ? 'asynchronously: the newest acknowledged writes may be lost' : f.topology?.replication === 'sync-degradable' ? 'synchronously while s1 answers, alone when it is lost: writes acknowledged then may be lost' : 'synchronously: an acknowledged write is already on s1, or it fails'}.`),
  },
  {
    id: 'warm-standby',
    term: 'Warm standby',
    meaning: 'The standby runs but is only fed periodic checkpoints. At promotion it restores the newest one: it serves quickly, but writes after that checkpoint are lost.',
    live: (f) => standbyLive('warm-standby', f, 'Here s1 receives p1’s shipped checkpoints.'),
  },
  {
    id: 'cold-standby',
    term: 'Cold standby',
    meaning: 'The standby is not running. On failure it is started and restored from the last checkpoint: the cheapest redundancy and the slowest recovery, since MTTR includes a process start.',
    live: (f) => standbyLive('cold-standby', f, 'Here c1 stays stopped until p1 fails.'),
  },
  {
    id: 'active-active',
    term: 'Active-active (N+1)',
    meaning: 'Every replica serves. Losing one leaves the rest to carry the load, so you run one more than the load needs (N+1). Nothing is promoted: the dead node is ejected and rejoins when ready.',
    live: (f) => (f.topology?.kind === 'active-active' ? `${f.counts.serving} of ${f.counts.total} nodes are serving; losing one ${f.counts.serving < f.counts.total ? 'more ' : ''}leaves ${Math.max(0, f.counts.serving - 1)} serving.` : `This lab runs ${f.topology?.kind ?? 'a fleet file'}; choose active-active in Settings.`),
  },
  {
    id: 'mttd',
    term: 'MTTD',
    meaning: 'Mean time to detect: from the moment a failure starts (injected, or the process exit observed) to the moment something notices it. MTTD = detected − injected.',
    live: (f) => {
      const i = last(f.detected);
      if (!i) return 'No incident has been detected yet. Kill a node to measure one.';
      const avg = mean(f.detected.map((d) => d.mttdMs ?? 0));
      return `Your last incident (${i.nodeId}, ${i.cause}) was detected in ${formatMs(i.mttdMs)}${i.detectedVia ? ` via ${i.detectedVia}` : ''}.${f.detected.length > 1 ? ` Mean over ${f.detected.length} incidents: ${formatMs(avg)}.` : ''}`;
    },
  },
  {
    id: 'mttr',
    term: 'MTTR',
    meaning: 'Mean time to recover: from the start of a failure until the service is healthy and serving again. MTTR = recovered − injected. Availability = MTBF / (MTBF + MTTR).',
    live: (f) => {
      const i = last(f.recovered);
      if (!i) return 'Nothing has recovered yet in this run.';
      const avg = mean(f.recovered.map((r) => r.mttrMs ?? 0));
      return `Your last incident (${i.nodeId}) recovered in ${formatMs(i.mttrMs)}.${f.recovered.length > 1 ? ` Mean over ${f.recovered.length}: ${formatMs(avg)}.` : ''}`;
    },
  },
  {
    id: 'health-check',
    term: 'Health check',
    meaning: 'Active detection: the balancer probes each node every interval; a probe that fails or takes longer than the timeout counts as a failure. `fall` failures in a row eject the node, `rise` passes put it back.',
    live: (f) => {
      const h = f.balancer?.health;
      if (!h) return null;
      if (!h.enabled) return 'Health checks are off in this lab: only exits and live traffic can reveal a failure.';
      return `Here: ${h.path} every ${formatMs(h.intervalMs)}, timeout ${formatMs(h.timeoutMs)}, fall ${h.fall}, rise ${h.rise}. A frozen node is seen after about ${formatMs(h.intervalMs * (h.fall - 1) + h.timeoutMs + h.intervalMs)}.`;
    },
  },
  {
    id: 'outlier-ejection',
    term: 'Outlier ejection',
    meaning: 'Passive detection: errors seen on live traffic (refused, reset, timed out, 5xx) eject a node for a while, doubling each time. It isolates a bad node before a probe notices, and never ejects more than a set share.',
    live: (f) => {
      const p = f.balancer?.passive;
      if (!p) return null;
      return p.enabled ? `Here: ${p.consecutiveFailures} failures in a row eject a node for ${formatMs(p.baseEjectionMs)} (up to ${formatMs(p.maxEjectionMs)}); at most ${p.maxEjectedPercent}% of nodes are out at once.` : 'Passive detection is off in this lab.';
    },
  },
  {
    id: 'retry-budget',
    term: 'Retry budget',
    meaning: 'Retries hide a failure from the client, but unbounded retries multiply load on a struggling system (a retry storm). A budget caps retries to a share of requests, plus a small floor.',
    live: (f) => {
      const r = f.balancer?.retry;
      if (!r) return null;
      if (!r.enabled) return 'Retries are off in this lab: every failed try reaches the client.';
      return `Here: up to ${r.maxTries} tries per request, ${formatMs(r.perTryTimeoutMs)} each, within ${r.budgetPercent}% of requests over 10 s plus ${r.budgetMinPerSec}/s. Watch the retries chart while a node slows down.`;
    },
  },
  {
    id: 'checkpoint',
    term: 'Checkpoint',
    meaning: 'A snapshot of a node’s state on disk, taken every T or every N writes, with a checksum and several generations kept. Recovery loads the newest good one and replays the log written after it; a corrupt newest checkpoint without a log loses what it held.',
    live: (f) => {
      const s = f.topology?.server;
      const every = [s?.checkpointIntervalMs ? `every ${formatMs(s.checkpointIntervalMs)}` : null, s?.checkpointEveryWrites ? `every ${s.checkpointEveryWrites} writes` : null].filter(Boolean).join(' and ');
      return every ? `This lab checkpoints ${every}, keeping ${s?.keep ?? 'the default number of'} generations.` : 'This lab uses the server’s default checkpoint settings. Try a checkpoint fault, then kill the node.';
    },
  },
  {
    id: 'partition',
    term: 'Network partition',
    meaning: 'The node runs but cannot be reached (or cannot reach its peer). Nothing exits, so only probes and timeouts can tell. A partitioned replication link lets the primary and standby drift apart.',
    live: (f) => (f.topology && f.topology.kind !== 'active-active' ? 'Partition p1’s balancer link and the failover promotes s1; partition only its replication link and see what the ledger says after.' : 'Partition one node and watch the balancer eject it while the others serve.'),
  },
  {
    id: 'ledger',
    term: 'Write ledger',
    meaning: 'The traffic generator records every write the system acknowledged. After an incident it reads them all back from the current primary: a lost write is one that was promised and is gone.',
    live: (f) => (f.ledger ? `Last check: ${f.ledger.checked} writes read back, ${f.ledger.lost} lost, ${f.ledger.stale} stale.` : 'No check yet: run traffic with writes, cause an incident, and the ledger is checked when it is over.'),
  },
  {
    id: 'availability',
    term: 'Availability',
    meaning: 'The share of time the service works: MTBF / (MTBF + MTTR). n independent replicas of availability a give 1 − (1 − a)^n: redundancy multiplies nines, if failures really are independent.',
    live: (f) => {
      // The system's MTTR: detection + automatic recovery, without time spent waiting on a person or a drill's script.
      const r = mean(f.recovered.map((i) => incidentSystemMttr(i) ?? 0));
      if (r === null) return null;
      const held = f.recovered.some((i) => i.mttrSplit && i.mttrSplit.drillMs + i.mttrSplit.operatorMs > 0) ? ' (detection + automatic recovery; time waiting on you or a drill left out)' : '';
      return `With one failure a day and your mean MTTR of ${formatMs(r)}${held}, one node is available ${formatAvailability(r / (86_400_000 + r))} of the time.`;
    },
  },
];

export const conceptById = (id: string): Concept | undefined => CONCEPTS.find((c) => c.id === id);

/** The concept a view is about when the user has not picked one. */
export function defaultConcept(view: ViewId, f: ConceptFacts): string {
  switch (view) {
    case 'lab':
      return f.topology?.kind ?? 'active-active';
    case 'incidents':
      return f.detected.length > 0 ? 'mttd' : 'mttr';
    case 'faults':
      return 'partition';
    case 'settings':
      return 'health-check';
    case 'charts':
      return 'retry-budget';
    default:
      return 'availability';
  }
}
