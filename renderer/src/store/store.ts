import { create } from 'zustand';
import { createBalancerSlice, type BalancerSlice } from './balancer-slice.js';
import { createConnectionSlice, type ConnectionSlice } from './connection-slice.js';
import { createDrillSlice, type DrillSlice } from './drill-slice.js';
import { createFaultsSlice, type FaultsSlice } from './faults-slice.js';
import { createIncidentsSlice, type IncidentsSlice } from './incidents-slice.js';
import { createLabSlice, type LabSlice } from './lab-slice.js';
import { createLogsSlice, type LogsSlice } from './logs-slice.js';
import { createReplaySlice, type ReplaySlice } from './replay-slice.js';
import { createReportsSlice, type ReportsSlice } from './reports-slice.js';
import { createTimelineSlice, type TimelineSlice } from './timeline-slice.js';
import { createToastsSlice, type ToastsSlice } from './toasts-slice.js';
import { createTrafficSlice, type TrafficSlice } from './traffic-slice.js';
import { createUiSlice, type UiSlice } from './ui-slice.js';

export type Store = ConnectionSlice &
  LabSlice &
  BalancerSlice &
  TrafficSlice &
  IncidentsSlice &
  FaultsSlice &
  TimelineSlice &
  LogsSlice &
  DrillSlice &
  ReportsSlice &
  ReplaySlice &
  ToastsSlice &
  UiSlice;

/**
 * The one store. Slices hold data only; actions are plain functions in ./actions.ts (lab data)
 * and ./ui-actions.ts (the view's own state). Metrics ticks do not pass through it: see ../metrics/.
 */
export const useStore = create<Store>()((...a) => ({
  ...createConnectionSlice(...a),
  ...createLabSlice(...a),
  ...createBalancerSlice(...a),
  ...createTrafficSlice(...a),
  ...createIncidentsSlice(...a),
  ...createFaultsSlice(...a),
  ...createTimelineSlice(...a),
  ...createLogsSlice(...a),
  ...createDrillSlice(...a),
  ...createReportsSlice(...a),
  ...createReplaySlice(...a),
  ...createToastsSlice(...a),
  ...createUiSlice(...a),
}));
