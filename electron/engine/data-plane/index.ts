// The data plane (the balancer and the TCP fault proxies) behind one interface of messages (see README.md).
import { existsSync } from 'node:fs';
import { dataPlaneEntry } from '../app-paths';
import type { DataPlane } from './data-plane';
import { InProcessDataPlane } from './in-process';
import { MultiWorkerDataPlane } from './multi-plane';

export type { DataPlane, NodePort, PlaneListener } from './data-plane';
export { InProcessDataPlane, type InProcessDataPlaneOptions } from './in-process';
export { PlaneClient, type PlaneClientOptions, type PlaneRestart } from './plane-client';
export { WorkerDataPlane, type WorkerDataPlaneOptions } from './worker-plane';
export { MultiWorkerDataPlane, RETIRE_DRAIN_MS, type MultiWorkerDataPlaneOptions } from './multi-plane';
export { askedWorkers, reusePortMissing } from './worker-count';

/** Where the lab's data plane runs: `FIREDRILL_DATA_PLANE` (`thread`, the default, or `in-process`) and why. */
export function dataPlaneChoice(env: NodeJS.ProcessEnv = process.env, bundleExists: (path: string) => boolean = existsSync): { where: 'thread' | 'in-process'; why: string | null } {
  const asked = env.FIREDRILL_DATA_PLANE;
  if (asked === 'in-process') return { where: 'in-process', why: null };
  const unknown = asked !== undefined && asked !== '' && asked !== 'thread' ? `FIREDRILL_DATA_PLANE=${asked} is neither "thread" nor "in-process"; ` : '';
  const entry = dataPlaneEntry();
  if (!bundleExists(entry)) return { where: 'in-process', why: `${unknown}the data plane's thread bundle ${entry} is missing (run: node scripts/build.mjs); running it on the engine's thread` };
  return { where: 'thread', why: unknown ? `${unknown}running it on its own thread` : null };
}

/**
 * The lab's data plane: on worker threads of its own (worker-plane.ts), as many balancer workers as
 * the `workers` setting asks where this Node can share a port (multi-plane.ts), so a flood of
 * requests never waits on the engine and the engine never waits on it; `FIREDRILL_DATA_PLANE=in-process`
 * keeps it on the engine's thread, as does a missing thread bundle (said in a warning, never a crash).
 */
export function defaultDataPlane(): DataPlane {
  const { where, why } = dataPlaneChoice();
  if (why) process.emitWarning(why);
  return where === 'thread' ? new MultiWorkerDataPlane() : new InProcessDataPlane();
}
export type * from './messages';
