import type { StateCreator } from 'zustand';
import type { Incident } from '../../../shared/contract/model.js';
import type { Store } from './store.js';

/** Incidents kept in the view; the engine keeps its own history. */
export const INCIDENTS_CAP = 100;

export type IncidentsSlice = {
  /** Oldest first, unique by id. */
  incidents: Incident[];
};

export const createIncidentsSlice: StateCreator<Store, [], [], IncidentsSlice> = () => ({
  incidents: [],
});
