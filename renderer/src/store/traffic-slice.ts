import type { StateCreator } from 'zustand';
import type { LedgerCounts, TrafficState } from '../../../shared/contract/model.js';
import type { Store } from './store.js';

export type TrafficSlice = {
  traffic: {
    state: TrafficState | null;
    /** The ledger as of its last check (acked grows every tick; that count is shown live, not stored here). */
    ledger: LedgerCounts | null;
  };
};

export const createTrafficSlice: StateCreator<Store, [], [], TrafficSlice> = () => ({
  traffic: { state: null, ledger: null },
});
