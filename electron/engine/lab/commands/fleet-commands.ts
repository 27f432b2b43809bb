// The command table, fleet and nodes: fleet.*, topology.set, node.*.
import { ContractError, type CommandHandlers, type LabSnapshot } from '../../../../shared/contract/index.js';
import type { FleetSupervisor } from '../../fleet/index.js';
import type { IncidentTracker } from '../../incidents/index.js';
import { now } from '../../clock.js';
import type { FleetLifecycle } from '../fleet-lifecycle.js';

export interface FleetCommandsDeps {
  lifecycle: FleetLifecycle;
  fleet: FleetSupervisor;
  incidents: IncidentTracker;
  snapshot: () => LabSnapshot;
  /** Resolves once the data plane applied what the command told it (it runs on its own thread). */
  settled: () => Promise<void>;
}

/** The fleet and its topology: start, stop, change. */
export function fleetCommands({ lifecycle, snapshot, settled }: FleetCommandsDeps): Pick<CommandHandlers, 'fleet.start' | 'fleet.stop' | 'topology.set'> {
  return {
    'fleet.start': async ({ fleet }) => {
      await lifecycle.startWith(fleet);
      await settled();
      return snapshot();
    },
    'fleet.stop': async ({ graceMs }) => {
      await lifecycle.stop(graceMs);
      await settled();
      return snapshot();
    },
    'topology.set': async (topology) => {
      await lifecycle.setTopology(topology);
      await settled();
      return snapshot();
    },
  };
}

/** One node at a time: start, stop, restart, promote, read its logs. */
export function nodeCommands({ lifecycle, fleet, incidents, settled }: FleetCommandsDeps): Pick<CommandHandlers, 'node.start' | 'node.stop' | 'node.restart' | 'node.promote' | 'node.logs'> {
  return {
    'node.start': ({ id }) => fleet.startNode(id),
    'node.stop': ({ id, graceMs }) => fleet.stopNode(id, graceMs),
    'node.restart': ({ id, graceMs }) => fleet.restartNode(id, graceMs),
    'node.promote': async ({ id }) => {
      const controller = lifecycle.controller;
      if (!controller) throw new ContractError({ code: 'conflict', message: 'no standby to promote: the lab runs active-active or a fleet file', field: 'id' });
      // A failure nothing in the lab noticed, which the operator acted on: their act is the detection (MTTD = their reaction time).
      // A healthy primary switched over by hand is no incident at all.
      // Refused before the operator's act is recorded as anything.
      if (controller.failingOver) throw new ContractError({ code: 'conflict', message: 'a failover is already under way', field: 'id' });
      const primary = controller.primary;
      if (primary && id === controller.standby && incidents.openIncident(primary)) incidents.detected({ nodeId: primary, via: 'operator', at: now(), reason: `the operator promoted ${id}` });
      try {
        const result = await controller.promoteStandby(id);
        // Answered once the balancer routes to it: a `lab.state` right after shows the new primary in rotation.
        await settled();
        return result;
      } catch (error) {
        throw new ContractError({ code: 'conflict', message: (error as Error).message, field: 'id' });
      }
    },
    'node.logs': ({ id, limit }) => {
      if (!fleet.node(id)) throw new ContractError({ code: 'not-found', message: `no node "${id}"`, field: 'id' });
      return { lines: fleet.logs(id).slice(-(limit ?? 500)) };
    },
  };
}
