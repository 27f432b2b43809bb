// The data plane (the balancer and the TCP fault proxies) behind one interface of messages (see README.md).
import type { DataPlane } from './data-plane';
import { InProcessDataPlane } from './in-process';
import { WorkerDataPlane } from './worker-plane';

export type { DataPlane, NodePort, PlaneListener } from './data-plane';
export { InProcessDataPlane, type InProcessDataPlaneOptions } from './in-process';
export { PlaneClient, type PlaneClientOptions, type PlaneRestart } from './plane-client';
export { WorkerDataPlane, type WorkerDataPlaneOptions } from './worker-plane';

/**
 * The lab's data plane: on its own thread (worker-plane.ts), or on the engine's with
 * `FIREDRILL_DATA_PLANE=in-process` (to compare, or where threads cannot load the bundle).
 */
export function defaultDataPlane(): DataPlane {
  return process.env.FIREDRILL_DATA_PLANE === 'in-process' ? new InProcessDataPlane() : new WorkerDataPlane();
}
export type * from './messages';
