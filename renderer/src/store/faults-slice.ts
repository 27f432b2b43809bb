import type { StateCreator } from 'zustand';
import type { FaultRecord } from '../../../shared/contract/model.js';
import type { Store } from './store.js';

/** Fault records kept in the view: every active one, and the newest of the rest. */
export const FAULTS_CAP = 200;

export type FaultsSlice = {
  /** Oldest injection first, unique by id. */
  faults: FaultRecord[];
};

export const createFaultsSlice: StateCreator<Store, [], [], FaultsSlice> = () => ({
  faults: [],
});

export const isActive = (fault: FaultRecord): boolean => fault.status === 'active';
