import { z } from 'zod';
import { MttrSplit } from '../contract/model.js';
import { DrillProfile, DrillVerdict, HypothesisName, Verdict } from '../drill/run.js';
import { formatAvailability, formatDowntime, meanMttr, serviceUnavailability } from './availability.js';
import { formatMttrSplit, incidentSystemMttr, meanMttrSplit } from './mttr-split.js';
import { escapeHtml, formatCount, formatDate, formatMs, formatPercent } from './format.js';
import { htmlPage } from './html-page.js';
import { mdTable, mdText } from './markdown.js';
import { ReportAvailability, type DrillReport } from './model.js';
import { HYPOTHESIS_LABELS, VERDICT_WORDS, errorRateOf, faultPeriods, hypothesisValue, incidentStats } from './report-facts.js';
import { CHART_COLORS, lineChart, type ChartPeriod } from './svg-chart.js';

/**
 * Two to six drill runs side by side: the same drill with another topology, strategy or retry
 * setting, or the same setup run again. Runs of different drills may be compared too; a note
 * says so, since their steps and timings differ.
 */

export const MIN_COMPARED = 2;
export const MAX_COMPARED = 6;

const MeanMax = z.object({ mean: z.number().nullable(), max: z.number().nullable() });

export const ComparisonColumn = z.object({
  /** "#1", "#2", ... in the order given. */
  label: z.string(),
  id: z.string(),
  drillId: z.string(),
  drillTitle: z.string(),
  startedAt: z.number(),
  topology: z.string().nullable(),
  replication: z.enum(['sync', 'sync-degradable', 'async']).nullable(),
  strategy: z.string(),
  retryEnabled: z.boolean(),
  seed: z.number().int(),
  profile: DrillProfile,
  verdict: DrillVerdict,
  reason: z.string(),
  durationMs: z.number(),
  traffic: z.object({ sent: z.number().int(), failed: z.number().int(), errorRate: z.number().nullable() }),
  latency: z.object({ p50: z.number().nullable(), p99: z.number().nullable() }),
  incidents: z.array(z.object({ id: z.string(), nodeId: z.string(), cause: z.string(), mttdMs: z.number().nullable(), mttrMs: z.number().nullable(), mttrSplit: MttrSplit.nullable().optional() })),
  mttd: MeanMax,
  mttr: MeanMax,
  lostWrites: z.number().int(),
  staleWrites: z.number().int(),
  ledgerVerdict: z.enum(['pass', 'fail', 'unchecked']),
  hypothesis: z.array(z.object({ name: HypothesisName, limit: z.number(), worst: z.number().nullable(), verdict: Verdict })),
  expectations: z.object({ passed: z.number().int(), failed: z.number().int(), pending: z.number().int() }),
  availability: ReportAvailability.omit({ explanation: true }),
});
export type ComparisonColumn = z.infer<typeof ComparisonColumn>;

export const ReportComparison = z.object({
  columns: z.array(ComparisonColumn).min(MIN_COMPARED).max(MAX_COMPARED),
  /** All runs are of one drill. */
  sameDrill: z.boolean(),
  /** What makes the runs less comparable (different drills, seeds, profiles). */
  notes: z.array(z.string()),
});
export type ReportComparison = z.infer<typeof ReportComparison>;

function columnOf(report: DrillReport, index: number): ComparisonColumn {
  const stats = report.traffic.stats;
  const incidents = incidentStats(report.incidents);
  const { explanation: _explanation, ...availability } = report.availability;
  return {
    label: `#${index + 1}`,
    id: report.id,
    drillId: report.drill.id,
    drillTitle: report.drill.title,
    startedAt: report.startedAt,
    topology: report.topology?.kind ?? null,
    replication: report.topology?.kind === 'hot-standby' ? report.topology.replication : null,
    strategy: report.balancer.strategy,
    retryEnabled: report.balancer.retry.enabled,
    seed: report.seed,
    profile: report.profile,
    verdict: report.verdict,
    reason: report.reason,
    durationMs: report.durationMs,
    traffic: { sent: stats?.sent ?? 0, failed: stats?.failed ?? 0, errorRate: errorRateOf(stats) },
    latency: { p50: stats && stats.latency.count > 0 ? stats.latency.p50 : null, p99: stats && stats.latency.count > 0 ? stats.latency.p99 : null },
    incidents: report.incidents.map(({ id, nodeId, cause, mttdMs, mttrMs, mttrSplit }) => ({ id, nodeId, cause, mttdMs, mttrMs, ...(mttrSplit !== undefined ? { mttrSplit } : {}) })),
    mttd: incidents.mttd,
    mttr: incidents.mttr,
    lostWrites: report.ledger.lost,
    staleWrites: report.ledger.stale,
    ledgerVerdict: report.ledger.verdict,
    hypothesis: report.hypothesis.map(({ name, limit, worst, verdict }) => ({ name, limit, worst, verdict })),
    expectations: {
      passed: report.expectations.filter((expectation) => expectation.verdict === 'pass').length,
      failed: report.expectations.filter((expectation) => expectation.verdict === 'fail').length,
      pending: report.expectations.filter((expectation) => expectation.verdict === 'pending').length,
    },
    availability,
  };
}

/** Rows of per-incident times; the mean and max rows cover every incident. */
const MAX_INCIDENT_ROWS = 8;

const distinct = <T>(values: T[]): T[] => [...new Set(values)];

export function compareReports(reports: ReadonlyArray<DrillReport>): ReportComparison {
  if (reports.length < MIN_COMPARED || reports.length > MAX_COMPARED) {
    throw new RangeError(`compare ${MIN_COMPARED} to ${MAX_COMPARED} reports, not ${reports.length}`);
  }
  const columns = reports.map(columnOf);
  const drills = distinct(columns.map((column) => column.drillId));
  const notes: string[] = [];
  if (drills.length > 1) notes.push(`These runs are of different drills (${drills.join(', ')}): their steps, faults and timings differ, so compare the numbers with care.`);
  const seeds = distinct(columns.map((column) => column.seed));
  if (drills.length === 1 && seeds.length > 1) notes.push(`The seeds differ (${seeds.join(', ')}): the traffic and the random choices differ between runs.`);
  const profiles = distinct(columns.map((column) => column.profile));
  if (profiles.length > 1) notes.push(`The profiles differ (${profiles.join(', ')}): a short run scales waits and traffic down.`);
  const ids = columns.map((column) => column.id);
  if (distinct(ids).length < ids.length) notes.push('The same run appears more than once.');
  return { columns, sameDrill: drills.length === 1, notes };
}

interface ComparisonRow {
  label: string;
  cells: string[];
}

function meanMaxText(value: { mean: number | null; max: number | null }): string {
  return value.mean === null ? '—' : `${formatMs(value.mean)} / ${formatMs(value.max)}`;
}

/** The comparison as rows of plain text (a metric per row, a run per column), for every format. */
export function comparisonRows(comparison: ReportComparison): ComparisonRow[] {
  const { columns } = comparison;
  const row = (label: string, cell: (column: ComparisonColumn) => string): ComparisonRow => ({ label, cells: columns.map(cell) });
  const hypothesisNames = distinct(columns.flatMap((column) => column.hypothesis.map((check) => check.name)));
  return [
    row('run', (c) => c.id),
    row('drill', (c) => c.drillId),
    row('started', (c) => formatDate(c.startedAt)),
    row('topology', (c) => (c.topology ? `${c.topology}${c.replication ? ` (${c.replication})` : ''}` : 'fleet file')),
    row('strategy', (c) => c.strategy),
    row('retries', (c) => (c.retryEnabled ? 'on' : 'off')),
    row('seed', (c) => String(c.seed)),
    row('profile', (c) => c.profile),
    row('verdict', (c) => VERDICT_WORDS[c.verdict]),
    row('duration', (c) => formatMs(c.durationMs)),
    row('requests sent', (c) => formatCount(c.traffic.sent)),
    row('requests failed', (c) => formatCount(c.traffic.failed)),
    row('error rate', (c) => formatPercent(c.traffic.errorRate, 3)),
    row('p50', (c) => formatMs(c.latency.p50)),
    row('p99', (c) => formatMs(c.latency.p99)),
    row('incidents', (c) => String(c.incidents.length)),
    row('MTTD mean / max', (c) => meanMaxText(c.mttd)),
    row('MTTR mean / max', (c) => meanMaxText(c.mttr)),
    // The parts of the MTTR (mttr-split.ts): only detection + automatic is the system's.
    ...(columns.some((c) => c.incidents.some((i) => i.mttrSplit))
      ? [
          row('MTTR mean split', (c) => {
            const split = meanMttrSplit(c.incidents);
            return split ? formatMttrSplit(split) : '—';
          }),
          row('MTTR mean, system only', (c) => formatMs(meanMttr(c.incidents.map((i) => ({ mttrMs: incidentSystemMttr(i) }))))),
        ]
      : []),
    ...Array.from({ length: Math.min(MAX_INCIDENT_ROWS, Math.max(0, ...columns.map((c) => c.incidents.length))) }, (_, index) =>
      row(`incident ${index + 1}: MTTD / MTTR`, (c) => {
        const incident = c.incidents[index];
        return incident ? `${incident.nodeId} ${formatMs(incident.mttdMs)} / ${formatMs(incident.mttrMs)}` : '—';
      }),
    ),
    row('lost writes', (c) => formatCount(c.lostWrites)),
    row('stale writes', (c) => formatCount(c.staleWrites)),
    ...hypothesisNames.map((name) =>
      row(`hypothesis: ${HYPOTHESIS_LABELS[name]}`, (c) => {
        const check = c.hypothesis.find((entry) => entry.name === name);
        return check ? `${check.verdict}, worst ${hypothesisValue(check.name, check.worst)} (≤ ${hypothesisValue(check.name, check.limit)})` : '—';
      }),
    ),
    row('expectations passed', (c) => `${c.expectations.passed} of ${c.expectations.passed + c.expectations.failed + c.expectations.pending}`),
    row('availability (service)', (c) => `${formatAvailability(serviceUnavailability({ ...c.availability, explanation: '' }))}${(c.availability.needed ?? 1) > 1 ? ` (${c.availability.needed} of ${c.availability.replicas} needed)` : ''}`),
    row('downtime a year', (c) => formatDowntime(c.availability.downtimeMinutesPerYear)),
  ];
}

export function renderComparisonMarkdown(comparison: ReportComparison): string {
  const rows = comparisonRows(comparison);
  const out = [`# Comparison of ${comparison.columns.length} drill runs`, ''];
  for (const note of comparison.notes) out.push(`> **Note:** ${mdText(note)}`, '');
  out.push(mdTable(['', ...comparison.columns.map((column) => column.label)], rows.map((row) => [`**${mdText(row.label)}**`, ...row.cells.map(mdText)])), '');
  return out.join('\n');
}

const MAX_TEXT_CELL = 34;

function fit(text: string, width: number): string {
  const clipped = text.length > width ? `${text.slice(0, width - 1)}…` : text;
  return clipped.padEnd(width);
}

/** An aligned plain-text table for a terminal. */
export function renderComparisonText(comparison: ReportComparison): string {
  const rows = comparisonRows(comparison);
  const header = { label: '', cells: comparison.columns.map((column) => column.label) };
  const all = [header, ...rows];
  const labelWidth = Math.max(...all.map((row) => row.label.length));
  const widths = comparison.columns.map((_, index) => Math.min(MAX_TEXT_CELL, Math.max(...all.map((row) => (row.cells[index] ?? '').length))));
  const line = (row: ComparisonRow): string => [row.label.padEnd(labelWidth), ...row.cells.map((cell, index) => fit(cell, widths[index] ?? cell.length))].join('  ').trimEnd();
  const rule = ['-'.repeat(labelWidth), ...widths.map((width) => '-'.repeat(width))].join('  ');
  const out = [line(header), rule, ...rows.map(line)];
  if (comparison.notes.length > 0) out.push('', ...comparison.notes.map((note) => `note: ${note}`));
  return `${out.join('\n')}\n`;
}

/** Side by side as a self-contained HTML page, with every run's requests/s and p99 overlaid. */
export function renderComparisonHtml(comparison: ReportComparison, reports: ReadonlyArray<DrillReport>): string {
  const e = escapeHtml;
  const byId = new Map(reports.map((report) => [report.id, report]));
  const runs = comparison.columns.map((column, index) => ({ column, report: reports[index]?.id === column.id ? reports[index] : byId.get(column.id), color: CHART_COLORS[index % CHART_COLORS.length] ?? '#0072b2' }));
  const name = (column: ComparisonColumn): string => `${column.label} ${column.topology ?? 'fleet'} · ${column.strategy}${column.retryEnabled ? '' : ' · no retries'}`;
  // The same fault at the same time in several runs is shaded once, labelled with every run it belongs to.
  const shared = new Map<string, ChartPeriod & { runs: string[] }>();
  for (const { column, report } of runs) {
    for (const period of report ? faultPeriods(report) : []) {
      const key = `${period.startMs}|${period.endMs}|${period.label}`;
      const entry = shared.get(key) ?? { ...period, runs: [] };
      entry.runs.push(column.label);
      shared.set(key, entry);
    }
  }
  const periods: ChartPeriod[] = [...shared.values()].map(({ runs: labels, ...period }) => ({ ...period, label: `${labels.join(' ')} ${period.label}` }));
  const overlay = (id: string, title: string, pick: (report: DrillReport) => number[], yLabel: string, yUnit?: string): string =>
    lineChart({
      id,
      title,
      xMs: [],
      width: 1040,
      height: 280,
      yLabel,
      yUnit,
      periods,
      series: runs.map(({ column, report, color }) => ({ name: name(column), xMs: report?.series.tMs ?? [], values: report ? pick(report) : [], color })),
    });
  const rows = comparisonRows(comparison);
  const table = [
    '<table class="comparison"><thead><tr><th></th>',
    ...runs.map(({ column, color }) => `<th><span style="color:${color}">■</span> ${e(column.label)}<br><span class="muted">${e(column.drillTitle)}</span></th>`),
    '</tr></thead><tbody>',
    ...rows.map((row) => {
      const cells = row.cells.map((cell, index) => {
        if (row.label === 'verdict') {
          const verdict = runs[index]?.column.verdict ?? 'error';
          return `<td><span class="v v-${verdict}">${e(cell)}</span></td>`;
        }
        return `<td>${e(cell)}</td>`;
      });
      return `<tr><th>${e(row.label)}</th>${cells.join('')}</tr>`;
    }),
    '</tbody></table>',
  ].join('\n');
  const notes = comparison.notes.map((note) => `<p class="reason">Note: ${e(note)}</p>`).join('\n');
  const missing = runs.filter((run) => !run.report).map((run) => run.column.label);
  const body = [
    `<h1>Comparison of ${comparison.columns.length} drill runs</h1>`,
    notes,
    missing.length > 0 ? `<p class="muted">No series for ${e(missing.join(', '))}: their reports were not given.</p>` : '',
    '<section id="table">',
    table,
    '</section>',
    '<section id="charts"><h2>Runs overlaid</h2>',
    '<p class="muted">Time since each run started. Shaded: while a fault of a run was in force (labelled with the run).</p>',
    `<figure><figcaption>Requests per second</figcaption>${overlay('compare-rps', 'Requests per second, every run', (report) => report.series.rps, 'per second')}</figure>`,
    `<figure><figcaption>p99 latency (ms)</figcaption>${overlay('compare-p99', 'p99 latency, every run', (report) => report.series.p99, 'latency', 'ms')}</figure>`,
    '</section>',
    `<footer>Firedrill comparison of ${comparison.columns.map((column) => e(column.id)).join(', ')}.</footer>`,
  ]
    .filter(Boolean)
    .join('\n');
  return htmlPage({ title: `Firedrill: comparison of ${comparison.columns.length} runs`, body });
}
