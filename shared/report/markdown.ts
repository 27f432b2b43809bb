import { availabilityLines } from './availability.js';
import { formatMttrSplit, MTTR_SPLIT_EXPLANATION, systemMttr } from './mttr-split.js';
import { formatAfter } from '../words/format.js';
import { formatAt, formatCount, formatDate, formatMs, formatNumber, formatPercent, formatValue } from './format.js';
import type { DrillReport } from './model.js';
import { HYPOTHESIS_LABELS, STAGE_LABELS, VERDICT_WORDS, errorRateOf, faultLabel, heldWords, planeRestartWords, hypothesisValue, incidentStats, optionText, stagesOf, stepDuration } from './report-facts.js';

/**
 * A drill report as Markdown, for a ticket or a wiki page. Strings from the report are escaped so
 * that they stay text: no table is broken by a `|`, no HTML a wiki would render gets through.
 */

/** Report text as inert Markdown on one line. */
export function mdText(value: unknown): string {
  return String(value ?? '')
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_[\]|~]/g, '\\$&')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** A Markdown table of ready cells (escape report strings with mdText first); `numeric` columns align right. */
export function mdTable(headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>, numeric: ReadonlyArray<number> = []): string {
  const right = new Set(numeric);
  const line = (cells: ReadonlyArray<string>): string => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map((_, index) => (right.has(index) ? '---:' : '---'))), ...rows.map(line)].join('\n');
}

export function renderMarkdown(report: DrillReport): string {
  return [
    ...headerSection(report),
    ...trafficSection(report),
    ...hypothesisSection(report),
    ...expectationsSection(report),
    ...incidentsSection(report),
    ...predictionsSection(report),
    ...faultsSection(report),
    ...availabilitySection(report),
    ...stepsSection(report),
  ].join('\n');
}

/** The title, the verdict, the summary and the run's facts. */
function headerSection(report: DrillReport): string[] {
  const verdict = VERDICT_WORDS[report.verdict];
  const topology = report.topology
    ? `${report.topology.kind}${report.topology.kind === 'active-active' ? `, ${report.topology.nodes} nodes` : ''}${report.topology.kind === 'hot-standby' ? `, ${report.topology.replication} replication` : ''}`
    : 'fleet file';
  const env = report.environment;
  return [
    `# ${verdict}: ${mdText(report.drill.title)}`,
    '',
    `**Verdict: ${verdict}** — ${mdText(report.reason)}`,
    '',
    `> ${mdText(report.drill.summary)}`,
    '',
    mdTable(
      ['', ''],
      [
        ['run', mdText(report.id)],
        ['drill', `${mdText(report.drill.id)} (${mdText(report.drill.concept)})`],
        ['seed · profile', `${report.seed} · ${report.profile}${report.auto ? ' · auto' : ''}`],
        ['started · took', `${formatDate(report.startedAt)} · ${formatMs(report.durationMs)}`],
        ['topology', mdText(topology)],
        ['balancer', `${mdText(report.balancer.strategy)}, retries ${report.balancer.retry.enabled ? `on (${report.balancer.retry.maxTries} tries)` : 'off'}`],
        ['versions', mdText(`firedrill ${report.versions.firedrill} · Node ${report.versions.node}${report.versions.electron ? ` · Electron ${report.versions.electron}` : ''}`)],
        ['environment', mdText(`${env.platform} ${env.release} ${env.arch} · ${env.cpus} × ${env.cpuModel} · ${formatNumber(env.memoryGiB, 1)} GiB`)],
      ],
    ),
    '',
  ];
}

function trafficSection(report: DrillReport): string[] {
  const stats = report.traffic.stats;
  if (!stats) return ['## Traffic', '', 'No traffic ran.', ''];
  return [
    '## Traffic',
    '',
    mdTable(
      ['sent', 'failed', 'error rate', 'retried', 'dropped', 'p50', 'p99', 'max'],
      [[formatCount(stats.sent), formatCount(stats.failed), formatPercent(errorRateOf(stats), 3), formatCount(stats.retried), formatCount(stats.dropped), formatMs(stats.latency.p50), formatMs(stats.latency.p99), formatMs(stats.latency.max)]],
      [0, 1, 2, 3, 4, 5, 6, 7],
    ),
    '',
  ];
}

function hypothesisSection(report: DrillReport): string[] {
  if (report.hypothesis.length === 0) return ['## Hypothesis', '', 'The drill states no hypothesis.', ''];
  const rows = report.hypothesis.map((check) => [
    HYPOTHESIS_LABELS[check.name],
    `≤ ${hypothesisValue(check.name, check.limit)}`,
    hypothesisValue(check.name, check.worst),
    `**${check.verdict}**`,
    mdText(check.detail),
  ]);
  return ['## Hypothesis', '', mdTable(['bound', 'limit', 'worst', 'verdict', 'detail'], rows, [1, 2]), ''];
}

function expectationsSection(report: DrillReport): string[] {
  if (report.expectations.length === 0) return ['## Expectations', '', 'The drill has no expect step.', ''];
  const rows = report.expectations.map((expectation) => [
    String(expectation.step + 1),
    mdText(expectation.description),
    `**${expectation.verdict}**`,
    formatValue(expectation.observed, expectation.unit),
    mdText(expectation.detail),
  ]);
  return ['## Expectations', '', mdTable(['step', 'expectation', 'verdict', 'observed', 'detail'], rows, [0, 3]), ''];
}

/** The incidents (stages, MTTD, MTTR and its split) and the write ledger's account. */
function incidentsSection(report: DrillReport): string[] {
  const ledger = report.ledger;
  const ledgerLine = `Write ledger: ${formatCount(ledger.acked)} acknowledged writes, ${formatCount(ledger.checked)} checked, **${formatCount(ledger.lost)} lost**, ${formatCount(ledger.stale)} stale (${ledger.verdict}).`;
  if (report.incidents.length === 0) return ['## Incidents', '', 'No incident: nothing failed.', '', ledgerLine, ''];
  const summary = incidentStats(report.incidents);
  const rows = report.incidents.map((incident) => [
    mdText(incident.id),
    mdText(incident.nodeId),
    mdText(incident.cause),
    incident.detectedVia ?? '—',
    formatMs(incident.mttdMs),
    incident.open ? 'open' : formatMs(incident.mttrMs),
    formatCount(incident.lostWrites),
    formatCount(incident.staleWrites),
    stagesOf(incident)
      .map((point) => `${STAGE_LABELS[point.stage]} ${formatAfter(point.sinceStartMs)}`)
      .join(' → '),
  ]);
  return [
    '## Incidents',
    '',
    mdTable(['incident', 'node', 'cause', 'detected via', 'MTTD', 'MTTR', 'lost', 'stale', 'stages'], rows, [4, 5, 6, 7]),
    '',
    `MTTD mean ${formatMs(summary.mttd.mean)}, max ${formatMs(summary.mttd.max)} · MTTR mean ${formatMs(summary.mttr.mean)}, max ${formatMs(summary.mttr.max)}`,
    '',
    ...mttrSplitLines(report),
    ...heldLines(report),
    ledgerLine,
    '',
  ];
}

function mttrSplitLines(report: DrillReport): string[] {
  const split = report.incidents.filter((incident) => incident.mttrSplit);
  if (split.length === 0) return [];
  return [
    'MTTR split:',
    '',
    ...split.map((incident) => `- ${mdText(incident.id)} on ${mdText(incident.nodeId)}: ${formatMs(incident.mttrMs)} = ${formatMttrSplit(incident.mttrSplit!)}; the system's part: **${formatMs(systemMttr(incident.mttrSplit!))}**`),
    '',
    mdText(MTTR_SPLIT_EXPLANATION),
    '',
  ];
}

/** What the failover hold did, and the data plane's restarts, per incident that has either. */
function heldLines(report: DrillReport): string[] {
  const lines = report.incidents.flatMap((incident) => [
    ...(incident.held ? [`- ${mdText(incident.id)} on ${mdText(incident.nodeId)}: ${mdText(heldWords(incident.held))}`] : []),
    ...(incident.planeRestarts?.length ? [`- ${mdText(incident.id)} on ${mdText(incident.nodeId)}: ${mdText(planeRestartWords(incident.planeRestarts, incident.stages.injected ?? incident.stages.observed ?? incident.stages.detected))}`] : []),
  ]);
  return lines.length === 0 ? [] : [...lines, ''];
}

function predictionsSection(report: DrillReport): string[] {
  if (report.predictions.length === 0) return [];
  const rows = report.predictions.map((prediction) => [
    mdText(prediction.question),
    mdText(optionText(prediction.options, prediction.expected)),
    mdText(`${optionText(prediction.options, prediction.answer)}${prediction.tally ? ` (class: ${prediction.options.map((option, index) => `${option} ${prediction.tally?.[index] ?? 0}`).join(', ')})` : ''}`),
    prediction.correct === null ? 'unanswered' : prediction.correct ? 'yes' : 'no',
    mdText([prediction.outcome, prediction.explanation ? `Why: ${prediction.explanation}` : ''].filter(Boolean).join(' ')),
  ]);
  return ['## Predictions', '', mdTable(['question', 'expected', 'answered', 'right?', 'what happened'], rows), ''];
}

function faultsSection(report: DrillReport): string[] {
  if (report.faults.length === 0) return [];
  const rows = report.faults.map((fault) => [mdText(faultLabel(fault)), formatAt(fault.startMs), fault.endMs === null ? '—' : formatAt(fault.endMs), mdText(fault.status)]);
  return ['## Faults', '', mdTable(['fault', 'from', 'to', 'status'], rows, [1, 2]), ''];
}

function availabilitySection(report: DrillReport): string[] {
  return ['## Availability', '', '```text', ...availabilityLines(report.availability).map((line) => line.replace(/`/g, "'")), '```', '', mdText(report.availability.explanation), ''];
}

function stepsSection(report: DrillReport): string[] {
  const lines = report.steps.map((step) => {
    const took = stepDuration(step);
    const extra = [step.performedBy ? `by ${step.performedBy}` : '', step.error ? `error: ${step.error}` : ''].filter(Boolean).join(', ');
    return `${step.index + 1}. ${formatAt(step.startedAtMs)} **${step.kind}** ${mdText(step.label)} — ${step.status}${took === null ? '' : ` (${formatMs(took)})`}${extra ? ` — ${mdText(extra)}` : ''}`;
  });
  return ['## Steps', '', ...lines, ''];
}
