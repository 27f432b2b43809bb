// The command table, faults: fault.*.
import { ContractError, type CommandHandlers } from '../../../../shared/contract/index.js';
import type { FaultRegistry } from '../../faults/index.js';
import type { FleetSupervisor } from '../../fleet/index.js';
import type { ToxiproxyApi } from '../../toxiproxy/index.js';

export interface FaultCommandsDeps {
  faults: FaultRegistry;
  fleet: FleetSupervisor;
  /** Toxiproxy's API, while the lab serves it. */
  toxiproxyApi: () => ToxiproxyApi | undefined;
}

/** Faults: inject, revert, halt (every one), list. */
export function faultCommands({ faults, fleet, toxiproxyApi }: FaultCommandsDeps): Pick<CommandHandlers, 'fault.inject' | 'fault.revert' | 'fault.halt' | 'fault.list'> {
  return {
    'fault.inject': (params) => {
      if (fleet.status !== 'running') throw new ContractError({ code: 'conflict', message: `the fleet is ${fleet.status}`, field: 'target' });
      return faults.inject(params);
    },
    'fault.revert': ({ id }) => faults.revert(id),
    'fault.halt': async () => {
      const halted = await faults.halt();
      // Proxies a Toxiproxy client made for itself are no lab node, and HALT still means everything.
      toxiproxyApi()?.resetClientProxies();
      return halted;
    },
    'fault.list': () => ({ faults: faults.list() }),
  };
}
