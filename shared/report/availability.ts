import { formatMs, formatNumber } from './format.js';
import type { ReportAvailability, ReportIncident } from './model.js';

/**
 * Availability arithmetic from what a drill measured: A = MTBF / (MTBF + MTTR) for one node and,
 * with n independent replicas of which one is enough, 1 - (1 - A)^n. MTTR is measured; MTBF is
 * an assumption (a drill causes failures, it cannot observe how often they happen on their own).
 * Computed through the unavailability (1 - A) so that tiny numbers keep their digits.
 */

/** 30 days: the assumed mean time between failures of one node unless a caller says otherwise. */
export const DEFAULT_MTBF_HOURS = 720;

const MS_PER_HOUR = 3_600_000;
/** A year of 365.25 days. */
const MINUTES_PER_YEAR = 365.25 * 24 * 60;

export interface AvailabilityInput {
  /** The measured mean time to recover, ms; null when nothing failed and recovered. */
  mttrMs: number | null;
  /** Replicas that can each serve alone. */
  replicas: number;
  /** The assumed mean time between failures of one node, hours (default 720 = 30 days). */
  mtbfHours?: number;
}

/** The mean MTTR of the incidents that recovered; null when none did. */
export function meanMttr(incidents: ReadonlyArray<Pick<ReportIncident, 'mttrMs'>>): number | null {
  const measured = incidents.map((incident) => incident.mttrMs).filter((ms): ms is number => typeof ms === 'number' && Number.isFinite(ms) && ms >= 0);
  if (measured.length === 0) return null;
  return measured.reduce((sum, ms) => sum + ms, 0) / measured.length;
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

export function availabilityFrom({ mttrMs, replicas, mtbfHours = DEFAULT_MTBF_HOURS }: AvailabilityInput): ReportAvailability {
  if (!(mtbfHours > 0) || !Number.isFinite(mtbfHours)) throw new RangeError(`mtbfHours must be a positive number, got ${mtbfHours}`);
  const n = Math.max(1, Math.floor(Number.isFinite(replicas) ? replicas : 1));
  const u = unavailability(mttrMs, mtbfHours);
  const mtbf = hoursInWords(mtbfHours);
  if (u === null) {
    return {
      mttrMs: null,
      mtbfHours,
      replicas: n,
      single: null,
      combined: null,
      downtimeMinutesPerYear: null,
      explanation:
        `Nothing failed and recovered in this drill, so there is no measured MTTR to compute availability from. ` +
        `(Availability of one node would be MTBF / (MTBF + MTTR), with MTBF assumed to be ${mtbf}.)`,
    };
  }
  const uCombined = u ** n;
  const downtime = uCombined * MINUTES_PER_YEAR;
  const mttr = formatMs(mttrMs);
  const single = `A = MTBF / (MTBF + MTTR) = ${formatNumber(mtbfHours)} h / (${formatNumber(mtbfHours)} h + ${mttr}) = ${formatAvailability(u)}`;
  const combined =
    n === 1
      ? `With a single replica, that is the service's availability too`
      : `With ${n} replicas, any one of them enough to serve, and failures independent of each other: 1 − (1 − A)^${n} = ${formatAvailability(uCombined)}`;
  return {
    mttrMs,
    mtbfHours,
    replicas: n,
    single: 1 - u,
    combined: 1 - uCombined,
    downtimeMinutesPerYear: downtime,
    explanation:
      `Availability of one node: ${single}. ` +
      `MTBF, ${mtbf} between failures of one node, is an assumption, not a measurement; ` +
      `MTTR, ${mttr}, is measured: the mean time from the fault to "recovered" over this drill's recovered incidents. ` +
      `${combined}; expected downtime a year: ${formatDowntime(downtime)}.`,
  };
}

/** The arithmetic with its numbers, one line each, for the report formats (plain text, unescaped). */
export function availabilityLines(availability: ReportAvailability): string[] {
  const { mttrMs, mtbfHours, replicas } = availability;
  const u = unavailability(mttrMs, mtbfHours);
  if (u === null) return [`MTBF (assumed) = ${hoursInWords(mtbfHours)}`, 'MTTR (measured) = — (nothing failed and recovered)', 'A = MTBF / (MTBF + MTTR): not computed'];
  const uCombined = u ** replicas;
  return [
    `MTBF (assumed)  = ${hoursInWords(mtbfHours)}`,
    `MTTR (measured) = ${formatMs(mttrMs)}`,
    `A (one node)    = MTBF / (MTBF + MTTR) = ${formatNumber(mtbfHours)} h / (${formatNumber(mtbfHours)} h + ${formatMs(mttrMs)}) = ${formatAvailability(u)}`,
    `n replicas      = ${replicas}`,
    `A (service)     = 1 − (1 − A)^${replicas} = ${formatAvailability(uCombined)}`,
    `downtime a year = (1 − A(service)) × 525,960 min = ${formatDowntime(uCombined * MINUTES_PER_YEAR)}`,
  ];
}

/** The service's unavailability, recomputed from the inputs (the stored `combined` may have rounded to exactly 1). */
export function serviceUnavailability(availability: ReportAvailability): number | null {
  const u = unavailability(availability.mttrMs, availability.mtbfHours);
  return u === null ? null : u ** availability.replicas;
}
