// The data plane (the balancer and the TCP fault proxies) behind one interface of messages (see README.md).
export type { DataPlane, NodePort, PlaneListener } from './data-plane';
export { InProcessDataPlane, type InProcessDataPlaneOptions } from './in-process';
export { PlaneClient, type PlaneClientOptions } from './plane-client';
export type * from './messages';
