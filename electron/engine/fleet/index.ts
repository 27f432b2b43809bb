export { FleetSupervisor, type FleetListener, type FleetStatus, type FleetSupervisorOptions } from './fleet-supervisor';
export { loadFleetFile } from './fleet-file';
