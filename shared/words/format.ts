/**
 * Times and numbers as a person reads them, the same in the app and in every report format: a
 * wall clock to the millisecond ("12:04:31.512") or a time after what it belongs to ("+1.204 s
 * after the kill"), never a bare "+01:07.104"; numbers rounded to what they mean.
 */

const isNumber = (value: number | null | undefined): value is number => typeof value === 'number' && Number.isFinite(value);

/** Below this a difference is floating-point noise, not a measurement (a share of 1.8e-17 is zero). */
const NOISE = 1e-9;

/** A number with at most `digits` decimals and no trailing zeros: 3, 3.5, 0.042; never "-0", never an exponent. */
export function formatDecimal(value: number | null | undefined, digits = 2): string {
  if (!isNumber(value)) return '—';
  if (Math.abs(value) < NOISE) return '0';
  // toFixed writes an exponent from 1e21 on: beyond anything the lab counts, but never "1e+21".
  if (Math.abs(value) >= 1e21) return BigInt(Math.round(value)).toString();
  const fixed = value.toFixed(digits);
  const trimmed = digits > 0 ? fixed.replace(/\.?0+$/, '') : fixed;
  return trimmed === '-0' ? '0' : trimmed;
}

/**
 * A duration as a drill reads it: "0.4 ms", "4.9 ms", "312 ms", "1.20 s", "12.3 s", "2 min 05 s",
 * "3 h 04 min"; a tenth of a millisecond below 10 ms, whole milliseconds above; "< 0.1 ms" for a
 * measured instant shorter than that, "—" when there is none.
 */
export function formatDuration(ms: number | null | undefined): string {
  if (!isNumber(ms)) return '—';
  const abs = Math.abs(ms);
  const sign = ms < 0 && abs >= 0.05 ? '−' : '';
  if (abs < NOISE) return '0 ms';
  if (abs < 0.05) return '< 0.1 ms';
  if (abs < 9.95) return `${sign}${(Math.round(abs * 10) / 10).toFixed(1)} ms`;
  if (abs < 999.5) return `${sign}${Math.round(abs)} ms`;
  if (abs < 9_995) return `${sign}${(abs / 1_000).toFixed(2)} s`;
  if (abs < 59_950) return `${sign}${(abs / 1_000).toFixed(1)} s`;
  if (abs < 3_599_500) {
    const totalSeconds = Math.round(abs / 1_000);
    return `${sign}${Math.floor(totalSeconds / 60)} min ${String(totalSeconds % 60).padStart(2, '0')} s`;
  }
  const totalMinutes = Math.round(abs / 60_000);
  return `${sign}${Math.floor(totalMinutes / 60)} h ${String(totalMinutes % 60).padStart(2, '0')} min`;
}

/**
 * A share 0..1 as a percentage with at most `digits` decimals: "0 %", "1.8 %", "0.05 %", "100 %".
 * Float noise is zero ("0 %", never "1.8e-15 %"); a share that is not zero never reads "0 %"
 * ("< 0.01 %"), and one that is not whole never reads "100 %" ("> 99.99 %").
 */
export function formatPercent(share: number | null | undefined, digits = 2): string {
  if (!isNumber(share)) return '—';
  const percent = share * 100;
  if (Math.abs(percent) < NOISE) return '0 %';
  if (Math.abs(percent - 100) < NOISE) return '100 %';
  const step = 10 ** -digits;
  const rounded = Number(percent.toFixed(digits));
  if (rounded === 0) return percent > 0 ? `< ${formatDecimal(step, digits)} %` : `> −${formatDecimal(step, digits)} %`;
  if (rounded === 100 && percent < 100) return `> ${formatDecimal(100 - step, digits)} %`;
  return `${formatDecimal(rounded, digits).replace(/^-/, '−')} %`;
}

/** How a wall clock is read: the reader's own zone (the app), or UTC (a report read anywhere). */
export type ClockZone = 'local' | 'utc';

/** Epoch ms as a wall clock to the millisecond: "12:04:31.512". */
export function formatClock(epochMs: number | null | undefined, zone: ClockZone = 'local'): string {
  if (!isNumber(epochMs)) return '—';
  const date = new Date(Math.round(epochMs));
  const utc = zone === 'utc';
  const h = utc ? date.getUTCHours() : date.getHours();
  const m = utc ? date.getUTCMinutes() : date.getMinutes();
  const s = utc ? date.getUTCSeconds() : date.getSeconds();
  const ms = utc ? date.getUTCMilliseconds() : date.getMilliseconds();
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${pad(ms, 3)}`;
}

/**
 * A time after the fault or incident it belongs to, to the millisecond (a tenth below 10 ms): "+4.2 ms", "+312 ms after the kill",
 * "+1.204 s after the kill", "+1 min 07.104 s after the freeze". Without `what`, just the offset.
 */
export function formatAfter(ms: number | null | undefined, what?: string): string {
  if (!isNumber(ms)) return '—';
  const abs = Math.abs(ms) < 9.95 ? Math.round(Math.abs(ms) * 10) / 10 : Math.abs(Math.round(ms));
  const sign = ms <= -0.05 ? '−' : '+';
  let offset: string;
  if (abs < 10) offset = `${formatDecimal(abs, 1)} ms`;
  else if (abs < 1_000) offset = `${abs} ms`;
  else if (abs < 60_000) offset = `${(abs / 1_000).toFixed(3)} s`;
  else {
    const minutes = Math.floor(abs / 60_000);
    offset = `${minutes} min ${((abs - minutes * 60_000) / 1_000).toFixed(3).padStart(6, '0')} s`;
  }
  const relation = sign === '−' ? 'before' : 'after';
  return what ? `${sign}${offset} ${relation} ${what}` : `${sign}${offset}`;
}

/** What an incident's cause is called after "after": "the kill", "the freeze", "the exit", "the latency fault". */
export function causeWords(cause: string): string {
  const fault = cause.startsWith('fault:') ? cause.slice('fault:'.length) : null;
  if (fault === null) {
    if (cause === 'exit') return 'the exit';
    // An incident opened by a detection before anything else was seen: `detected:<via>`.
    if (cause.startsWith('detected:')) return 'the detection';
    if (cause === 'hang') return 'the hang';
    return `the ${cause.replace(/[-_]/g, ' ')}`;
  }
  return FAULT_NOUNS[fault] ?? `the ${fault.replace(/_/g, ' ')} fault`;
}

const FAULT_NOUNS: Record<string, string> = {
  kill: 'the kill',
  pause: 'the freeze',
  'crash-loop': 'the crash loop',
  restart: 'the restart',
  partition: 'the partition',
  latency: 'the latency fault',
  http_error: 'the HTTP errors',
  http_abort: 'the aborted responses',
};

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** An incident's span, as "after" reads it: from its start to its recovery (open: no end yet). */
export interface IncidentSpan {
  cause: string;
  start: number;
  end: number | null;
  /** The node the incident is about (an event of that node reads its time after this incident first). */
  nodeId?: string | null;
}

/** Where an incident's clock starts: its injection, else the earliest stage seen (a detection can precede the exit it was about). */
export function incidentStart(incident: { stages: Partial<Record<string, number>> }): number | undefined {
  if (incident.stages.injected !== undefined) return incident.stages.injected;
  const times = Object.values(incident.stages).filter((t): t is number => t !== undefined);
  return times.length > 0 ? Math.min(...times) : undefined;
}

/** Incidents (live, or a recording's) as spans: from the fault, else the first stage seen, to recovered. */
export function incidentSpans(incidents: ReadonlyArray<{ nodeId: string; cause: string; stages: Partial<Record<string, number>> }>): IncidentSpan[] {
  return incidents.flatMap((incident) => {
    const start = incidentStart(incident);
    return start === undefined ? [] : [{ cause: incident.cause, start, end: incident.stages.recovered ?? null, nodeId: incident.nodeId }];
  });
}

/**
 * The time of `at` after the start of the incident it falls in (the latest one started by then, and
 * not yet recovered): "+1.204 s after the kill"; null outside any incident or at its very start.
 * With `nodeId`, that node's own incident comes first (a freeze of a3 and a kill of a5 a moment
 * later: a3's ejection is "after the freeze"); another node's is used only when it has none (the
 * standby's promotion reads its time after the primary's kill).
 */
export function afterIncident(at: number, incidents: ReadonlyArray<IncidentSpan>, nodeId?: string | null): string | null {
  let found: IncidentSpan | null = null;
  let own: IncidentSpan | null = null;
  for (const incident of incidents) {
    if (incident.start > at || (incident.end !== null && incident.end < at)) continue;
    if (!found || incident.start > found.start) found = incident;
    if (nodeId && incident.nodeId === nodeId && (!own || incident.start > own.start)) own = incident;
  }
  const chosen = own ?? found;
  if (!chosen || at - chosen.start < 0.5) return null;
  return formatAfter(at - chosen.start, causeWords(chosen.cause));
}
