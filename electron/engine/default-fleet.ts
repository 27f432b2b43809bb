import type { FleetSpecInput } from '../../shared/contract/model.js';

/**
 * The fleet a fresh lab starts with: one primary shipping its write-ahead log synchronously to two
 * hot standbys, all three the bundled KV server, restarted by the supervisor whenever they die.
 */
export const defaultFleet: FleetSpecInput = {
  name: 'primary with two hot standbys',
  restart: { policy: 'always' },
  nodes: [
    { id: 'n1', kind: 'bundled', role: 'primary', server: { replicas: ['n2', 'n3'], replication: 'sync' } },
    { id: 'n2', kind: 'bundled', role: 'standby' },
    { id: 'n3', kind: 'bundled', role: 'standby' },
  ],
};
