import { formatMs, formatRelative } from '../format.js';
import { useStore } from '../store/store.js';
import { useQuery } from './use-query.js';

/** The report history (`report.list`). Opening, comparing and exporting come with the reports view. */
export function ReportsView() {
  const reports = useQuery('report.list', { limit: 50 });
  const originAt = useStore((s) => s.timeline.originAt);
  return (
    <section className="panel" aria-labelledby="reports-heading" data-testid="reports-view" data-state={reports.status}>
      <h2 id="reports-heading">Reports</h2>
      <p className="muted">Every drill is recorded as a report. Open, compare and export are coming; here is the history.</p>
      {reports.status === 'loading' ? <p className="muted">Loading the reports…</p> : null}
      {reports.status === 'error' ? (
        <p className="muted" data-testid="reports-unavailable">
          The engine has no reports to offer yet ({reports.message}).
        </p>
      ) : null}
      {reports.status === 'ok' ? (
        reports.data.reports.length === 0 ? (
          <p className="muted" data-testid="reports-empty">
            No reports yet: run a drill and its report appears here.
          </p>
        ) : (
          <table className="table" data-testid="report-list">
            <thead>
              <tr>
                <th>drill</th>
                <th>verdict</th>
                <th>topology</th>
                <th>strategy</th>
                <th>took</th>
                <th>started</th>
              </tr>
            </thead>
            <tbody>
              {reports.data.reports.map((r) => (
                <tr key={r.id} data-testid="report-item" data-verdict={r.verdict}>
                  <td>{r.title}</td>
                  <td>{r.verdict}</td>
                  <td>{r.topology ?? 'fleet file'}</td>
                  <td>{r.strategy}</td>
                  <td className="mono">{formatMs(r.durationMs)}</td>
                  <td className="mono">{originAt !== null && r.startedAt >= originAt ? formatRelative(r.startedAt, originAt) : new Date(r.startedAt).toLocaleString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
    </section>
  );
}
