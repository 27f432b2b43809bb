import type { FaultRecord } from '../../shared/contract/model.js';

/** A lab with no nodes for the Toxiproxy API: no links, no faults, and any lab fault refused. */
export const noLab = {
  links: () => [],
  faults: async (): Promise<FaultRecord[]> => [],
  inject: async (): Promise<FaultRecord> => {
    throw new Error('no lab here');
  },
  revert: async (): Promise<FaultRecord> => {
    throw new Error('no lab here');
  },
};
