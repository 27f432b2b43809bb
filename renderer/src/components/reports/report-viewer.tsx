import { useMemo } from 'react';
import { renderComparisonHtml, renderComparisonMarkdown } from '../../../../shared/report/compare.js';
import { renderHtml } from '../../../../shared/report/html.js';
import { renderJunit } from '../../../../shared/report/junit.js';
import { renderMarkdown } from '../../../../shared/report/markdown.js';
import type { DrillReport } from '../../../../shared/report/model.js';
import { saveReportPdf } from '../../connection/lab-commands.js';
import { setReportViewer } from '../../store/actions.js';
import type { OpenedReport, ReportsComparison } from '../../store/reports-slice.js';
import { useStore } from '../../store/store.js';
import type { ThemeChoice } from '../../store/ui-slice.js';
import { VerdictBadge } from '../drills/verdict-badge.js';
import { downloadText } from './download.js';
import { reportHtmlWithPlayer } from './report-html-download.js';

/**
 * A rendered report or comparison, shown as the very HTML file the engine writes: in an iframe
 * with `sandbox=""` (no script, no navigation, an opaque origin) and `srcdoc`, so nothing in it
 * can reach the app. The page carries its own CSP and fetches nothing.
 */
function ReportFrame({ html, title, testId }: { html: string; title: string; testId: string }) {
  const theme = useStore((s) => s.ui.theme);
  const themed = useMemo(() => inScheme(html, theme), [html, theme]);
  return <iframe className="report-frame" title={title} sandbox="" srcDoc={themed} data-testid={testId} />;
}

/**
 * The report page follows the system's colour scheme, and a frame does not see the app's own
 * choice: when light or dark is chosen in the app, the page's dark block is switched on or off to
 * match. Only the frame's copy changes; downloads stay as the engine writes them.
 */
function inScheme(html: string, theme: ThemeChoice): string {
  if (theme === 'system') return html;
  return html
    .replace('@media (prefers-color-scheme: dark)', theme === 'dark' ? '@media all' : '@media not all')
    .replace('color-scheme: light dark;', `color-scheme: ${theme};`)
    .replace('<meta name="color-scheme" content="light dark">', `<meta name="color-scheme" content="${theme}">`);
}

/** The opened report or comparison; nothing until one is chosen. */
export function ReportViewer() {
  const viewer = useStore((s) => s.reports.viewer);
  if (!viewer) return null;
  const key = viewer.kind === 'report' ? viewer.id : viewer.ids.join(',');
  return (
    <section className="panel report-viewer" aria-label={viewer.kind === 'report' ? 'Report' : 'Comparison'} data-testid="report-viewer" data-kind={viewer.kind} data-id={key} data-state={viewer.state.status}>
      {viewer.state.status === 'loading' || viewer.state.status === 'idle' ? <p className="muted">Reading {viewer.kind === 'report' ? 'the report' : 'the reports'}…</p> : null}
      {viewer.state.status === 'error' ? (
        <>
          <CloseButton />
          <p className="field-error" data-testid="report-viewer-error" role="alert">
            {viewer.state.message}
          </p>
        </>
      ) : null}
      {viewer.state.status === 'ok' && viewer.kind === 'report' ? <OpenReport opened={viewer.state.data} /> : null}
      {viewer.state.status === 'ok' && viewer.kind === 'comparison' ? <OpenComparison data={viewer.state.data} /> : null}
    </section>
  );
}

function CloseButton() {
  return (
    <button type="button" className="quiet" data-testid="report-close" aria-label="Close the report" onClick={() => setReportViewer(null)}>
      Close ×
    </button>
  );
}

const EXPORTS = [
  { format: 'html', label: 'HTML', suffix: '.html', type: 'text/html', render: renderHtml },
  { format: 'md', label: 'Markdown', suffix: '.md', type: 'text/markdown', render: renderMarkdown },
  { format: 'json', label: 'JSON', suffix: '.json', type: 'application/json', render: (report: DrillReport) => `${JSON.stringify(report, null, 2)}\n` },
  { format: 'junit', label: 'JUnit', suffix: '-junit.xml', type: 'application/xml', render: renderJunit },
] as const;

function OpenReport({ opened }: { opened: OpenedReport }) {
  const { report } = opened;
  const html = useMemo(() => renderHtml(report), [report]);
  return (
    <>
      <header className="report-viewer-head">
        <div className="report-viewer-title">
          <h2>{report.drill.title}</h2>
          <VerdictBadge verdict={report.verdict} testId="report-verdict" />
          <span className="muted small mono">{report.id}</span>
        </div>
        <CloseButton />
      </header>
      <div className="report-exports" role="group" aria-label="Export">
        <span className="muted small">Download</span>
        {EXPORTS.map((e) => (
          <button key={e.format} type="button" data-testid={`report-export-${e.format}`} onClick={() =>
              e.format === 'html'
                ? void reportHtmlWithPlayer(report).then((html) => downloadText(`${report.id}${e.suffix}`, html, `${e.type};charset=utf-8`))
                : downloadText(`${report.id}${e.suffix}`, e.render(report), `${e.type};charset=utf-8`)
            }
          >
            {e.label}
          </button>
        ))}
        <PdfExport id={report.id} />
      </div>
      <ReportFrame html={html} title={`Report: ${report.drill.title}`} testId="report-frame" />
      <p className="muted small">
        Stored in <span className="mono">{opened.dir}</span>
      </p>
    </>
  );
}

/** PDF is printed by the engine (Electron's printToPDF, or Chromium), on its own machine: show where it went or why not. */
function PdfExport({ id }: { id: string }) {
  const pdf = useStore((s) => (s.reports.pdf?.id === id ? s.reports.pdf : null));
  return (
    <>
      <button type="button" data-testid="report-export-pdf" disabled={pdf?.state === 'busy'} onClick={() => void saveReportPdf(id)}>
        {pdf?.state === 'busy' ? 'Saving PDF…' : 'Save PDF'}
      </button>
      {pdf && pdf.state !== 'busy' ? (
        <span className={pdf.state === 'ok' ? 'small pdf-result' : 'field-error small pdf-result'} data-testid="report-pdf-result" data-state={pdf.state} role={pdf.state === 'error' ? 'alert' : 'status'}>
          {pdf.state === 'ok' ? (
            <>
              PDF saved on the lab’s machine: <span className="mono">{pdf.path}</span>
            </>
          ) : (
            <>PDF not saved: {pdf.message}</>
          )}
        </span>
      ) : null}
    </>
  );
}

function OpenComparison({ data }: { data: ReportsComparison }) {
  const { comparison, reports } = data;
  const html = useMemo(() => renderComparisonHtml(comparison, reports), [comparison, reports]);
  const name = `comparison-${comparison.columns.map((c) => c.label.replace('#', '')).join('-')}-${comparison.columns[0]?.drillId ?? 'runs'}`;
  return (
    <>
      <header className="report-viewer-head">
        <div className="report-viewer-title">
          <h2>
            {comparison.columns.length} runs side by side{comparison.sameDrill ? `: ${comparison.columns[0]?.drillTitle ?? ''}` : ''}
          </h2>
          <span className="comparison-verdicts">
            {comparison.columns.map((c) => (
              <VerdictBadge key={c.label} verdict={c.verdict} />
            ))}
          </span>
        </div>
        <CloseButton />
      </header>
      <div className="report-exports" role="group" aria-label="Export">
        <span className="muted small">Download</span>
        <button type="button" data-testid="comparison-export-html" onClick={() => downloadText(`${name}.html`, html, 'text/html;charset=utf-8')}>
          HTML
        </button>
        <button type="button" data-testid="comparison-export-md" onClick={() => downloadText(`${name}.md`, renderComparisonMarkdown(comparison), 'text/markdown;charset=utf-8')}>
          Markdown
        </button>
      </div>
      <ReportFrame html={html} title="Comparison of drill runs" testId="comparison-frame" />
    </>
  );
}
