import { describe, expect, it } from 'vitest';
import { ReportComparison, compareReports, renderComparisonHtml, renderComparisonMarkdown, renderComparisonText } from '../../../shared/report/compare.js';
import { makeReport } from '../../support/report-fixture.js';

const roundRobin = makeReport();
const noRetries = makeReport({
  id: 'run-2-least-response-time',
  balancer: { strategy: 'least-response-time', retry: { enabled: false } },
  verdict: 'pass',
  reason: 'every expectation held',
  traffic: { ...makeReport().traffic, stats: { ...(makeReport().traffic.stats ?? ({} as never)), sent: 3_000, ok: 2_991, failed: 9 } },
  incidents: makeReport().incidents.slice(0, 1),
});
const hotStandby = makeReport({
  id: 'run-3-hot-standby',
  drill: { ...makeReport().drill, id: 'kill-the-primary', title: 'Kill the primary', topology: { kind: 'hot-standby', replication: 'async' } },
  topology: { kind: 'hot-standby', replication: 'async' },
  ledger: { acked: 900, checked: 900, lost: 3, stale: 1, checkedAt: Date.UTC(2025, 2, 1, 10, 0, 15), verdict: 'fail' },
});

describe('comparing reports', () => {
  it('makes one schema-valid column per run, in order', () => {
    const comparison = compareReports([roundRobin, noRetries]);
    expect(() => ReportComparison.parse(comparison)).not.toThrow();
    expect(comparison.sameDrill).toBe(true);
    expect(comparison.notes).toEqual([]);
    const [first, second] = comparison.columns;
    expect(first).toMatchObject({
      label: '#1',
      id: roundRobin.id,
      topology: 'active-active',
      replication: null,
      strategy: 'round-robin',
      retryEnabled: true,
      seed: 7,
      verdict: 'fail',
      durationMs: 15_000,
      traffic: { sent: 3_000, failed: 39, errorRate: 0.013 },
      latency: { p50: 2.2, p99: 212 },
      mttd: { mean: (4.2 + 310) / 2, max: 310 },
      mttr: { mean: (292 + 3_190) / 2, max: 3_190 },
      lostWrites: 0,
      expectations: { passed: 1, failed: 1, pending: 0 },
    });
    expect(first?.hypothesis.map((check) => [check.name, check.verdict])).toEqual([
      ['maxErrorRate', 'fail'],
      ['maxP99Ms', 'pass'],
      ['maxLostWrites', 'pending'],
    ]);
    expect(first?.incidents.map((incident) => [incident.nodeId, incident.mttdMs, incident.mttrMs])).toEqual([
      ['a2', 4.2, 292],
      ['a3', 310, 3_190],
    ]);
    expect(second).toMatchObject({ label: '#2', strategy: 'least-response-time', retryEnabled: false, verdict: 'pass', traffic: { failed: 9, errorRate: 0.003 }, mttr: { mean: 292, max: 292 } });
    expect(second?.availability.mttrMs).toBe(roundRobin.availability.mttrMs);
  });

  it('flags runs of different drills, seeds and profiles', () => {
    const comparison = compareReports([roundRobin, noRetries, hotStandby]);
    expect(comparison.sameDrill).toBe(false);
    expect(comparison.notes).toEqual([expect.stringMatching(/^These runs are of different drills \(kill-one-of-three, kill-the-primary\)/)]);
    expect(comparison.columns[2]).toMatchObject({ topology: 'hot-standby', replication: 'async', lostWrites: 3, staleWrites: 1, ledgerVerdict: 'fail' });
    const seeds = compareReports([roundRobin, makeReport({ id: 'b', seed: 8, profile: 'short' })]);
    expect(seeds.notes).toEqual([expect.stringMatching(/^The seeds differ \(7, 8\)/), expect.stringMatching(/^The profiles differ \(full, short\)/)]);
  });

  it('compares 2 to 6 runs', () => {
    expect(() => compareReports([roundRobin])).toThrow(/compare 2 to 6 reports, not 1/);
    expect(() => compareReports(Array.from({ length: 7 }, (_, i) => makeReport({ id: `r${i}` })))).toThrow(RangeError);
    expect(compareReports(Array.from({ length: 6 }, (_, i) => makeReport({ id: `r${i}` }))).columns).toHaveLength(6);
  });

  it('prints an aligned plain-text table', () => {
    const text = renderComparisonText(compareReports([roundRobin, noRetries, hotStandby]));
    const lines = text.trimEnd().split('\n');
    const header = lines[0] ?? '';
    const rule = lines[1] ?? '';
    expect(rule).toMatch(/^-+( {2}-+){3}$/);
    // Every column starts where its dashes start.
    const starts = [...rule.matchAll(/-+/g)].map((match) => match.index ?? 0);
    expect(header.indexOf('#1')).toBe(starts[1]);
    expect(header.indexOf('#3')).toBe(starts[3]);
    const rows = lines.slice(2, lines.indexOf(''));
    expect(rows.find((line) => line.startsWith('strategy'))).toMatch(/^strategy\s+round-robin\s+least-response-time\s+round-robin$/);
    for (const row of rows) for (const start of starts.slice(1)) expect(row.slice(start - 2, start), row).toBe('  ');
    expect(rows.find((line) => line.startsWith('lost writes'))?.slice(starts[3])).toBe('3');
    expect(rows.find((line) => line.startsWith('incident 2: MTTD / MTTR'))).toMatch(/a3 310 ms \/ 3.19 s\s+—\s+a3 310 ms \/ 3.19 s$/);
    expect(lines.at(-1)).toMatch(/^note: These runs are of different drills/);
  });

  it('renders Markdown with one column per run', () => {
    const md = renderComparisonMarkdown(compareReports([roundRobin, noRetries]));
    const table = md.split('\n').filter((line) => line.startsWith('|'));
    expect(table[0]).toBe('|  | #1 | #2 |');
    expect(table.find((line) => line.startsWith('| **verdict**'))).toBe('| **verdict** | FAIL | PASS |');
    expect(table.find((line) => line.startsWith('| **retries**'))).toBe('| **retries** | on | off |');
  });

  it('renders self-contained HTML with every run overlaid in one chart', () => {
    const reports = [roundRobin, noRetries, hotStandby];
    const html = renderComparisonHtml(compareReports(reports), reports);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
    expect(html).not.toMatch(/<script|<a\b|<img|<iframe/i);
    expect(html).toContain('Kill &lt;script&gt;alert(&quot;title&quot;)');
    const rpsChart = html.slice(html.indexOf('aria-labelledby="compare-rps-title"'), html.indexOf('aria-labelledby="compare-p99-title"'));
    expect(rpsChart.match(/<path d=/g)).toHaveLength(3);
    expect(rpsChart).toContain('>#2 active-active · least-response-time · no retries</text>');
    // The same fault at the same time in all three runs is shaded once.
    expect(rpsChart.match(/<rect class="fault-period"/g)).toHaveLength(2);
    expect(rpsChart).toContain('<title>#1 #2 #3 kill on a2');
    expect(html).toContain('<span class="v v-pass">PASS</span>');
  });
});
