export { FaultRegistry, type FaultRegistryOptions, type RevertHow } from './fault-registry';
export type { FaultListener, FleetPort, HttpFaultPort, NetworkFaultPort, FaultToxic } from './fault-ports';
export { JOURNAL_FILE } from './revert-journal';
