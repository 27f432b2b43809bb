import type { StateCreator } from 'zustand';
import type { TimelineEvent } from '../../../shared/contract/model.js';
import type { Store } from './store.js';

/** The view keeps this many events; older ones stay in the engine's run folder. */
export const TIMELINE_CAP = 500;

export type TimelineSlice = {
  timeline: {
    /** Oldest first, unique by `seq`, at most TIMELINE_CAP. */
    events: TimelineEvent[];
    /** The `at` of the first event seen in this run: the zero of every relative timestamp. */
    originAt: number | null;
  };
};

export const createTimelineSlice: StateCreator<Store, [], [], TimelineSlice> = () => ({
  timeline: { events: [], originAt: null },
});
