import { create } from 'zustand';
import { createConnectionSlice, type ConnectionSlice } from './connection-slice.js';
import { createLabSlice, type LabSlice } from './lab-slice.js';
import { createLogsSlice, type LogsSlice } from './logs-slice.js';
import { createTimelineSlice, type TimelineSlice } from './timeline-slice.js';
import { createToastsSlice, type ToastsSlice } from './toasts-slice.js';

export type Store = ConnectionSlice & LabSlice & TimelineSlice & LogsSlice & ToastsSlice;

/** The one store. Slices hold data only; actions are plain functions in ./actions.ts. */
export const useStore = create<Store>()((...a) => ({
  ...createConnectionSlice(...a),
  ...createLabSlice(...a),
  ...createTimelineSlice(...a),
  ...createLogsSlice(...a),
  ...createToastsSlice(...a),
}));
