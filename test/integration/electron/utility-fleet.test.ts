// A whole fleet through the desktop app's launcher (createFleetLauncher): the real bundled server
// as an (emulated) utility process, a command node through the plain launcher, the real shell
// reaper as the orphan guard. Nothing here may need the RunAsNode fuse.
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { FleetSpec, type NodeSnapshot } from '../../../shared/contract/model';
import { serverEntry } from '../../../electron/engine/app-paths';
import { NODE_SECRET_ENV } from '../../../electron/engine/fleet/node-launch';
import { createFleetLauncher } from '../../../electron/main/fleet-launcher';
import { FleetHarness, refOf, waitUntil, isRunning } from '../fleet/helpers';
import { emulatedElectron } from './fixtures/utility-emulation';

const realServerBuilt = existsSync(serverEntry());

function stat(pid: number): { state: string; pgrp: number } {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] as string, pgrp: Number(fields[2]) };
}

const fleetSpec = FleetSpec.parse({
  nodes: [
    { id: 'b1', kind: 'bundled', role: 'stateless', restart: { policy: 'always', backoffInitialMs: 10 } },
    { id: 'c1', kind: 'command', command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] },
  ],
});

let harness: FleetHarness | undefined;
let launcher: ReturnType<typeof createFleetLauncher> | undefined;
afterEach(async () => {
  if (harness) expect(await harness.cleanup()).toEqual([]);
  launcher?.dispose();
  harness = undefined;
  launcher = undefined;
});

describe.skipIf(!realServerBuilt)("the fleet through the desktop app's launcher", () => {
  it('starts the bundled server as a utility process and a program as a group, guarded by the shell reaper; kill, pause and stop work on both', { timeout: 30_000 }, async () => {
    const electron = emulatedElectron('after-exit');
    launcher = createFleetLauncher(electron);
    expect(electron.goneListeners()).toBe(1);
    harness = new FleetHarness({ launcher });
    const nodes = await harness.fleet.start(fleetSpec);
    expect(harness.fleet.runtime).toBe('electron');
    expect(nodes.map((n) => [n.id, n.status])).toEqual([
      ['b1', 'ready'],
      ['c1', 'ready'],
    ]);
    const [b1, c1] = nodes as [NodeSnapshot, NodeSnapshot];

    // The bundled server went to utilityProcess.fork with its secret in the environment, not argv.
    expect(electron.forks).toHaveLength(1);
    const fork = electron.forks[0];
    const env = (fork?.options.env ?? {}) as Record<string, string>;
    expect(fork?.script).toBe(serverEntry());
    expect(fork?.args).toContain('--watch-parent');
    expect(env[NODE_SECRET_ENV]).toMatch(/^[\w-]{40,}$/);
    expect(fork?.args.join(' ')).not.toContain(env[NODE_SECRET_ENV]);
    expect(Object.keys(env).filter((k) => k.startsWith('ELECTRON_'))).toEqual([]);
    // A utility process leads no group; a program does.
    expect(stat(b1.pid as number).pgrp).not.toBe(b1.pid);
    expect(stat(c1.pid as number).pgrp).toBe(c1.pid);
    // The guard is the POSIX shell reaper, not a Node process.
    const guard = harness.fleet.reaperPid as number;
    expect(readFileSync(`/proc/${guard}/cmdline`, 'utf8').split('\0')[0]).toBe('/bin/sh');

    // kill -9 from outside: the exit names the signal, the policy restarts it.
    const first = refOf(b1.pid as number);
    process.kill(b1.pid as number, 'SIGKILL');
    const exited = await harness.recorder.nth('node.exited', 'b1', 0);
    expect(exited.detail).toMatchObject({ pid: b1.pid, signal: 'SIGKILL', code: null, byLab: false });
    await harness.recorder.nth('node.ready', 'b1', 1);
    expect(first && isRunning(first)).toBe(false);
    const restarted = harness.fleet.node('b1') as NodeSnapshot;
    expect(restarted.pid).not.toBe(b1.pid);
    expect(electron.forks).toHaveLength(2);

    // A paused utility process stops at once: SIGCONT comes with the SIGTERM.
    process.kill(restarted.pid as number, 'SIGSTOP');
    await waitUntil(() => stat(restarted.pid as number).state === 'T', 2_000, 2);
    const t0 = performance.now();
    const stopped = await harness.fleet.stopNode('b1', 5_000);
    expect(performance.now() - t0).toBeLessThan(2_000); // measured ~20 ms; the grace is 5 s
    expect(stopped.status).toBe('stopped');
    expect(stopped.lastExit).toMatchObject({ byLab: true });
  });

  it('the app stops listening to Chromium once the launcher is disposed', () => {
    const electron = emulatedElectron('never');
    const own = createFleetLauncher(electron);
    expect(electron.goneListeners()).toBe(1);
    own.dispose();
    expect(electron.goneListeners()).toBe(0);
  });
});
