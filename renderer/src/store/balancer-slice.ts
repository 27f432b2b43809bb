import type { StateCreator } from 'zustand';
import type { BalancerState, UpstreamState } from '../../../shared/contract/model.js';
import { nodeRecord } from './node-record.js';
import type { Store } from './store.js';

export type BalancerSlice = {
  balancer: {
    /** Settings and upstreams as of the last `lab.state`, `balancer.changed` or `balancer.set`. */
    state: BalancerState | null;
    /**
     * Each node's upstream state (null: not routed), from the same. A new object only when a state
     * changed, so the topology re-renders on a state change, not on every balancer event.
     */
    upstreams: Record<string, UpstreamState | null>;
  };
};

export const createBalancerSlice: StateCreator<Store, [], [], BalancerSlice> = () => ({
  balancer: { state: null, upstreams: nodeRecord() },
});
