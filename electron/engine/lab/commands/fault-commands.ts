// The command table, faults: fault.*.
import type { CommandHandlers } from '../../../../shared/contract/index.js';
import type { FaultRegistry } from '../../faults/index.js';
import type { ToxiproxyApi } from '../../toxiproxy/index.js';

export interface FaultCommandsDeps {
  faults: FaultRegistry;
  /** Toxiproxy's API, while the lab serves it. */
  toxiproxyApi: () => ToxiproxyApi | undefined;
}

/** Faults: inject, revert, halt (every one), list. */
export function faultCommands({ faults, toxiproxyApi }: FaultCommandsDeps): Pick<CommandHandlers, 'fault.inject' | 'fault.revert' | 'fault.halt' | 'fault.list'> {
  return {
    // The spec comes parsed (a FaultSpec); the registry makes the checks no schema can (the fleet runs, the target is in it).
    'fault.inject': (spec) => faults.inject(spec),
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
