import type { StateCreator } from 'zustand';
import type { CommandName } from '../../../shared/contract/commands.js';
import type { LabSnapshot, NodeSnapshot, TopologySpec } from '../../../shared/contract/model.js';
import { nodeRecord } from './node-record.js';
import type { Store } from './store.js';

export type FleetStatus = LabSnapshot['fleet']['status'];

export type LabSlice = {
  lab: {
    /** True once the first `lab.state` has arrived. */
    loaded: boolean;
    version: string | null;
    runDir: string | null;
    /** Where the lab serves Toxiproxy's HTTP API; null when it does not. */
    toxiproxyUrl: string | null;
    fleet: LabSnapshot['fleet'];
    /** The topology the fleet was built from; null for a fleet file. */
    topology: TopologySpec | null;
    /** Node ids in the fleet's order. */
    nodeIds: string[];
    nodes: Record<string, NodeSnapshot>;
    /** Commands in flight, by target (a node id, or `fleet`). */
    pending: Record<string, CommandName>;
  };
};

export const createLabSlice: StateCreator<Store, [], [], LabSlice> = () => ({
  lab: {
    loaded: false,
    version: null,
    runDir: null,
    toxiproxyUrl: null,
    fleet: { name: null, status: 'stopped' },
    topology: null,
    nodeIds: [],
    nodes: nodeRecord(),
    pending: nodeRecord(),
  },
});
