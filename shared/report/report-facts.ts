import type { FailoverHeld, IncidentStage, TrafficStats } from '../contract/model.js';
import type { DrillVerdict, HypothesisCheck, HypothesisName, StepRecord } from '../drill/run.js';
import { formatCount, formatMs, formatPercent, meanMax } from './format.js';
import type { DrillReport, ReportFault, ReportIncident } from './model.js';
import type { ChartPeriod } from './svg-chart.js';

/** What every format says the same way: labels for hypothesis bounds, stage order, fault periods, error rates. */

/** The order an incident goes through; `injected` (a lab fault) or `observed` (seen without one) starts it. */
export const STAGE_ORDER: readonly IncidentStage[] = ['injected', 'observed', 'detected', 'ejected', 'failedOver', 'restarted', 'restored', 'recovered'];

export const STAGE_LABELS: Record<IncidentStage, string> = {
  injected: 'injected',
  observed: 'observed',
  detected: 'detected',
  ejected: 'ejected',
  failedOver: 'failed over',
  restarted: 'restarted',
  restored: 'restored',
  recovered: 'recovered',
};

export interface StagePoint {
  stage: IncidentStage;
  atMs: number;
  /** Since the incident started (injected, else observed, else its first stage). */
  sinceStartMs: number;
}

/** The stages an incident reached, in order, with their time since it started. */
export function stagesOf(incident: ReportIncident): StagePoint[] {
  const reached = STAGE_ORDER.flatMap((stage) => {
    const atMs = incident.stages[stage];
    return typeof atMs === 'number' && Number.isFinite(atMs) ? [{ stage, atMs }] : [];
  });
  const start = incident.stages.injected ?? incident.stages.observed ?? Math.min(...reached.map((point) => point.atMs));
  return reached.map((point) => ({ ...point, sinceStartMs: point.atMs - start }));
}

export const HYPOTHESIS_LABELS: Record<HypothesisName, string> = {
  maxErrorRate: 'error rate',
  maxP99Ms: 'p99 latency',
  maxLostWrites: 'lost writes',
};

/** A hypothesis value in its unit: 1.3 %, 250 ms, 0. */
export function hypothesisValue(name: HypothesisName, value: number | null): string {
  if (name === 'maxErrorRate') return formatPercent(value);
  if (name === 'maxP99Ms') return formatMs(value);
  return formatCount(value);
}

/** "error rate ≤ 1 %". */
export function hypothesisBound(check: Pick<HypothesisCheck, 'name' | 'limit'>): string {
  return `${HYPOTHESIS_LABELS[check.name]} ≤ ${hypothesisValue(check.name, check.limit)}`;
}

export const VERDICT_WORDS: Record<DrillVerdict, string> = { pass: 'PASS', fail: 'FAIL', aborted: 'ABORTED', error: 'ERROR' };

/** Failed / sent; null before anything was sent. */
export function errorRateOf(stats: TrafficStats | null): number | null {
  if (!stats || stats.sent <= 0) return null;
  return stats.failed / stats.sent;
}

/** "kill on a2", "latency on a3 (slow-a3)". */
export function faultLabel(fault: ReportFault): string {
  return `${fault.type} on ${fault.target}${fault.name ? ` (${fault.name})` : ''}`;
}

/**
 * The span each fault was in force, for shading charts. A one-shot fault (a kill, checkpoint
 * damage) has no end of its own: its span runs until the incident it caused on that node
 * recovered, or is a thin line when there was none; a fault still active at the end runs to the end.
 */
export function faultPeriods(report: Pick<DrillReport, 'faults' | 'incidents'>): ChartPeriod[] {
  return report.faults.map((fault) => {
    if (fault.endMs !== null) return { startMs: fault.startMs, endMs: fault.endMs, label: faultLabel(fault) };
    if (fault.status === 'active') return { startMs: fault.startMs, endMs: null, label: faultLabel(fault) };
    const caused = report.incidents
      .filter((incident) => incident.nodeId === fault.target)
      .map((incident) => ({ start: incident.stages.injected ?? incident.stages.observed ?? Number.NaN, end: incident.stages.recovered }))
      .filter((span) => span.start >= fault.startMs - 1 && typeof span.end === 'number')
      .sort((a, b) => a.start - b.start)[0];
    return { startMs: fault.startMs, endMs: caused?.end ?? fault.startMs, label: faultLabel(fault) };
  });
}

export interface IncidentStats {
  count: number;
  open: number;
  mttd: { mean: number | null; max: number | null };
  mttr: { mean: number | null; max: number | null };
}

export function incidentStats(incidents: ReadonlyArray<ReportIncident>): IncidentStats {
  return {
    count: incidents.length,
    open: incidents.filter((incident) => incident.open).length,
    mttd: meanMax(incidents.map((incident) => incident.mttdMs)),
    mttr: meanMax(incidents.map((incident) => incident.mttrMs)),
  };
}

/** How long a step took; null unless it both started and ended. */
export function stepDuration(step: StepRecord): number | null {
  if (step.startedAtMs === null || step.endedAtMs === null) return null;
  return step.endedAtMs - step.startedAtMs;
}

/** The prediction's options as words, e.g. for "answered" and "expected" cells. */
export function optionText(options: ReadonlyArray<string>, index: number | null): string {
  if (index === null) return '—';
  const option = options[index];
  return option === undefined ? `option ${index + 1}` : option;
}

/** The data plane's restarts during an incident, in one sentence (card, HTML, Markdown). */
export function planeRestartWords(restarts: ReadonlyArray<{ at: number; downMs: number | null; reason: string }>, incidentStart?: number): string {
  const last = restarts[restarts.length - 1];
  if (!last) return '';
  const first = restarts[0] as { at: number };
  const when = incidentStart === undefined ? '' : `, ${restarts.length === 1 ? '' : 'first '}at +${formatMs(Math.max(0, first.at - incidentStart))}`;
  const times = restarts.length === 1 ? 'once' : `${formatCount(restarts.length)} times`;
  const back = last.downMs === null ? 'it died too often and was not restarted: the balancer is down' : `a new thread took its ports back after ${formatMs(last.downMs)}`;
  return `The data plane's thread died ${times} during this incident${when} (${last.reason}); ${back}. Requests in flight on it ended with it.`;
}

/** What the balancer's failover hold did for an incident, in one sentence (card, HTML, Markdown). */
export function heldWords(held: FailoverHeld): string {
  const expired = held.expired > 0 ? `, ${formatCount(held.expired)} past the deadline (503)` : '';
  const refused = held.refusedWrites > 0 ? `; ${formatCount(held.refusedWrites)} writes told to retry (503 Retry-After)` : '';
  return `Held through the failover: ${formatCount(held.requests)} requests, up to ${formatMs(held.maxMs)}${expired}${refused}`;
}
