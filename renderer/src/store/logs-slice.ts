import type { StateCreator } from 'zustand';
import type { LogRing } from './log-ring.js';
import { nodeRecord } from './node-record.js';
import type { Store } from './store.js';

/** Lines kept per node; a projector shows a few dozen, the rest is for scrolling back. */
export const LOG_RING_CAPACITY = 2000;

export type LogsSlice = {
  logs: {
    /** Mutable rings with stable identities; `revision` says when one has changed. */
    rings: Record<string, LogRing>;
    /** Bumped once per batch per node that received lines, never per line. */
    revision: Record<string, number>;
    selectedNodeId: string | null;
    /** Lines the engine dropped before sending (it reports a total per batch). */
    engineDropped: number;
  };
};

export const createLogsSlice: StateCreator<Store, [], [], LogsSlice> = () => ({
  logs: { rings: nodeRecord(), revision: nodeRecord(), selectedNodeId: null, engineDropped: 0 },
});
