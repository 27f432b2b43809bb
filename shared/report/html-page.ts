import { escapeHtml } from './format.js';

/**
 * The page around an HTML report: one self-contained file that fetches nothing (a strict CSP,
 * inline CSS only, no script), light and dark with the system, and laid out for A4 when printed.
 */

export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

export const REPORT_CSS = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --panel: #f6f8fa;
  --pass: #1a7f37; --fail: #cf222e; --aborted: #9a6700; --error: #8250df; --pending: #6e7781;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #30363d; --panel: #161b22;
    --pass: #3fb950; --fail: #f85149; --aborted: #d29922; --error: #a371f7; --pending: #8b949e;
  }
}
* { box-sizing: border-box; }
html { background: var(--bg); color: var(--fg); }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 26px; line-height: 1.25; margin: 12px 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 19px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; }
p { margin: 6px 0; }
a { color: inherit; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
code { background: var(--panel); border-radius: 4px; padding: 0 4px; }
pre { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
pre code { background: none; padding: 0; }
.muted { color: var(--muted); }
.url { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; overflow-wrap: anywhere; }
header.verdict { display: flex; gap: 20px; align-items: center; padding: 16px 18px; border: 1px solid var(--line); border-left-width: 8px; border-radius: 8px; background: var(--panel); }
header.verdict.pass { border-left-color: var(--pass); }
header.verdict.fail { border-left-color: var(--fail); }
header.verdict.aborted { border-left-color: var(--aborted); }
header.verdict.error { border-left-color: var(--error); }
.badge { display: inline-block; min-width: 128px; text-align: center; font-size: 30px; font-weight: 800; letter-spacing: 0.06em; padding: 8px 18px; border-radius: 8px; color: #fff; background: var(--pass); }
.badge.fail { background: var(--fail); }
.badge.aborted { background: var(--aborted); }
.badge.error { background: var(--error); }
.reason { font-size: 16px; font-weight: 600; overflow-wrap: anywhere; }
.v { display: inline-block; font-weight: 700; font-size: 12px; padding: 0 6px; border-radius: 4px; border: 1px solid currentColor; }
.v-pass, .ok { color: var(--pass); }
.v-fail, .bad { color: var(--fail); }
.v-pending, .v-skipped, .v-unchecked { color: var(--pending); }
.v-aborted { color: var(--aborted); }
.v-error { color: var(--error); }
table { border-collapse: collapse; width: 100%; margin: 6px 0 14px; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { font-weight: 600; background: var(--panel); overflow-wrap: normal; }
.nowrap { white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 4px 28px; }
figure { margin: 10px 0 18px; }
figcaption { font-weight: 600; margin-bottom: 4px; }
svg.chart, svg.stage-bar { display: block; max-width: 100%; height: auto; }
.incident { border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; margin: 10px 0; }
ol.stages { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 6px; padding: 0; margin: 6px 0 2px; }
ol.stages li { border: 1px solid var(--line); border-radius: 12px; padding: 0 8px; font-size: 12px; white-space: nowrap; }
ol.stages li + li::before { content: "→ "; color: var(--muted); }
.say { display: grid; grid-template-columns: 80px 1fr; gap: 12px; border-left: 3px solid var(--line); padding: 2px 0 2px 10px; margin: 8px 0; }
.say .at { color: var(--muted); font-variant-numeric: tabular-nums; }
.formula { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; }
details summary { cursor: pointer; font-weight: 600; }
details pre { max-height: 520px; overflow: auto; white-space: pre; }
ol.timeline { list-style: none; padding: 0; margin: 6px 0; font-size: 13px; }
ol.timeline li { display: grid; grid-template-columns: max-content 56px minmax(0, 1fr); gap: 10px; border-bottom: 1px solid var(--line); padding: 2px 0; }
ol.timeline .at { font-family: ui-monospace, Menlo, Consolas, monospace; font-variant-numeric: tabular-nums; color: var(--muted); }
ol.timeline .node { font-family: ui-monospace, Menlo, Consolas, monospace; }
ol.timeline summary { font-weight: 400; }
ol.timeline pre { margin: 4px 0; max-height: 240px; }
footer { margin-top: 36px; color: var(--muted); font-size: 12px; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  :root { color-scheme: light; --bg: #ffffff; --fg: #000000; --muted: #444c56; --line: #c8ccd1; --panel: #f4f5f7;
    --pass: #1a7f37; --fail: #cf222e; --aborted: #9a6700; --error: #8250df; --pending: #57606a; }
  body { font-size: 11px; }
  code, pre, .mono, .formula { font-size: 10px; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; margin-top: 20px; }
  tr, figure, .incident, .say, header.verdict { break-inside: avoid; }
  .badge, header.verdict, th, code, pre { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  details pre { max-height: none; overflow: visible; white-space: pre-wrap; }
}
`;

export interface HtmlPage {
  title: string;
  /** Trusted HTML, built with escapeHtml around everything that came from a report. */
  body: string;
  /** The page's CSP when it runs a script of its own (the report player); default REPORT_CSP, no script at all. */
  csp?: string;
  /** More trusted CSS after the report's own. */
  css?: string;
}

export function htmlPage({ title, body, csp = REPORT_CSP, css = '' }: HtmlPage): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${REPORT_CSS}${css}</style>`,
    '</head>',
    '<body>',
    '<main>',
    body,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** A table from trusted cell HTML; `numeric` columns are right-aligned. */
export function htmlTable(headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>, options: { numeric?: ReadonlyArray<number>; className?: string } = {}): string {
  const numeric = new Set(options.numeric ?? []);
  const cls = (index: number): string => (numeric.has(index) ? ' class="num"' : '');
  const head = headers.map((header, index) => `<th${cls(index)}>${escapeHtml(header)}</th>`).join('');
  const body = rows.map((row) => `<tr>${row.map((cell, index) => `<td${cls(index)}>${cell}</td>`).join('')}</tr>`).join('\n');
  return `<table${options.className ? ` class="${escapeHtml(options.className)}"` : ''}><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** A verdict word as a coloured chip: pass, fail, pending, aborted, error, unchecked. */
export function verdictChip(verdict: string): string {
  const safe = /^[a-z]+$/.test(verdict) ? verdict : 'pending';
  return `<span class="v v-${safe}">${escapeHtml(verdict)}</span>`;
}

/** A definition list from [term, trusted HTML] pairs. */
export function factList(facts: ReadonlyArray<readonly [string, string]>): string {
  return `<dl class="facts">${facts.map(([term, value]) => `<dt>${escapeHtml(term)}</dt><dd>${value}</dd>`).join('')}</dl>`;
}
