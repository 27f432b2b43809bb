// Turns what a drill run measured into its report (shared/report/model.ts): it adds the machine,
// the versions and the availability arithmetic, and checks the whole against the schema. It is
// given the run's facts in the report's own shapes, so it knows nothing of how a drill runs.
import { cpus, release, totalmem } from 'node:os';
import type { DrillRunStatus, ReportFormat } from '../../../shared/drill/run.js';
import type { DrillSpec } from '../../../shared/drill/schema.js';
import { availabilityFrom, meanMttr, meanSystemMttr } from '../../../shared/report/availability.js';
import { DrillReport, REPORT_SCHEMA } from '../../../shared/report/model.js';
import { appVersion } from '../app-paths.js';

export interface ReportSource {
  kind: 'builtin' | 'file' | 'inline';
  path: string | null;
}

/** What a drill run measured, in the report's own shapes (the outcome of drills/drill-run.ts). */
export type RunFacts = Pick<DrillReport, 'nodes' | 'balancer' | 'traffic' | 'ledger' | 'marks' | 'faults' | 'incidents' | 'timeline' | 'series'> & {
  status: DrillRunStatus;
  endedAt: number;
};

export function buildReport(facts: RunFacts, spec: DrillSpec, source: ReportSource, formats: ReportFormat[]): DrillReport {
  const { status, incidents } = facts;
  const topology = spec.topology;
  const replicas = topology.kind === 'active-active' ? topology.nodes : 2;
  const cpuList = cpus();
  const report: DrillReport = {
    schema: REPORT_SCHEMA,
    id: status.runId,
    drill: spec,
    source,
    seed: status.seed,
    profile: status.profile,
    auto: status.auto,
    versions: { firedrill: appVersion(), node: process.versions.node, electron: process.versions.electron ?? null },
    environment: {
      platform: process.platform,
      release: release(),
      arch: process.arch,
      cpus: cpuList.length,
      cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
      memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    },
    startedAt: status.startedAt,
    endedAt: facts.endedAt,
    durationMs: Math.round(facts.endedAt - status.startedAt),
    verdict: status.verdict ?? 'error',
    reason: status.reason ?? '',
    topology,
    nodes: facts.nodes,
    balancer: facts.balancer,
    traffic: facts.traffic,
    ledger: facts.ledger,
    hypothesis: status.hypothesis,
    expectations: status.expectations,
    predictions: status.predictions,
    steps: status.steps,
    marks: facts.marks,
    faults: facts.faults,
    incidents,
    timeline: facts.timeline,
    series: facts.series,
    // The system's MTTR (no operator, no drill holds), and k of m from the topology's `needed`.
    availability: availabilityFrom({ mttrMs: meanSystemMttr(incidents), mttrTotalMs: meanMttr(incidents), replicas, ...(topology.needed !== undefined ? { needed: topology.needed } : {}) }),
    formats,
  };
  // The report is read back by other versions and other tools: never write one the schema refuses.
  return DrillReport.parse(report);
}
