import { describe, expect, it } from 'vitest';
import { availabilityFrom, meanMttr, meanSystemMttr } from '../../../shared/report/availability.js';
import { compareReports, comparisonRows } from '../../../shared/report/compare.js';
import { renderHtml } from '../../../shared/report/html.js';
import { renderMarkdown } from '../../../shared/report/markdown.js';
import { DrillReport } from '../../../shared/report/model.js';
import { makeReport } from '../../support/report-fixture.js';

// The MTTR split where a reader sees it: beside each incident (HTML, Markdown), in compare, and in
// the availability arithmetic (the system's MTTR, k of m); reports without a split still read.

function withSplit(): DrillReport {
  const base = makeReport();
  const incidents = base.incidents.map((incident, index) =>
    index === 0 ? { ...incident, mttrMs: 13_000, mttrSplit: { detectionMs: 4.2, drillMs: 4_995.8, operatorMs: 6_800, automaticMs: 1_200 } } : incident,
  );
  const topology = { ...(base.topology ?? { kind: 'active-active' as const, nodes: 3, replication: 'sync' as const }), needed: 2 };
  return makeReport({ incidents, topology, availability: availabilityFrom({ mttrMs: meanSystemMttr(incidents), mttrTotalMs: meanMttr(incidents), replicas: 3, needed: 2 }) });
}

describe('the MTTR split in the reports', () => {
  it('HTML: each incident its parts and the system’s share, explained once; availability 2 of 3 on the system MTTR', () => {
    const html = renderHtml(withSplit());
    expect(html).toContain('data-testid="mttr-split-0"');
    expect(html).toMatch(/MTTR 13.0 s = detection 4.2 ms \+ drill 5.00 s \+ operator 6.80 s \+ automatic 1.20 s; the system's part \(detection \+ automatic\): <strong>1.20 s<\/strong>/);
    expect(html).toContain('operator (a prompt on screen until the act was done');
    expect(html).not.toContain('data-testid="mttr-split-1"');
    expect(html).toContain('k needed        = 2');
    expect(html).toMatch(/of which 2 are needed to carry the load/);
  });

  it('Markdown: the same parts, one line per incident', () => {
    const md = renderMarkdown(withSplit());
    expect(md).toMatch(/- inc-1 on a2: 13\.0 s = detection 4\.2 ms \+ drill 5\.00 s \+ operator 6\.80 s \+ automatic 1\.20 s; the system's part: \*\*1\.20 s\*\*/);
    expect(md).toContain('k needed        = 2');
  });

  it('compare: the mean split and the system-only MTTR beside the total; older reports show a dash', () => {
    const rows = comparisonRows(compareReports([withSplit(), makeReport()]));
    const row = (label: string): string[] => rows.find((r) => r.label === label)?.cells ?? [];
    expect(row('MTTR mean split')[0]).toBe('detection 4.2 ms + drill 5.00 s + operator 6.80 s + automatic 1.20 s');
    expect(row('MTTR mean split')[1]).toBe('—');
    expect(row('MTTR mean, system only')[0]).not.toBe(row('MTTR mean / max')[0]?.split(' / ')[0]);
    expect(row('availability (service)')[0]).toMatch(/\(2 of 3 needed\)$/);
  });

  it('a report written before the split (no mttrSplit, no needed) still parses and renders', () => {
    const old = makeReport();
    expect(old.incidents.every((incident) => incident.mttrSplit === undefined)).toBe(true);
    const json = JSON.parse(JSON.stringify(old)) as Record<string, unknown>;
    delete (json.availability as Record<string, unknown>).needed;
    delete (json.availability as Record<string, unknown>).mttrTotalMs;
    const parsed = DrillReport.parse(json);
    expect(renderHtml(parsed)).not.toContain('mttr-split-');
    expect(renderMarkdown(parsed)).not.toContain('MTTR split:');
  });
});
