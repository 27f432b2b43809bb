import { formatMs, formatNumber } from './format.js';
import type { ReportAvailability, ReportIncident } from './model.js';
import { incidentSystemMttr } from './mttr-split.js';

/**
 * Availability arithmetic from what a drill measured: A = MTBF / (MTBF + MTTR) for one node and,
 * with n independent replicas of which k are needed to carry the load, the binomial sum
 * Σ_{i=k..n} C(n,i) A^i (1 − A)^(n−i) (k = 1 gives 1 − (1 − A)^n). MTTR is measured, without the
 * time the recovery waited on a person or on the drill's script (mttr-split.ts); MTBF is an
 * assumption (a drill causes failures, it cannot observe how often they happen on their own).
 * Computed through the unavailability (1 − A) so that tiny numbers keep their digits.
 */

/** 30 days: the assumed mean time between failures of one node unless a caller says otherwise. */
export const DEFAULT_MTBF_HOURS = 720;

const MS_PER_HOUR = 3_600_000;
/** A year of 365.25 days. */
const MINUTES_PER_YEAR = 365.25 * 24 * 60;

export interface AvailabilityInput {
  /** The measured mean time to recover, ms; null when nothing failed and recovered. */
  mttrMs: number | null;
  /** Replicas that serve (m). */
  replicas: number;
  /** How many of them the load needs (k of m); default 1: any one is enough. */
  needed?: number;
  /** The incidents' mean MTTR as measured, people and the drill's holds included (for the explanation); default `mttrMs`. */
  mttrTotalMs?: number | null;
  /** The assumed mean time between failures of one node, hours (default 720 = 30 days). */
  mtbfHours?: number;
}

/** The mean MTTR of the incidents that recovered; null when none did. */
export function meanMttr(incidents: ReadonlyArray<Pick<ReportIncident, 'mttrMs'>>): number | null {
  const measured = incidents.map((incident) => incident.mttrMs).filter((ms): ms is number => typeof ms === 'number' && Number.isFinite(ms) && ms >= 0);
  if (measured.length === 0) return null;
  return measured.reduce((sum, ms) => sum + ms, 0) / measured.length;
}

/** The mean MTTR the system is answerable for: detection + automatic recovery (`mttrSplit`), the whole MTTR where an incident has no split. */
export function meanSystemMttr(incidents: ReadonlyArray<Pick<ReportIncident, 'mttrMs' | 'mttrSplit'>>): number | null {
  return meanMttr(incidents.map((incident) => ({ mttrMs: incidentSystemMttr(incident) })));
}

/**
 * The service's unavailability with `n` independent replicas of unavailability `u`, `k` of them
 * needed: the chance that more than n − k are down at once, Σ_{j=n−k+1..n} C(n,j) u^j (1 − u)^(n−j).
 */
export function kOfNUnavailability(u: number, n: number, k: number): number {
  let total = 0;
  for (let down = n - k + 1; down <= n; down++) total += binomial(n, down) * u ** down * (1 - u) ** (n - down);
  return Math.min(1, total);
}

function binomial(n: number, r: number): number {
  let c = 1;
  for (let i = 1; i <= r; i++) c = (c * (n - r + i)) / i;
  return Math.round(c);
}

/** 1 - A for one node; null without a usable MTTR. */
function unavailability(mttrMs: number | null, mtbfHours: number): number | null {
  if (mttrMs === null || !Number.isFinite(mttrMs) || mttrMs < 0) return null;
  const mtbfMs = mtbfHours * MS_PER_HOUR;
  return mttrMs / (mtbfMs + mttrMs);
}

/** An availability in percent with enough decimals to show two digits of what is missing: 99.999988 %. */
export function formatAvailability(unavailable: number | null): string {
  if (unavailable === null || !Number.isFinite(unavailable)) return '—';
  if (unavailable <= 0) return '100 %';
  if (unavailable >= 1) return '0 %';
  const decimals = Math.max(1, Math.ceil(-Math.log10(unavailable * 100)) + 1);
  // Past ten decimals a person counts nines, not digits (and never reads "1.0e-19 %").
  if (decimals > 10) return `> 99.9999999999 % (${Math.floor(-Math.log10(unavailable) + 1e-9)} nines)`;
  return `${((1 - unavailable) * 100).toFixed(decimals)} %`;
}

/** Downtime a year, in words: "4.3 min", "52 ms", "well under 1 ms". */
export function formatDowntime(minutesPerYear: number | null): string {
  if (minutesPerYear === null || !Number.isFinite(minutesPerYear)) return '—';
  const ms = minutesPerYear * 60_000;
  if (ms < 0.01) return 'well under 1 ms';
  return formatMs(ms);
}

function hoursInWords(hours: number): string {
  const days = hours / 24;
  return Number.isInteger(days) && days >= 1 ? `${formatNumber(hours)} h (${formatNumber(days)} days)` : `${formatNumber(hours)} h`;
}

/** k of n, made whole: 1 ≤ k ≤ n. */
function neededOf(needed: number | undefined, n: number): number {
  return Math.min(n, Math.max(1, Math.floor(needed !== undefined && Number.isFinite(needed) ? needed : 1)));
}

/** The service's formula in words and symbols, for n replicas of which k are needed. */
function serviceFormula(n: number, k: number): { symbols: string; words: string } {
  if (n === 1) return { symbols: 'A', words: 'With a single replica, that is the service\'s availability too' };
  if (k === 1) return { symbols: `1 − (1 − A)^${n}`, words: `With ${n} replicas, any one of them enough to serve, and failures independent of each other: 1 − (1 − A)^${n}` };
  if (k === n) return { symbols: `A^${n}`, words: `With ${n} replicas and all ${n} needed to carry the load (no spare), the service is down whenever any one is: A^${n}` };
  return {
    symbols: `Σ i=${k}..${n} C(${n},i) A^i (1 − A)^(${n}−i)`,
    words: `With ${n} replicas of which ${k} are needed to carry the load (${n - k} spare), and failures independent of each other, the service is up while at least ${k} are: Σ i=${k}..${n} C(${n},i) A^i (1 − A)^(${n}−i)`,
  };
}

/** What the MTTR used leaves out, in words; empty when nothing was left out. */
function leftOut(mttrMs: number, mttrTotalMs: number | null | undefined): string {
  if (mttrTotalMs === null || mttrTotalMs === undefined || !(mttrTotalMs - mttrMs > 0.5)) return '';
  return ` (the incidents' whole MTTR averaged ${formatMs(mttrTotalMs)}; the ${formatMs(mttrTotalMs - mttrMs)} more was the recovery waiting on a person or on the drill's script, which measures the learner and the drill, not the system)`;
}

export function availabilityFrom({ mttrMs, replicas, needed, mttrTotalMs, mtbfHours = DEFAULT_MTBF_HOURS }: AvailabilityInput): ReportAvailability {
  if (!(mtbfHours > 0) || !Number.isFinite(mtbfHours)) throw new RangeError(`mtbfHours must be a positive number, got ${mtbfHours}`);
  const n = Math.max(1, Math.floor(Number.isFinite(replicas) ? replicas : 1));
  const k = neededOf(needed, n);
  const u = unavailability(mttrMs, mtbfHours);
  const mtbf = hoursInWords(mtbfHours);
  const extra = { needed: k, mttrTotalMs: mttrTotalMs === undefined ? mttrMs : mttrTotalMs };
  if (u === null) {
    return {
      mttrMs: null,
      mtbfHours,
      replicas: n,
      ...extra,
      single: null,
      combined: null,
      downtimeMinutesPerYear: null,
      explanation:
        `Nothing failed and recovered in this drill, so there is no measured MTTR to compute availability from. ` +
        `(Availability of one node would be MTBF / (MTBF + MTTR), with MTBF assumed to be ${mtbf}.)`,
    };
  }
  const uCombined = kOfNUnavailability(u, n, k);
  const downtime = uCombined * MINUTES_PER_YEAR;
  const mttr = formatMs(mttrMs);
  const single = `A = MTBF / (MTBF + MTTR) = ${formatNumber(mtbfHours)} h / (${formatNumber(mtbfHours)} h + ${mttr}) = ${formatAvailability(u)}`;
  const formula = serviceFormula(n, k);
  const need = needed === undefined && n > 1 ? ' The drill does not say how many nodes its load needs (topology `needed`), so one is taken to be enough.' : '';
  return {
    mttrMs,
    mtbfHours,
    replicas: n,
    ...extra,
    single: 1 - u,
    combined: 1 - uCombined,
    downtimeMinutesPerYear: downtime,
    explanation:
      `Availability of one node: ${single}. ` +
      `MTBF, ${mtbf} between failures of one node, is an assumption, not a measurement; ` +
      `MTTR, ${mttr}, is measured: the mean of detection + automatic recovery over this drill's recovered incidents${leftOut(mttrMs as number, mttrTotalMs)}. ` +
      `${formula.words} = ${n === 1 ? formatAvailability(u) : formatAvailability(uCombined)}; expected downtime a year: ${formatDowntime(downtime)}.${need}`,
  };
}

/** The arithmetic with its numbers, one line each, for the report formats (plain text, unescaped). */
export function availabilityLines(availability: ReportAvailability): string[] {
  const { mttrMs, mtbfHours, replicas } = availability;
  const k = neededOf(availability.needed, replicas);
  const u = unavailability(mttrMs, mtbfHours);
  if (u === null) return [`MTBF (assumed) = ${hoursInWords(mtbfHours)}`, 'MTTR (measured) = — (nothing failed and recovered)', 'A = MTBF / (MTBF + MTTR): not computed'];
  const uCombined = kOfNUnavailability(u, replicas, k);
  const total = availability.mttrTotalMs;
  const lines = [`MTBF (assumed)  = ${hoursInWords(mtbfHours)}`, `MTTR (measured) = ${formatMs(mttrMs)}${total !== undefined && total !== null && total - (mttrMs as number) > 0.5 ? ` (detection + automatic; ${formatMs(total)} with operator and drill time)` : ''}`];
  return [
    ...lines,
    `A (one node)    = MTBF / (MTBF + MTTR) = ${formatNumber(mtbfHours)} h / (${formatNumber(mtbfHours)} h + ${formatMs(mttrMs)}) = ${formatAvailability(u)}`,
    `n replicas      = ${replicas}`,
    ...(k > 1 ? [`k needed        = ${k}`] : []),
    `A (service)     = ${serviceFormula(replicas, k).symbols} = ${formatAvailability(uCombined)}`,
    `downtime a year = (1 − A(service)) × 525,960 min = ${formatDowntime(uCombined * MINUTES_PER_YEAR)}`,
  ];
}

/** The service's unavailability, recomputed from the inputs (the stored `combined` may have rounded to exactly 1). */
export function serviceUnavailability(availability: ReportAvailability): number | null {
  const u = unavailability(availability.mttrMs, availability.mtbfHours);
  return u === null ? null : kOfNUnavailability(u, availability.replicas, neededOf(availability.needed, availability.replicas));
}
