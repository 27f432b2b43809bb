import { describe, expect, it } from 'vitest';
import { mdText, renderMarkdown } from '../../../shared/report/markdown.js';
import { makeReport } from '../../support/report-fixture.js';

/** The rows of the table under `## heading`, header and separator included. */
function tableUnder(md: string, heading: string): string[] {
  const lines = md.split('\n');
  const start = lines.indexOf(`## ${heading}`);
  expect(start).toBeGreaterThanOrEqual(0);
  const rows: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('|')) rows.push(line);
    else if (rows.length > 0) break;
  }
  return rows;
}

/** Cells of a table row, splitting on unescaped pipes only. */
const cells = (row: string): string[] => row.slice(2, -2).split(/(?<!\\) \| /);

describe('Markdown report', () => {
  const md = renderMarkdown(makeReport());

  it('opens with the verdict and the reason', () => {
    const lines = md.split('\n');
    expect(lines[0]).toBe("# FAIL: Kill &lt;script&gt;alert(\"title\")&lt;/script&gt; one & 'two' \\]\\]&gt; \\| of three");
    expect(md).toContain('**Verdict: FAIL** — expectation failed: traffic.errorRate 1.3 % &gt; 1 % &lt;script&gt;');
  });

  it('lets no HTML and no table-breaking pipe through', () => {
    expect(md).not.toMatch(/</);
    for (const heading of ['Hypothesis', 'Expectations', 'Incidents', 'Predictions', 'Traffic', 'Faults']) {
      const rows = tableUnder(md, heading);
      const width = cells(rows[0] ?? '').length;
      for (const row of rows) expect(cells(row), `${heading}: ${row}`).toHaveLength(width);
    }
  });

  it('has a table for each of hypothesis, expectations, incidents and predictions', () => {
    expect(tableUnder(md, 'Hypothesis')).toHaveLength(2 + 3);
    expect(tableUnder(md, 'Expectations')).toHaveLength(2 + 2);
    expect(tableUnder(md, 'Incidents')).toHaveLength(2 + 2);
    expect(tableUnder(md, 'Predictions')).toHaveLength(2 + 1);
    expect(tableUnder(md, 'Expectations')[3]).toContain('| **fail** | 1.3 % |');
    expect(tableUnder(md, 'Incidents')[2]).toContain('| 4.2 ms | 292 ms |');
    expect(tableUnder(md, 'Incidents')[2]).toContain('injected +0 ms → detected +4.2 ms → ejected +4.4 ms → restarted +107 ms → recovered +292 ms');
    expect(tableUnder(md, 'Predictions')[2]).toContain('| A handful, while the balancer notices | None at all | no |');
    expect(md).toContain('MTTD mean 157 ms, max 310 ms · MTTR mean 1.74 s, max 3.19 s');
  });

  it('shows the availability arithmetic and the steps', () => {
    expect(md).toContain('```text\nMTBF (assumed)  = 720 h (30 days)\nMTTR (measured) = 1.74 s\n');
    expect(md).toContain('A (service)     = 1 − (1 − A)^3 = ');
    expect(md).toContain('10. 8.010 s **expect** expect traffic.errorRate ≤ 0.01 — failed (0 ms)');
    expect(md).toContain('11. 8.010 s **action** action: restart a2 — done (110 ms) — by operator');
  });

  it('escapes Markdown in report text', () => {
    expect(mdText('a|b *c* _d_ [e](f) `g` <h>\nnext')).toBe('a\\|b \\*c\\* \\_d\\_ \\[e\\](f) \\`g\\` &lt;h&gt; next');
  });
});
