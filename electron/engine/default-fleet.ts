import type { TopologySpec } from '../../shared/contract/model.js';

/**
 * What a fresh lab runs: a primary (`p1`) shipping its write-ahead log synchronously to a hot
 * standby (`s1`), both the bundled KV server, restarted by the supervisor whenever they die, with
 * the balancer routing to the primary. Kill the primary and watch the standby take over.
 */
export const defaultTopology: Pick<TopologySpec, 'kind' | 'replication'> = { kind: 'hot-standby', replication: 'sync' };
