import { z } from 'zod';
import {
  BalancerSettings,
  FaultType,
  Incident,
  LedgerCounts,
  TopologySpec,
  TrafficSettings,
  TrafficStats,
} from '../contract/model.js';
import { DrillSpec } from '../drill/schema.js';
import {
  DrillProfile,
  DrillVerdict,
  ExpectationResult,
  HypothesisCheck,
  PredictionRecord,
  ReportFormat,
  StepRecord,
} from '../drill/run.js';

/**
 * A drill report: everything one run measured, complete enough to re-render every format from it
 * and to compare runs. Times are ms since the run started (`atMs`, `startMs`, ...), except
 * `startedAt`/`endedAt` (epoch ms). The JSON file is this object; HTML, Markdown, JUnit and PDF
 * are rendered from it (shared/report/*.ts) and never hold anything it lacks.
 */

export const REPORT_SCHEMA = 'firedrill.report/1';

export const ReportFault = z.object({
  id: z.string(),
  /** The name the drill gave it (`as:`), if any. */
  name: z.string().nullable(),
  type: FaultType,
  kind: z.enum(['process', 'network', 'http', 'checkpoint']),
  target: z.string(),
  attributes: z.record(z.string(), z.unknown()),
  startMs: z.number(),
  /** When it was reverted or expired; null for one-shot faults (kill, checkpoint damage) and faults still active at the end. */
  endMs: z.number().nullable(),
  status: z.string(),
  effect: z.record(z.string(), z.unknown()),
});
export type ReportFault = z.infer<typeof ReportFault>;

/** An incident as the lab reports it, its stage times made ms since the run started. */
export const ReportIncident = Incident;
export type ReportIncident = z.infer<typeof ReportIncident>;

export const ReportTimelineEvent = z.object({
  atMs: z.number(),
  kind: z.string(),
  nodeId: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
export type ReportTimelineEvent = z.infer<typeof ReportTimelineEvent>;

/** Metric series at 10 Hz, column-wise: `tMs[i]` goes with `rps[i]`, `p99[i]`, ... */
export const ReportSeries = z.object({
  tMs: z.array(z.number()),
  rps: z.array(z.number()),
  errorsPerSec: z.array(z.number()),
  retriesPerSec: z.array(z.number()),
  p50: z.array(z.number()),
  p99: z.array(z.number()),
  perNode: z.record(
    z.string(),
    z.object({ rps: z.array(z.number()), errorsPerSec: z.array(z.number()), p99: z.array(z.number()) }),
  ),
});
export type ReportSeries = z.infer<typeof ReportSeries>;

/**
 * Availability from the measured MTTR: A = MTBF / (MTBF + MTTR) for one node, and with n replicas
 * of which k are needed, the chance at least k are up (k = 1: 1 - (1 - A)^n). MTBF is an
 * assumption, stated as such; MTTR is the system's (detection + automatic recovery).
 */
export const ReportAvailability = z.object({
  /** Mean MTTR over the run's recovered incidents, detection + automatic recovery (no operator or drill time); null when nothing failed and recovered. */
  mttrMs: z.number().nullable(),
  /** The assumed mean time between failures of one node, hours. */
  mtbfHours: z.number(),
  replicas: z.number().int(),
  /** How many replicas the load needs (k of m); absent in older reports: 1. */
  needed: z.number().int().optional(),
  /** The incidents' mean MTTR with operator and drill time; `mttrMs` leaves them out. Absent in older reports. */
  mttrTotalMs: z.number().nullable().optional(),
  single: z.number().nullable(),
  combined: z.number().nullable(),
  /** Expected downtime a year at `combined`, minutes. */
  downtimeMinutesPerYear: z.number().nullable(),
  explanation: z.string(),
});
export type ReportAvailability = z.infer<typeof ReportAvailability>;

export const DrillReport = z.object({
  schema: z.literal(REPORT_SCHEMA),
  /** The run's id; also the name of its folder in the history. */
  id: z.string(),
  drill: DrillSpec,
  source: z.object({ kind: z.enum(['builtin', 'file', 'inline']), path: z.string().nullable() }),
  seed: z.number().int(),
  profile: DrillProfile,
  auto: z.boolean(),
  versions: z.object({ firedrill: z.string(), node: z.string(), electron: z.string().nullable() }),
  environment: z.object({
    platform: z.string(),
    release: z.string(),
    arch: z.string(),
    cpus: z.number().int(),
    cpuModel: z.string(),
    memoryGiB: z.number(),
  }),
  startedAt: z.number(),
  endedAt: z.number(),
  durationMs: z.number(),
  verdict: DrillVerdict,
  /** One line: why this verdict ("hypothesis breached: error rate 4.1 % > 1 %"). */
  reason: z.string(),
  topology: TopologySpec.nullable(),
  nodes: z.array(z.object({ id: z.string(), role: z.string(), port: z.number().int() })),
  balancer: BalancerSettings,
  traffic: z.object({ settings: TrafficSettings.nullable(), stats: TrafficStats.nullable() }),
  ledger: LedgerCounts.extend({ verdict: z.enum(['pass', 'fail', 'unchecked']) }),
  hypothesis: z.array(HypothesisCheck),
  expectations: z.array(ExpectationResult),
  predictions: z.array(PredictionRecord),
  steps: z.array(StepRecord),
  marks: z.array(z.object({ name: z.string(), atMs: z.number() })),
  faults: z.array(ReportFault),
  incidents: z.array(ReportIncident),
  timeline: z.array(ReportTimelineEvent),
  series: ReportSeries,
  availability: ReportAvailability,
  /** The formats written next to report.json. */
  formats: z.array(ReportFormat),
});
export type DrillReport = z.infer<typeof DrillReport>;

/** One line of the history (`report.list`). */
export const ReportSummary = z.object({
  id: z.string(),
  drillId: z.string(),
  title: z.string(),
  concept: z.string(),
  verdict: DrillVerdict,
  reason: z.string(),
  seed: z.number().int(),
  profile: DrillProfile,
  startedAt: z.number(),
  durationMs: z.number(),
  topology: z.string().nullable(),
  strategy: z.string(),
  formats: z.array(ReportFormat),
});
export type ReportSummary = z.infer<typeof ReportSummary>;

export function summarize(report: DrillReport): ReportSummary {
  return {
    id: report.id,
    drillId: report.drill.id,
    title: report.drill.title,
    concept: report.drill.concept,
    verdict: report.verdict,
    reason: report.reason,
    seed: report.seed,
    profile: report.profile,
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    topology: report.topology ? report.topology.kind : null,
    strategy: report.balancer.strategy,
    formats: report.formats,
  };
}
