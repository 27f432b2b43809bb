import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../../shared/report/html.js';
import { REPORT_CSP } from '../../../shared/report/html-page.js';
import { HOSTILE, makeReport } from '../../support/report-fixture.js';

/** Every tag the renderer itself writes; anything else in the output came from a report string. */
const OUR_TAGS = new Set(
  'html head meta title style body main header section footer div span p h1 h2 h3 strong em code pre ul ol li dl dt dd table thead tbody tr th td figure figcaption details summary svg g path line rect circle text defs clippath'.split(' '),
);

const tagsOf = (html: string): string[] => [...html.matchAll(/<\/?([a-zA-Z][\w-]*)/g)].map((match) => (match[1] ?? '').toLowerCase());

describe('HTML report', () => {
  const report = makeReport();
  const html = renderHtml(report);

  it('is one document with a strict CSP, inline CSS and no script', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`);
    expect(REPORT_CSP).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).toContain('@media (prefers-color-scheme: dark)');
    expect(html).toContain('@media print');
  });

  it('writes only its own tags and no attribute that could fetch or run anything', () => {
    const foreign = tagsOf(html).filter((tag) => !OUR_TAGS.has(tag));
    expect(foreign).toEqual([]);
    const tags = html.match(/<[a-zA-Z][^>]*>/g) ?? [];
    expect(tags.length).toBeGreaterThan(500);
    expect(tags.filter((tag) => /\s(href|src|srcset|action|formaction|on\w+)\s*=/i.test(tag))).toEqual([]);
    // The only URL in an attribute is the SVG namespace, which is a name, not a request.
    const urls = [...html.matchAll(/="(https?:[^"]*)"/g)].map((match) => match[1]);
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg']));
  });

  it('escapes every hostile string from the report', () => {
    expect(html).toContain('Kill &lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt; one &amp; &#39;two&#39; ]]&gt; | of three');
    expect(html).toContain('&lt;script&gt;alert(&quot;reason&quot;)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;iframe src=&quot;https://example.com&quot;&gt;&lt;/iframe&gt;');
    expect(html).toContain('&quot;reason&quot;: &quot;exit &lt;script&gt;alert(\\&quot;timeline\\&quot;)&lt;/script&gt;&quot;');
    expect(html).toContain('/home/ops/drills/kill &quot;one&quot; &lt;of&gt; three.yaml');
    expect(html).not.toContain(HOSTILE.title);
    expect(html).not.toContain('<u>nobody</u>');
  });

  it('leads with the verdict and its reason', () => {
    expect(html).toMatch(/<header class="verdict fail">\s*<div class="badge fail" data-verdict="fail">FAIL<\/div>/);
    expect(html).toContain('<title>FAIL · Kill &lt;script&gt;');
    expect(renderHtml(makeReport({ verdict: 'pass', reason: 'every expectation held' }))).toMatch(/data-verdict="pass">PASS<\/div>[\s\S]*every expectation held/);
    expect(renderHtml(makeReport({ verdict: 'aborted' }))).toContain('data-verdict="aborted">ABORTED</div>');
  });

  it('has the three charts with the fault periods shaded and the marks drawn', () => {
    for (const id of ['chart-throughput', 'chart-latency', 'chart-per-node']) expect(html).toContain(`aria-labelledby="${id}-title"`);
    // Two faults shaded in each of the three charts; the kill until its incident recovered (3.003 s – 3.295 s).
    expect(html.match(/<rect class="fault-period"/g)).toHaveLength(6);
    expect(html).toContain('<title>kill on a2 (3.003 s – 3.295 s)</title>');
    expect(html).toContain('<title>latency on a3 (slow-a3) (3.01 s – 6.01 s)</title>');
    expect(html.match(/<g class="mark"><title>before-kill at 3.002 s<\/title>/g)).toHaveLength(3);
    for (const node of ['a1', 'a2', 'a3']) expect(html).toContain(`>${node}</text>`);
  });

  it('shows each incident as a stage bar with its times, and MTTD/MTTR', () => {
    expect(html.match(/<svg [^>]*class="stage-bar"/g)).toHaveLength(2);
    expect(html).toContain('detected <strong>+4.2 ms</strong>');
    expect(html).toContain('restarted <strong>+107 ms</strong>');
    expect(html).toContain('recovered <strong>+292 ms</strong>');
    expect(html).toContain('recovered <strong>+3.190 s</strong>');
    expect(html).toMatch(/<td><strong>mean<\/strong><\/td>(<td><\/td>){3}<td class="num">157 ms<\/td><td class="num">1.74 s<\/td>/);
  });

  it('has the hypothesis, expectations, predictions beside outcomes, narration, steps, faults and availability', () => {
    expect(html).toContain('<span class="v v-fail">fail</span>');
    expect(html).toContain('<span class="v v-pending">pending</span>');
    expect(html).toContain('<p>1 of 2 passed.</p>');
    expect(html).toMatch(/A handful, while the balancer notices <span class="muted">\(expected\)<\/span>/);
    expect(html).toMatch(/None at all <span class="muted">\(answered\)<\/span>/);
    expect(html).toContain('39 of 3,000 requests failed (1.3 %); a2 was detected after 4.2 ms &amp; ejected.');
    expect(html).toContain('<strong>a1</strong>');
    expect(html).toContain('read the docs (<span class="url">https://example.com/drills?a=1&amp;b=&lt;2&gt;</span>) later');
    expect(html.match(/<div class="say">/g)).toHaveLength(2);
    expect(html).toContain('<td class="num">13</td>');
    expect(html).toContain('{&quot;proxy&quot;:&quot;balancer&quot;,&quot;note&quot;:&quot;&lt;b&gt;toxic&lt;/b&gt; &amp; ]]&gt;&quot;}');
    expect(html).toContain('A (one node)    = MTBF / (MTBF + MTTR) = 720 h / (720 h + 1.74 s) = 99.999933 %');
    expect(html).toContain("<p class=\"muted\">12 events, wall clock in UTC; each one's data a click away.</p>");
    expect(html).toMatch(/<summary>a2 stopped by the lab \(SIGKILL\) <span class="muted">· \+3\.3 ms after the [a-z ]+<\/span><\/summary>/);
    expect(html).toContain('<span class="at">10:00:03.003</span>');
    expect(html.match(/<ol class="timeline">[\s\S]*?<\/ol>/)?.[0].match(/<li>/g)).toHaveLength(12);
  });

  it('renders a run where nothing happened', () => {
    const empty = makeReport({
      verdict: 'error',
      reason: 'the fleet did not start',
      traffic: { settings: null, stats: null },
      hypothesis: [],
      expectations: [],
      predictions: [],
      steps: [],
      marks: [],
      faults: [],
      incidents: [],
      timeline: [],
      series: { tMs: [], rps: [], errorsPerSec: [], retriesPerSec: [], p50: [], p99: [], perNode: {} },
    });
    const out = renderHtml(empty);
    expect(out).toContain('data-verdict="error">ERROR</div>');
    expect(out.match(/>no data<\/text>/g)).toHaveLength(3);
    expect(out).toContain('No traffic ran in this drill.');
    expect(out).toContain('No incident: nothing failed in this drill.');
    expect(out).not.toMatch(/NaN|Infinity|undefined/);
  });
});
