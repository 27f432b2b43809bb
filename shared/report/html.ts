import type { IncidentStage } from '../contract/model.js';
import type { StepStatus } from '../drill/run.js';
import { formatMttrSplit, MTTR_SPLIT_EXPLANATION, systemMttr } from './mttr-split.js';
import { availabilityLines, formatAvailability, formatDowntime, serviceUnavailability } from './availability.js';
import { escapeHtml, formatAt, formatCount, formatDate, formatJson, formatMs, formatNumber, formatPercent, formatValue } from './format.js';
import { REPORT_CSP, factList, htmlPage, htmlTable, verdictChip } from './html-page.js';
import { PLAYER_CSS, playerCsp, playerSection, type EmbeddedRecording } from './player.js';
import type { DrillReport, ReportIncident } from './model.js';
import {
  HYPOTHESIS_LABELS,
  STAGE_LABELS,
  VERDICT_WORDS,
  errorRateOf,
  faultPeriods,
  heldWords,
  planeRestartWords,
  hypothesisBound,
  hypothesisValue,
  incidentStats,
  optionText,
  stagesOf,
  stepDuration,
} from './report-facts.js';
import { describeEvent, type EventContext } from '../words/describe-event.js';
import { afterIncident, causeWords, formatAfter, formatClock, type IncidentSpan } from '../words/format.js';
import { markdownToSafeHtml } from './safe-markdown.js';
import { lineChart, type ChartMark, type ChartPeriod } from './svg-chart.js';

/**
 * A drill report as one self-contained HTML file: it opens offline, fetches nothing (see
 * html-page.ts for the CSP), prints to a clean PDF, and escapes every string that came from the
 * report, since drill files are user input.
 */

const e = escapeHtml;

const STAGE_COLORS: Record<IncidentStage, string> = {
  injected: '#d62728',
  observed: '#d62728',
  detected: '#e69f00',
  ejected: '#d55e00',
  failedOver: '#cc79a7',
  restarted: '#0072b2',
  restored: '#56b4e9',
  recovered: '#009e73',
};

const STEP_STATUS_CLASS: Record<StepStatus, string> = {
  pending: 'pending',
  running: 'pending',
  waiting: 'pending',
  done: 'pass',
  passed: 'pass',
  failed: 'fail',
  skipped: 'skipped',
};

function section(id: string, title: string, body: string): string {
  return `<section id="${id}">\n<h2>${e(title)}</h2>\n${body}\n</section>`;
}

function header(report: DrillReport): string {
  const verdict = report.verdict;
  return [
    `<header class="verdict ${verdict}">`,
    `<div class="badge ${verdict}" data-verdict="${verdict}">${VERDICT_WORDS[verdict]}</div>`,
    '<div>',
    `<div class="muted">Firedrill drill report · ${e(report.drill.concept)}</div>`,
    `<h1>${e(report.drill.title)}</h1>`,
    `<div class="reason">${e(report.reason)}</div>`,
    `<div class="muted">run <span class="mono">${e(report.id)}</span> · ${e(formatDate(report.startedAt))} · took ${e(formatMs(report.durationMs))} · seed ${e(report.seed)} · ${e(report.profile)} profile${report.auto ? ' · auto' : ''}</div>`,
    '</div>',
    '</header>',
  ].join('\n');
}

function drillSection(report: DrillReport): string {
  const { drill, versions, environment, topology, balancer, traffic } = report;
  const hypothesis = report.hypothesis.map((check) => hypothesisBound(check)).join('; ') || 'none';
  const topologyText = topology
    ? `${topology.kind}${topology.kind === 'active-active' ? `, ${topology.nodes} nodes` : ''}${topology.kind === 'hot-standby' ? `, ${topology.replication} replication` : ''}`
    : 'a fleet file';
  const retry = balancer.retry.enabled ? `on, up to ${balancer.retry.maxTries} tries, ${formatMs(balancer.retry.perTryTimeoutMs)} per try, budget ${formatNumber(balancer.retry.budgetPercent)} %` : 'off';
  const health = balancer.health.enabled
    ? `every ${formatMs(balancer.health.intervalMs)}, timeout ${formatMs(balancer.health.timeoutMs)}, rise ${balancer.health.rise}, fall ${balancer.health.fall}`
    : 'off';
  const passive = balancer.passive.enabled ? `eject after ${balancer.passive.consecutiveFailures} failures in a row` : 'off';
  const settings = traffic.settings;
  const trafficText = settings
    ? `${formatNumber(settings.rate)} req/s for ${formatMs(settings.durationMs)}, ${formatPercent(settings.readShare, 0)} reads, ${formatCount(settings.keys)} keys (${settings.distribution}), timeout ${formatMs(settings.timeoutMs)}`
    : 'none';
  const left = factList([
    ['drill', `<span class="mono">${e(drill.id)}</span>`],
    ['concept', e(drill.concept)],
    ['source', `${e(report.source.kind)}${report.source.path ? ` <span class="mono">${e(report.source.path)}</span>` : ''}`],
    ['seed', e(report.seed)],
    ['profile', `${e(report.profile)}${report.auto ? ' (auto: actions performed by the lab, predictions unanswered)' : ''}`],
    ['started', e(formatDate(report.startedAt))],
    ['ended', e(formatDate(report.endedAt))],
    ['duration', e(formatMs(report.durationMs))],
    ['hypothesis', e(hypothesis)],
  ]);
  const right = factList([
    ['topology', e(topologyText)],
    ['nodes', e(report.nodes.map((node) => `${node.id} (${node.role}, :${node.port})`).join(', ') || '—')],
    ['balancer', e(balancer.strategy)],
    ['retries', e(retry)],
    ['health checks', e(health)],
    ['passive detection', e(passive)],
    ['traffic', e(trafficText)],
    ['versions', e(`firedrill ${versions.firedrill} · Node ${versions.node}${versions.electron ? ` · Electron ${versions.electron}` : ''}`)],
    [
      'environment',
      e(`${environment.platform} ${environment.release} ${environment.arch} · ${environment.cpus} × ${environment.cpuModel} · ${formatNumber(environment.memoryGiB, 1)} GiB`),
    ],
  ]);
  return section('drill', 'The drill', `<div class="summary">${markdownToSafeHtml(drill.summary)}</div>\n<div class="columns"><div>${left}</div><div>${right}</div></div>`);
}

function chartsSection(report: DrillReport, periods: ChartPeriod[], marks: ChartMark[]): string {
  const { series } = report;
  const common = { xMs: series.tMs, periods, marks, width: 1040, height: 260 };
  const throughput = lineChart({
    ...common,
    id: 'chart-throughput',
    title: 'Requests and errors per second',
    yLabel: 'per second',
    series: [
      { name: 'requests/s', values: series.rps },
      { name: 'errors/s', values: series.errorsPerSec, color: '#d55e00' },
      { name: 'retries/s', values: series.retriesPerSec, color: '#8c8c8c', dashed: true },
    ],
  });
  const latency = lineChart({
    ...common,
    id: 'chart-latency',
    title: 'Latency p50 and p99',
    yLabel: 'latency',
    yUnit: 'ms',
    series: [
      { name: 'p50', values: series.p50, color: '#009e73' },
      { name: 'p99', values: series.p99, color: '#cc79a7' },
    ],
  });
  const nodes = Object.keys(series.perNode).sort();
  const perNode = lineChart({
    ...common,
    id: 'chart-per-node',
    title: 'Requests per second, per node',
    yLabel: 'per second',
    series: nodes.map((node) => ({ name: node, values: series.perNode[node]?.rps ?? [] })),
  });
  const caption = periods.length > 0 ? '<p class="muted">Shaded: while a fault was in force (a one-shot fault, such as a kill, until the incident it caused recovered). Dashed lines: marks.</p>' : '';
  return section(
    'charts',
    'What the clients saw',
    [
      caption,
      `<figure><figcaption>Requests and errors per second</figcaption>${throughput}</figure>`,
      `<figure><figcaption>Latency, p50 and p99 (ms)</figcaption>${latency}</figure>`,
      `<figure><figcaption>Requests per second, per node</figcaption>${perNode}</figure>`,
    ].join('\n'),
  );
}

function trafficSection(report: DrillReport): string {
  const stats = report.traffic.stats;
  if (!stats) return section('traffic', 'Traffic', '<p class="muted">No traffic ran in this drill.</p>');
  const totals = htmlTable(
    ['sent', 'ok', 'failed', 'error rate', 'dropped', 'retried', 'reads (failed)', 'writes (failed)', 'p50', 'p90', 'p99', 'max'],
    [
      [
        formatCount(stats.sent),
        formatCount(stats.ok),
        formatCount(stats.failed),
        formatPercent(errorRateOf(stats), 3),
        formatCount(stats.dropped),
        formatCount(stats.retried),
        `${formatCount(stats.reads.sent)} (${formatCount(stats.reads.failed)})`,
        `${formatCount(stats.writes.sent)} (${formatCount(stats.writes.failed)})`,
        formatMs(stats.latency.p50),
        formatMs(stats.latency.p90),
        formatMs(stats.latency.p99),
        formatMs(stats.latency.max),
      ].map(e),
    ],
    { numeric: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] },
  );
  const nodes = Object.entries(stats.perNode).sort(([a], [b]) => a.localeCompare(b));
  const perNode =
    nodes.length > 0
      ? htmlTable(
          ['node', 'ok', 'failed', 'p50', 'p99', 'max'],
          nodes.map(([node, entry]) => [e(node), ...[formatCount(entry.ok), formatCount(entry.failed), formatMs(entry.latency.p50), formatMs(entry.latency.p99), formatMs(entry.latency.max)].map(e)]),
          { numeric: [1, 2, 3, 4, 5] },
        )
      : '';
  return section('traffic', 'Traffic', `${totals}\n${perNode ? `<h3>Per node</h3>\n${perNode}` : ''}`);
}

/** One incident's stages as a horizontal bar, from the fault to recovered, with each stage's time. */
function stageBar(incident: ReportIncident, index: number): string {
  const points = stagesOf(incident);
  if (points.length === 0) return '<p class="muted">No stage recorded.</p>';
  const width = 1040;
  const height = 46;
  const left = 12;
  const right = 12;
  const span = Math.max(...points.map((point) => point.sinceStartMs), 0);
  const toX = (ms: number): number => left + (span > 0 ? (Math.max(0, ms) / span) * (width - left - right) : 0);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="stage-bar" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="incident-${index}-title" font-family="system-ui, sans-serif" font-size="11">`,
    `<title id="incident-${index}-title">${e(`Incident ${incident.id} on ${incident.nodeId}: ${points.map((point) => `${STAGE_LABELS[point.stage]} ${formatAfter(point.sinceStartMs)}`).join(', ')}`)}</title>`,
    `<rect x="${left}" y="14" width="${width - left - right}" height="12" rx="3" fill="currentColor" fill-opacity="0.08"/>`,
  ];
  for (let i = 1; i < points.length; i++) {
    const from = points[i - 1];
    const to = points[i];
    if (!from || !to) continue;
    const x1 = toX(from.sinceStartMs);
    const w = Math.max(1.5, toX(to.sinceStartMs) - x1);
    parts.push(
      `<rect x="${x1.toFixed(1)}" y="14" width="${w.toFixed(1)}" height="12" fill="${STAGE_COLORS[to.stage]}" fill-opacity="0.85"><title>${e(`${STAGE_LABELS[from.stage]} → ${STAGE_LABELS[to.stage]}: ${formatMs(to.sinceStartMs - from.sinceStartMs)}`)}</title></rect>`,
    );
  }
  for (const point of points) {
    const x = toX(point.sinceStartMs).toFixed(1);
    parts.push(
      `<circle cx="${x}" cy="20" r="4" fill="${STAGE_COLORS[point.stage]}" stroke="currentColor" stroke-width="0.8"><title>${e(`${STAGE_LABELS[point.stage]} at ${formatAt(point.atMs)} (${formatAfter(point.sinceStartMs)})`)}</title></circle>`,
    );
  }
  const last = points[points.length - 1];
  parts.push(`<text x="${left}" y="42" fill="currentColor" fill-opacity="0.7">0</text>`);
  if (last) {
    parts.push(
      `<text x="${width - right}" y="42" text-anchor="end" fill="currentColor" fill-opacity="0.7">${e(`${incident.open ? 'still open at ' : ''}${STAGE_LABELS[last.stage]} ${formatAfter(last.sinceStartMs, causeWords(incident.cause))}`)}</text>`,
    );
  }
  parts.push('</svg>');
  const chips = points
    .map((point) => `<li><span style="color:${STAGE_COLORS[point.stage]}">●</span> ${e(STAGE_LABELS[point.stage])} <strong>${e(formatAfter(point.sinceStartMs))}</strong></li>`)
    .join('');
  return `${parts.join('')}\n<ol class="stages">${chips}</ol>`;
}

/** A time of the run (ms since it started) on the wall clock, UTC. */
function clockOf(report: DrillReport, atMs: number | null): string {
  return atMs === null ? '—' : formatClock(report.startedAt + atMs, 'utc');
}

function incidentsSection(report: DrillReport): string {
  const { incidents, ledger } = report;
  const stats = incidentStats(incidents);
  const bars = incidents
    .map(
      (incident, index) =>
        `<div class="incident"><h3>${e(`${incident.id} · ${incident.nodeId} · ${incident.cause}`)}${incident.open ? ' <span class="v v-fail">open</span>' : ''}</h3>\n` +
        `<p class="muted">started at ${e(clockOf(report, incident.stages.injected ?? incident.stages.observed ?? null))} UTC (${e(formatAt(incident.stages.injected ?? incident.stages.observed ?? null))} into the run)${incident.detectedVia ? ` · detected via ${e(incident.detectedVia)}` : ''} · MTTD ${e(formatMs(incident.mttdMs))} · MTTR ${e(formatMs(incident.mttrMs))}</p>\n` +
        (incident.mttrSplit ? `<p class="mttr-split" data-testid="mttr-split-${index}">MTTR ${e(formatMs(incident.mttrMs))} = ${e(formatMttrSplit(incident.mttrSplit))}; the system's part (detection + automatic): <strong>${e(formatMs(systemMttr(incident.mttrSplit)))}</strong></p>\n` : '') +
        (incident.held ? `<p class="muted" data-testid="held-${index}">${e(heldWords(incident.held))}</p>\n` : '') +
        (incident.planeRestarts?.length ? `<p data-testid="plane-restarts-${index}">${e(planeRestartWords(incident.planeRestarts, incident.stages.injected ?? incident.stages.observed ?? incident.stages.detected))}</p>\n` : '') +
        `${stageBar(incident, index)}</div>`,
    )
    .join('\n');
  const table =
    incidents.length > 0
      ? htmlTable(
          ['incident', 'node', 'cause', 'detected via', 'MTTD', 'MTTR', 'lost writes', 'stale writes', 'state'],
          [
            ...incidents.map((incident) => [
              `<span class="mono nowrap">${e(incident.id)}</span>`,
              e(incident.nodeId),
              e(incident.cause),
              e(incident.detectedVia ?? '—'),
              e(formatMs(incident.mttdMs)),
              e(formatMs(incident.mttrMs)),
              e(formatCount(incident.lostWrites)),
              e(formatCount(incident.staleWrites)),
              incident.open ? '<span class="bad">open</span>' : 'recovered',
            ]),
            ['<strong>mean</strong>', '', '', '', e(formatMs(stats.mttd.mean)), e(formatMs(stats.mttr.mean)), '', '', ''],
            ['<strong>max</strong>', '', '', '', e(formatMs(stats.mttd.max)), e(formatMs(stats.mttr.max)), '', '', ''],
          ],
          { numeric: [4, 5, 6, 7] },
        )
      : '<p>No incident: nothing failed in this drill.</p>';
  const ledgerTable = htmlTable(
    ['acknowledged writes', 'checked', 'lost', 'stale', 'checked at', 'verdict'],
    [
      [
        e(formatCount(ledger.acked)),
        e(formatCount(ledger.checked)),
        `<span class="${ledger.lost > 0 ? 'bad' : ''}">${e(formatCount(ledger.lost))}</span>`,
        `<span class="${ledger.stale > 0 ? 'bad' : ''}">${e(formatCount(ledger.stale))}</span>`,
        e(ledger.checkedAt === null ? '—' : formatDate(ledger.checkedAt)),
        verdictChip(ledger.verdict),
      ],
    ],
    { numeric: [0, 1, 2, 3] },
  );
  return section(
    'incidents',
    'Incidents: detection and recovery',
    `<p class="muted">MTTD = detected − injected (or observed); MTTR = recovered − injected (or observed). Times are ground truth from the engine's monotonic clock.${report.incidents.some((i) => i.mttrSplit) ? ` ${e(MTTR_SPLIT_EXPLANATION)}` : ''}</p>\n${bars}\n${table}\n<h3>Data safety: the write ledger</h3>\n${ledgerTable}`,
  );
}

function hypothesisSection(report: DrillReport): string {
  if (report.hypothesis.length === 0) return section('hypothesis', 'Steady-state hypothesis', '<p class="muted">The drill states no hypothesis.</p>');
  return section(
    'hypothesis',
    'Steady-state hypothesis',
    htmlTable(
      ['bound', 'limit', 'latest', 'worst', 'verdict', 'breached at', 'detail'],
      report.hypothesis.map((check) => [
        e(HYPOTHESIS_LABELS[check.name]),
        e(`≤ ${hypothesisValue(check.name, check.limit)}`),
        e(hypothesisValue(check.name, check.observed)),
        e(hypothesisValue(check.name, check.worst)),
        verdictChip(check.verdict),
        e(formatAt(check.breachedAtMs)),
        e(check.detail),
      ]),
      { numeric: [1, 2, 3, 5] },
    ),
  );
}

function expectationsSection(report: DrillReport): string {
  if (report.expectations.length === 0) return section('expectations', 'Expectations', '<p class="muted">The drill has no expect step.</p>');
  const passed = report.expectations.filter((expectation) => expectation.verdict === 'pass').length;
  return section(
    'expectations',
    'Expectations',
    `<p>${passed} of ${report.expectations.length} passed.</p>\n` +
      htmlTable(
        ['step', 'expectation', 'verdict', 'observed', 'detail', 'at'],
        report.expectations.map((expectation) => [
          e(expectation.step + 1),
          e(expectation.description),
          verdictChip(expectation.verdict),
          e(formatValue(expectation.observed, expectation.unit)),
          e(expectation.detail),
          e(formatAt(expectation.atMs)),
        ]),
        { numeric: [0, 3, 5] },
      ),
  );
}

function predictionsSection(report: DrillReport): string {
  if (report.predictions.length === 0) return '';
  const rows = report.predictions.map((prediction) => {
    const options = `<ol>${prediction.options
      .map((option, index) => {
        const tags = [index === prediction.expected ? 'expected' : '', index === prediction.answer ? 'answered' : ''].filter(Boolean);
        const why = prediction.explain[index];
        return `<li>${e(option)}${tags.length > 0 ? ` <span class="muted">(${tags.join(', ')})</span>` : ''}${why ? `<br><span class="muted">${e(why)}</span>` : ''}</li>`;
      })
      .join('')}</ol>`;
    const correct = prediction.correct === null ? '<span class="v v-pending">unanswered</span>' : prediction.correct ? '<span class="v v-pass">right</span>' : '<span class="v v-fail">wrong</span>';
    // A classroom's votes, beside the teacher's answer.
    const votes = prediction.tally ? `<br><span class="muted">class votes: ${e(prediction.options.map((option, index) => `${option} ${prediction.tally?.[index] ?? 0}`).join(' · '))}</span>` : '';
    return [e(prediction.question), options, `${e(optionText(prediction.options, prediction.answer))}${votes}`, correct, e(prediction.outcome)];
  });
  return section('predictions', 'Predictions and what happened', htmlTable(['question', 'options', 'answered', 'right?', 'what happened'], rows));
}

function narrationSection(report: DrillReport): string {
  const said = report.steps.filter((step) => step.kind === 'say' && step.text);
  const entries =
    said.length > 0
      ? said.map((step) => ({ at: step.startedAtMs, text: step.text ?? '' }))
      : report.drill.steps.flatMap((step) => ('say' in step ? [{ at: null, text: step.say }] : []));
  if (entries.length === 0) return '';
  return section(
    'narration',
    'Narration',
    entries.map((entry) => `<div class="say"><div class="at">${e(formatAt(entry.at))}</div><div class="md">${markdownToSafeHtml(entry.text)}</div></div>`).join('\n'),
  );
}

function stepsSection(report: DrillReport): string {
  return section(
    'steps',
    'Steps',
    htmlTable(
      ['#', 'kind', 'step', 'status', 'started', 'ended', 'took', 'by', 'note'],
      report.steps.map((step) => [
        e(step.index + 1),
        `<span class="mono">${e(step.kind)}</span>`,
        e(step.label),
        `<span class="v v-${STEP_STATUS_CLASS[step.status]}">${e(step.status)}</span>`,
        e(formatAt(step.startedAtMs)),
        e(formatAt(step.endedAtMs)),
        e(formatMs(stepDuration(step))),
        e(step.performedBy ?? ''),
        e([step.faultId ? `fault ${step.faultId}` : '', step.error ? `error: ${step.error}` : ''].filter(Boolean).join(' · ')),
      ]),
      { numeric: [0, 4, 5, 6] },
    ),
  );
}

function faultsSection(report: DrillReport): string {
  if (report.faults.length === 0) return section('faults', 'Faults', '<p class="muted">No fault was injected.</p>');
  return section(
    'faults',
    'Faults',
    htmlTable(
      ['id', 'name', 'type', 'target', 'attributes', 'from', 'to', 'status', 'effect'],
      report.faults.map((fault) => [
        `<span class="mono nowrap">${e(fault.id)}</span>`,
        e(fault.name ?? '—'),
        `${e(fault.type)} <span class="muted">(${e(fault.kind)})</span>`,
        e(fault.target),
        `<span class="mono">${e(formatJson(fault.attributes))}</span>`,
        e(formatAt(fault.startMs)),
        e(fault.endMs === null ? '—' : formatAt(fault.endMs)),
        e(fault.status),
        `<span class="mono">${e(formatJson(fault.effect))}</span>`,
      ]),
      { numeric: [5, 6] },
    ),
  );
}

function availabilitySection(report: DrillReport): string {
  const availability = report.availability;
  const combined = serviceUnavailability(availability);
  const headline =
    combined === null
      ? '<p>Not computed: nothing failed and recovered.</p>'
      : `<p><strong>${e(formatAvailability(combined))}</strong> for the service with ${e(availability.replicas)} replica${availability.replicas === 1 ? '' : 's'}; expected downtime a year: <strong>${e(formatDowntime(availability.downtimeMinutesPerYear))}</strong>.</p>`;
  return section(
    'availability',
    'Availability arithmetic',
    `${headline}\n<pre class="formula">${availabilityLines(availability).map(e).join('\n')}</pre>\n<p>${e(availability.explanation)}</p>`,
  );
}

/** What the timeline's sentences may name: the run's faults (a revert names only an id) and its balancer's detection settings. */
export function eventContext(report: DrillReport): EventContext {
  const { health, passive } = report.balancer;
  return { faults: report.faults, health: health.enabled ? health : null, passive: passive.enabled ? passive : null };
}

/** The report's incidents as spans in its own time (ms since the run started), for "+1.204 s after the kill". */
export function reportIncidentSpans(report: DrillReport): IncidentSpan[] {
  return report.incidents.flatMap((incident) => {
    const points = stagesOf(incident);
    const first = points[0];
    if (!first) return [];
    return [{ cause: incident.cause, start: first.atMs - first.sinceStartMs, end: incident.stages.recovered ?? null, nodeId: incident.nodeId }];
  });
}

function timelineSection(report: DrillReport): string {
  const context = eventContext(report);
  const spans = reportIncidentSpans(report);
  const rows = report.timeline.map((event) => {
    const after = afterIncident(event.atMs, spans, event.nodeId);
    return (
      `<li><span class="at">${e(formatClock(report.startedAt + event.atMs, 'utc'))}</span><span class="node">${e(event.nodeId ?? 'lab')}</span>` +
      `<details><summary>${e(describeEvent(event, context))}${after ? ` <span class="muted">· ${e(after)}</span>` : ''}</summary>` +
      `<pre>${e(`${event.kind} at ${formatAt(event.atMs)} into the run\n${JSON.stringify(event.detail, null, 2)}`)}</pre></details></li>`
    );
  });
  return section(
    'timeline',
    'Timeline',
    report.timeline.length === 0
      ? '<p class="muted">Nothing was recorded on the timeline.</p>'
      : `<p class="muted">${report.timeline.length} event${report.timeline.length === 1 ? '' : 's'}, wall clock in UTC; each one's data a click away.</p>\n<ol class="timeline">${rows.join('\n')}</ol>`,
  );
}

export interface RenderHtmlOptions {
  /** The run's recording for the offline player (gzip + base64, see player.ts), or why there is none; absent: a page without a Replay section. */
  recording?: EmbeddedRecording;
}

export function renderHtml(report: DrillReport, options: RenderHtmlOptions = {}): string {
  const periods = faultPeriods(report);
  const marks = report.marks.map((mark) => ({ atMs: mark.atMs, label: mark.name }));
  const body = [
    header(report),
    drillSection(report),
    chartsSection(report, periods, marks),
    trafficSection(report),
    incidentsSection(report),
    options.recording ? playerSection(options.recording) : '',
    hypothesisSection(report),
    expectationsSection(report),
    predictionsSection(report),
    narrationSection(report),
    stepsSection(report),
    faultsSection(report),
    availabilitySection(report),
    timelineSection(report),
    `<footer>Rendered from report.json (${e(report.id)}, schema ${e(report.schema)}) by Firedrill ${e(report.versions.firedrill)}. Times are since the run started unless dated.</footer>`,
  ]
    .filter(Boolean)
    .join('\n');
  const player = options.recording !== undefined && 'base64' in options.recording;
  return htmlPage({
    title: `${VERDICT_WORDS[report.verdict]} · ${report.drill.title} · Firedrill report`,
    body,
    ...(player ? { csp: playerCsp(REPORT_CSP), css: PLAYER_CSS } : {}),
  });
}
