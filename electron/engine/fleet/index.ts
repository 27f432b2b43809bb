export { FleetSupervisor, type FleetListener, type FleetStatus, type FleetSupervisorOptions, type NodeReconfiguration } from './fleet-supervisor';
export { loadFleetFile } from './fleet-file';
export { PlainNodeLauncher } from './node-launcher';
export type { LaunchRequest, LaunchTarget, LaunchedProcess, OrphanGuard, ProcessExit, ProcessLauncher } from './process-launcher';
