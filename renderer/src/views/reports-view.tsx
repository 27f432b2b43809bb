import { useEffect } from 'react';
import { ReportHistory } from '../components/reports/report-history.js';
import { ReportViewer } from '../components/reports/report-viewer.js';
import { loadReports } from '../connection/lab-commands.js';
import { useStore } from '../store/store.js';

/** Reports: the history of drill runs; open one as its self-contained HTML, compare two to six, export any format. */
export function ReportsView() {
  const connected = useStore((s) => s.connection.status === 'open');
  const status = useStore((s) => s.reports.history.status);
  // A drill that just ended wrote a report: read the history again.
  const newestReport = useStore((s) => s.drill.run?.reportId ?? null);
  useEffect(() => {
    if (connected) void loadReports();
  }, [connected, newestReport]);
  return (
    <div className="view-stack" data-testid="reports-view" data-state={status}>
      <ReportHistory />
      <ReportViewer />
    </div>
  );
}
