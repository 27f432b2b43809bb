import { escapeXml, formatDate, formatValue } from './format.js';
import type { DrillReport } from './model.js';
import { hypothesisBound, hypothesisValue, stepDuration } from './report-facts.js';

/**
 * A drill report as JUnit XML, so a CI server shows a drill like a test suite: one test case per
 * expectation and per hypothesis bound, plus one for a run that was aborted or could not run.
 * Pending verdicts are skipped; every string is escaped and stripped of characters XML 1.0 forbids.
 */

interface TestCase {
  name: string;
  timeSeconds: number | null;
  outcome: { kind: 'pass' } | { kind: 'skipped'; message: string } | { kind: 'failure' | 'error'; type: string; message: string; body: string };
}

const seconds = (ms: number): string => (Math.max(0, ms) / 1_000).toFixed(3);

function attributes(values: Record<string, string | number>): string {
  return Object.entries(values)
    // Line breaks as character references: an attribute value would otherwise read them as spaces.
    .map(([name, value]) => ` ${name}="${escapeXml(value).replace(/\r/g, '&#13;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;')}"`)
    .join('');
}

function testCases(report: DrillReport): TestCase[] {
  const cases: TestCase[] = [];
  for (const expectation of report.expectations) {
    const step = report.steps.find((record) => record.index === expectation.step);
    const tookMs = step ? stepDuration(step) : null;
    const took = tookMs === null ? null : tookMs / 1_000;
    const name = `step ${expectation.step + 1}: expect ${expectation.description}`;
    const observed = `observed: ${formatValue(expectation.observed, expectation.unit)}`;
    if (expectation.verdict === 'pass') cases.push({ name, timeSeconds: took, outcome: { kind: 'pass' } });
    else if (expectation.verdict === 'pending') cases.push({ name, timeSeconds: took, outcome: { kind: 'skipped', message: `not reached: ${expectation.detail}` } });
    else cases.push({ name, timeSeconds: took, outcome: { kind: 'failure', type: 'expectation', message: expectation.detail, body: `${expectation.description}\n${observed}\n${expectation.detail}` } });
  }
  for (const check of report.hypothesis) {
    const name = `hypothesis: ${hypothesisBound(check)}`;
    if (check.verdict === 'pass') cases.push({ name, timeSeconds: null, outcome: { kind: 'pass' } });
    else if (check.verdict === 'pending') cases.push({ name, timeSeconds: null, outcome: { kind: 'skipped', message: `not checked: ${check.detail}` } });
    else {
      const worst = `worst: ${hypothesisValue(check.name, check.worst)}${check.breachedAtMs === null ? '' : `, breached at ${seconds(check.breachedAtMs)} s`}`;
      cases.push({ name, timeSeconds: null, outcome: { kind: 'failure', type: 'hypothesis', message: check.detail, body: `${hypothesisBound(check)}\n${worst}\n${check.detail}` } });
    }
  }
  if (report.verdict === 'aborted' || report.verdict === 'error') {
    cases.push({
      name: report.verdict === 'aborted' ? 'drill ran to the end' : 'drill could run',
      timeSeconds: report.durationMs / 1_000,
      outcome: { kind: report.verdict === 'aborted' ? 'failure' : 'error', type: report.verdict, message: report.reason, body: report.reason },
    });
  }
  return cases;
}

export function renderJunit(report: DrillReport): string {
  const suite = `firedrill.${report.drill.id}`;
  const cases = testCases(report);
  const count = (kind: TestCase['outcome']['kind']): number => cases.filter((testCase) => testCase.outcome.kind === kind).length;
  const totals = { tests: cases.length, failures: count('failure'), errors: count('error'), skipped: count('skipped'), time: seconds(report.durationMs) };

  const properties: Array<[string, string | number]> = [
    ['run', report.id],
    ['drill', report.drill.id],
    ['title', report.drill.title],
    ['verdict', report.verdict],
    ['seed', report.seed],
    ['profile', report.profile],
    ['auto', String(report.auto)],
    ['topology', report.topology?.kind ?? 'fleet'],
    ['strategy', report.balancer.strategy],
    ['firedrill.version', report.versions.firedrill],
    ['node.version', report.versions.node],
    ...(report.versions.electron ? [['electron.version', report.versions.electron] as [string, string]] : []),
  ];

  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites${attributes({ name: 'firedrill', ...totals })}>`);
  out.push(`  <testsuite${attributes({ name: suite, ...totals, timestamp: formatDate(report.startedAt).replace(/Z$/, '') })}>`);
  out.push('    <properties>');
  for (const [name, value] of properties) out.push(`      <property${attributes({ name, value })}/>`);
  out.push('    </properties>');
  for (const testCase of cases) {
    const attrs = attributes({ classname: suite, name: testCase.name, ...(testCase.timeSeconds === null ? {} : { time: testCase.timeSeconds.toFixed(3) }) });
    const outcome = testCase.outcome;
    if (outcome.kind === 'pass') out.push(`    <testcase${attrs}/>`);
    else if (outcome.kind === 'skipped') out.push(`    <testcase${attrs}>`, `      <skipped${attributes({ message: outcome.message })}/>`, '    </testcase>');
    else out.push(`    <testcase${attrs}>`, `      <${outcome.kind}${attributes({ message: outcome.message, type: outcome.type })}>${escapeXml(outcome.body)}</${outcome.kind}>`, '    </testcase>');
  }
  out.push(`    <system-out>${escapeXml(`${report.verdict.toUpperCase()}: ${report.reason}`)}</system-out>`);
  out.push('  </testsuite>');
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
