export { FleetSupervisor, checkFleet, type FleetListener, type FleetStatus, type FleetSupervisorOptions, type NodeReconfiguration } from './fleet-supervisor';
export { loadFleetFile } from './fleet-file';
