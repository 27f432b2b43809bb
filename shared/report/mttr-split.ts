import type { FaultRecord, Incident, MttrSplit } from '../contract/model.js';
import type { DrillRunStatus, StepRecord } from '../drill/run.js';
import { formatMs } from './format.js';

/**
 * An incident's MTTR (fault → recovered) in four parts that add up to it:
 *
 * - detection: fault → detected (the MTTD);
 * - operator: time the recovery waited on a person, from a prompt shown (a manual step, a
 *   question, a pause before a fault) to the act done or *Done*;
 * - drill: time the drill's own script held the node down: a fault on it still in place (the
 *   drill reverts it when its steps say so), and, when a person's act was needed, the drill's
 *   waits and steps between the detection and the prompt;
 * - automatic: the rest, the system recovering by itself (restart, promotion, readmission).
 *
 * A wait counts only while the recovery had not begun yet (no restart, restore, failover or
 * recovery stage): once the system is recovering on its own, a question on screen does not slow
 * it down. Availability uses detection + automatic (`systemMttr`): operator and drill time
 * measure the learner and the script, not the system.
 *
 * Times are in one unit and one origin throughout (ms since the run started in a report, epoch
 * ms in the live lab).
 */

export interface TimeWindow {
  fromMs: number;
  toMs: number;
}

export interface MttrSplitInput {
  incident: Pick<Incident, 'stages' | 'mttdMs' | 'mttrMs'>;
  /** When the run waited on a person: prompt shown → act done (or the answer). */
  operatorWaits?: readonly TimeWindow[];
  /** When the drill held the node down: a fault on the incident's node, injected → reverted. */
  drillHolds?: readonly TimeWindow[];
}

const RECOVERY_STAGES = ['restarted', 'restored', 'failedOver', 'recovered'] as const;

/** The split; null when the incident has no MTTR (not recovered, or no ground-truth start). */
export function mttrSplit({ incident, operatorWaits = [], drillHolds = [] }: MttrSplitInput): MttrSplit | null {
  const { stages, mttdMs, mttrMs } = incident;
  const recovered = stages.recovered;
  if (mttrMs === null || recovered === undefined || !Number.isFinite(mttrMs)) return null;
  const start = recovered - mttrMs;
  const detection = clamp(mttdMs ?? mttrMs, 0, mttrMs);
  const detected = start + detection;
  // The system's own recovery begins with its first recovery stage after the detection.
  const began = Math.min(...RECOVERY_STAGES.map((s) => stages[s]).filter((at): at is number => at !== undefined && at >= detected), recovered);
  const operator = clip(operatorWaits, detected, began);
  const holds = clip(drillHolds, detected, began);
  // Before the last act a person did, the node was waiting for the drill to ask: the script's time too.
  const lastAct = operator.reduce((latest, w) => Math.max(latest, w.toMs), -Infinity);
  if (lastAct > detected) holds.push({ fromMs: detected, toMs: lastAct });
  const operatorMs = measure(operator);
  const drillMs = Math.max(0, measure([...holds, ...operator]) - operatorMs);
  const automaticMs = Math.max(0, mttrMs - detection - operatorMs - drillMs);
  return { detectionMs: round(detection), drillMs: round(drillMs), operatorMs: round(operatorMs), automaticMs: round(automaticMs) };
}

/** When a run waited on a person (ms of the run; `offset` moves them, e.g. to epoch ms), from the steps that prompted. */
export function operatorWaits(steps: readonly Pick<StepRecord, 'operatorWaitFromMs' | 'operatorWaitMs'>[], offset = 0): TimeWindow[] {
  return steps.flatMap((s) => (s.operatorWaitFromMs !== undefined && s.operatorWaitMs !== undefined ? [{ fromMs: offset + s.operatorWaitFromMs, toMs: offset + s.operatorWaitFromMs + s.operatorWaitMs }] : []));
}

/** The MTTR the system is answerable for: detection + automatic recovery (no operator, no drill holds). */
export function systemMttr(split: MttrSplit): number {
  return split.detectionMs + split.automaticMs;
}

/** The incident's MTTR without the people and the script: the split's system part, or the whole MTTR when there is no split (older reports). */
export function incidentSystemMttr(incident: Pick<Incident, 'mttrMs' | 'mttrSplit'>): number | null {
  if (incident.mttrMs === null) return null;
  return incident.mttrSplit ? systemMttr(incident.mttrSplit) : incident.mttrMs;
}

/**
 * The split of an incident as the live lab shows it (epoch ms): its own `mttrSplit` if it has one,
 * else made from the drill run it happened in (its prompts) and the faults the drill kept on its node.
 */
export function liveMttrSplit(
  incident: Incident,
  run: Pick<DrillRunStatus, 'startedAt' | 'steps'> | null,
  faults: ReadonlyArray<Pick<FaultRecord, 'target' | 'kind' | 'injectedAt' | 'revertedAt'>>,
): MttrSplit | null {
  if (incident.mttrSplit !== undefined) return incident.mttrSplit;
  const start = incident.stages.injected ?? incident.stages.observed ?? incident.stages.detected;
  const inRun = !!run && start !== undefined && start >= run.startedAt;
  // Outside a drill a fault in place was an operator's choice, not a script's: no holds then.
  const drillHolds = faults
    .filter((f) => inRun && f.target === incident.nodeId && f.kind !== 'checkpoint' && f.revertedAt !== null && f.injectedAt >= run.startedAt)
    .map((f) => ({ fromMs: f.injectedAt, toMs: f.revertedAt as number }));
  return mttrSplit({ incident, operatorWaits: inRun ? operatorWaits(run.steps, run.startedAt) : [], drillHolds });
}

/** The mean of each part over the incidents that have a split; null when none has. */
export function meanMttrSplit(incidents: ReadonlyArray<Pick<Incident, 'mttrSplit'>>): MttrSplit | null {
  const splits = incidents.map((i) => i.mttrSplit).filter((s): s is MttrSplit => s !== null && s !== undefined);
  if (splits.length === 0) return null;
  const mean = (key: keyof MttrSplit): number => round(splits.reduce((sum, s) => sum + s[key], 0) / splits.length);
  return { detectionMs: mean('detectionMs'), drillMs: mean('drillMs'), operatorMs: mean('operatorMs'), automaticMs: mean('automaticMs') };
}

/** One line: "detection 4 ms + drill 5.2 s + operator 6.8 s + automatic 1.2 s". */
export function formatMttrSplit(split: MttrSplit): string {
  const parts = [`detection ${formatMs(split.detectionMs)}`];
  if (split.drillMs > 0) parts.push(`drill ${formatMs(split.drillMs)}`);
  if (split.operatorMs > 0) parts.push(`operator ${formatMs(split.operatorMs)}`);
  parts.push(`automatic ${formatMs(split.automaticMs)}`);
  return parts.join(' + ');
}

/** What the parts mean, in one paragraph, for the reports. */
export const MTTR_SPLIT_EXPLANATION =
  'MTTR (fault → recovered) is split into detection (fault → detected), drill (the drill kept the node down: ' +
  'a fault it had not reverted yet, or its own steps before asking for the act), operator (a prompt on screen ' +
  'until the act was done: reading and clicking) and automatic (the system recovering by itself). Only ' +
  'detection + automatic is the system’s: that is the MTTR the availability uses.';

function clip(windows: readonly TimeWindow[], from: number, to: number): TimeWindow[] {
  return windows
    .map((w) => ({ fromMs: Math.max(w.fromMs, from), toMs: Math.min(w.toMs, to) }))
    .filter((w) => Number.isFinite(w.fromMs) && Number.isFinite(w.toMs) && w.toMs > w.fromMs);
}

/** Total length of the union of windows. */
function measure(windows: readonly TimeWindow[]): number {
  const sorted = [...windows].sort((a, b) => a.fromMs - b.fromMs);
  let total = 0;
  let end = -Infinity;
  for (const w of sorted) {
    if (w.toMs <= end) continue;
    total += w.toMs - Math.max(w.fromMs, end);
    end = w.toMs;
  }
  return total;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
