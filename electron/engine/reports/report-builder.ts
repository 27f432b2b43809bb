// Turns what a drill run recorded into its report (shared/report/model.ts).
import { cpus, release, totalmem } from 'node:os';
import type { DrillSpec } from '../../../shared/drill/schema.js';
import type { ReportFormat } from '../../../shared/drill/run.js';
import { availabilityFrom, meanMttr } from '../../../shared/report/availability.js';
import { DrillReport, REPORT_SCHEMA } from '../../../shared/report/model.js';
import { appVersion } from '../app-paths.js';
import type { DrillRunOutcome } from '../drills/drill-run.js';

export interface ReportSource {
  kind: 'builtin' | 'file' | 'inline';
  path: string | null;
}

export function buildReport(outcome: DrillRunOutcome, spec: DrillSpec, source: ReportSource, formats: ReportFormat[]): DrillReport {
  const { status, recorder } = outcome;
  const incidents = recorder.reportIncidents();
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
    endedAt: outcome.endedAt,
    durationMs: Math.round(outcome.endedAt - status.startedAt),
    verdict: status.verdict ?? 'error',
    reason: status.reason ?? '',
    topology,
    nodes: outcome.nodes,
    balancer: outcome.balancer,
    traffic: outcome.traffic,
    ledger: outcome.ledger,
    hypothesis: status.hypothesis,
    expectations: status.expectations,
    predictions: status.predictions,
    steps: status.steps,
    marks: recorder.marks,
    faults: recorder.reportFaults(outcome.faultNames),
    incidents,
    timeline: recorder.reportTimeline(),
    series: recorder.reportSeries(),
    availability: availabilityFrom({ mttrMs: meanMttr(incidents), replicas }),
    formats,
  };
  // The report is read back by other versions and other tools: never write one the schema refuses.
  return DrillReport.parse(report);
}
