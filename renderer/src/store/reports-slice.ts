import type { StateCreator } from 'zustand';
import type { ReportFormat } from '../../../shared/drill/run.js';
import type { ReportComparison } from '../../../shared/report/compare.js';
import type { DrillReport, ReportSummary } from '../../../shared/report/model.js';
import type { Loadable } from './drill-slice.js';
import type { Store } from './store.js';

export type ReportHistory = { reports: ReportSummary[]; problems: string[] };
export type OpenedReport = { report: DrillReport; dir: string; files: Partial<Record<ReportFormat, string>> };
export type ReportsComparison = { comparison: ReportComparison; reports: DrillReport[] };

export type ReportsSlice = {
  reports: {
    history: Loadable<ReportHistory>;
    /** Reports ticked for a comparison, in the order ticked (2 to 6). */
    selected: string[];
    /** What the viewer shows: one report, or a comparison. */
    viewer: { kind: 'report'; id: string; state: Loadable<OpenedReport> } | { kind: 'comparison'; ids: string[]; state: Loadable<ReportsComparison> } | null;
    /** The last PDF export: the path the engine wrote, or why it could not. */
    pdf: { id: string; state: 'busy' } | { id: string; state: 'ok'; path: string } | { id: string; state: 'error'; message: string } | null;
  };
};

export const createReportsSlice: StateCreator<Store, [], [], ReportsSlice> = () => ({
  reports: { history: { status: 'idle' }, selected: [], viewer: null, pdf: null },
});
