import type { App, Details } from 'electron';
import { PlainNodeLauncher } from '../engine/fleet/node-launcher.js';
import type { OrphanGuard } from '../engine/fleet/process-launcher.js';
import { UtilityProcessLauncher, type UtilityLauncherOptions } from './utility-launcher.js';

/** The parts of Electron the fleet's launcher uses (given, so this wiring runs in tests without Electron). */
export interface FleetLauncherElectron {
  utilityProcess: { fork: UtilityLauncherOptions['fork'] };
  app: Pick<App, 'on' | 'off'>;
}

/**
 * The desktop app's fleet launcher: the bundled server as an Electron utility process, programs
 * (command nodes) through the plain Node launcher, the orphan guard the POSIX shell reaper - so no
 * process of the lab needs the RunAsNode fuse. Call it once the app is ready (utility processes
 * cannot start before); `dispose()` at quit stops listening to Chromium's accounts of children.
 */
export function createFleetLauncher(electron: FleetLauncherElectron, startOrphanGuard?: () => Promise<OrphanGuard>): UtilityProcessLauncher {
  return new UtilityProcessLauncher({
    fork: (modulePath, args, options) => electron.utilityProcess.fork(modulePath, args, options),
    onChildProcessGone: (listener) => {
      const onGone = (_event: unknown, details: Details): void => listener(details);
      electron.app.on('child-process-gone', onGone);
      return () => electron.app.off('child-process-gone', onGone);
    },
    programs: new PlainNodeLauncher(),
    ...(startOrphanGuard ? { startOrphanGuard } : {}),
  });
}
