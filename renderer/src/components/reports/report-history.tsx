import { MAX_COMPARED, MIN_COMPARED } from '../../../../shared/report/compare.js';
import type { ReportSummary } from '../../../../shared/report/model.js';
import { compareReports, loadReports, openReport } from '../../connection/lab-commands.js';
import { formatMs } from '../../format.js';
import { clearReportSelection, toggleReportSelected } from '../../store/actions.js';
import { useStore } from '../../store/store.js';
import { VerdictBadge } from '../drills/verdict-badge.js';

/** "3 min ago", "yesterday 14:02"-like, from the wall clock: history is read by humans. */
function when(startedAt: number): string {
  const ago = Date.now() - startedAt;
  if (ago >= 0 && ago < 60_000) return 'just now';
  if (ago >= 0 && ago < 3_600_000) return `${Math.round(ago / 60_000)} min ago`;
  return new Date(startedAt).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** The report history (`report.list`), newest first: open one, or tick two to six and compare them. */
export function ReportHistory() {
  const history = useStore((s) => s.reports.history);
  const selected = useStore((s) => s.reports.selected);
  const viewer = useStore((s) => s.reports.viewer);
  const openId = viewer?.kind === 'report' ? viewer.id : null;
  const canCompare = selected.length >= MIN_COMPARED && selected.length <= MAX_COMPARED;
  const comparable = history.status === 'ok' && history.data.reports.length >= MIN_COMPARED;
  return (
    <section className="panel report-history" aria-labelledby="reports-heading" data-testid="report-history" data-state={history.status}>
      <header className="panel-head">
        <h2 id="reports-heading">Reports</h2>
        <div className="button-row">
          {comparable ? (
            <>
              <span className="muted small" data-testid="report-selected-count">
                {selected.length === 0 ? `tick ${MIN_COMPARED}–${MAX_COMPARED} runs to compare them` : `${selected.length} ticked`}
              </span>
              <button type="button" className="primary" data-testid="report-compare" disabled={!canCompare} onClick={() => void compareReports(selected)}>
                Compare{selected.length > 0 ? ` ${selected.length}` : ''}
              </button>
            </>
          ) : null}
          {selected.length > 0 ? (
            <button type="button" className="quiet" data-testid="report-clear-selection" onClick={clearReportSelection}>
              Clear
            </button>
          ) : null}
          <button type="button" className="quiet" data-testid="reports-refresh" onClick={() => void loadReports()}>
            Refresh
          </button>
        </div>
      </header>
      {history.status === 'loading' || history.status === 'idle' ? <p className="muted">Loading the reports…</p> : null}
      {history.status === 'error' ? (
        <p className="field-error" data-testid="reports-unavailable">
          The engine has no reports to offer ({history.message}).
        </p>
      ) : null}
      {history.status === 'ok' && history.data.reports.length === 0 ? (
        <p className="muted" data-testid="reports-empty">
          No reports yet: run a drill and its report appears here.
        </p>
      ) : null}
      {history.status === 'ok' && history.data.reports.length > 0 ? (
        <div className="report-table-wrap">
          <table className="table report-table" data-testid="report-list">
            <thead>
              <tr>
                <th>
                  <span className="visually-hidden">compare</span>
                </th>
                <th>verdict</th>
                <th>drill</th>
                <th>topology</th>
                <th>strategy</th>
                <th>seed</th>
                <th>when</th>
                <th>took</th>
                <th>
                  <span className="visually-hidden">open</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {history.data.reports.map((r) => (
                <ReportRow key={r.id} report={r} ticked={selected.includes(r.id)} open={openId === r.id} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {history.status === 'ok'
        ? history.data.problems.map((p) => (
            <p key={p} className="field-error small mono" data-testid="report-problem">
              {p}
            </p>
          ))
        : null}
    </section>
  );
}

function ReportRow({ report: r, ticked, open }: { report: ReportSummary; ticked: boolean; open: boolean }) {
  return (
    <tr className={open ? 'open' : undefined} data-testid="report-item" data-id={r.id} data-drill={r.drillId} data-verdict={r.verdict} aria-selected={open}>
      <td>
        <input type="checkbox" data-testid={`report-select-${r.id}`} aria-label={`Compare ${r.title} (${r.id})`} checked={ticked} onChange={() => toggleReportSelected(r.id)} />
      </td>
      <td>
        <VerdictBadge verdict={r.verdict} />
      </td>
      <td>
        <button type="button" className="link-button" onClick={() => void openReport(r.id)} title={r.reason}>
          {r.title}
        </button>
        <span className="muted small report-profile">{r.profile === 'short' ? ' · short' : ''}</span>
      </td>
      <td>{r.topology ?? 'fleet file'}</td>
      <td>{r.strategy}</td>
      <td className="mono">{r.seed}</td>
      <td className="nowrap">{when(r.startedAt)}</td>
      <td className="mono nowrap">{formatMs(r.durationMs)}</td>
      <td>
        <button type="button" className="small-button" data-testid={`report-open-${r.id}`} aria-pressed={open} onClick={() => void openReport(r.id)}>
          Open
        </button>
      </td>
    </tr>
  );
}
