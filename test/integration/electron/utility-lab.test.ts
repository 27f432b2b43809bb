// A whole lab on the desktop app's launcher (Lab.create({launcher})): a hot standby with strict
// sync replication whose bundled nodes are (emulated) utility processes - no process group of
// their own - driven through the contract: a pause and its revert, then a kill, a failover and
// the ledger, all through the lab's own signals.
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { serverEntry } from '../../../electron/engine/app-paths.js';
import { createFleetLauncher } from '../../../electron/main/fleet-launcher.js';
import { pidOf, startLab, waitFor, type LabUnderTest } from '../../support/lab-client.js';
import { emulatedElectron } from './fixtures/utility-emulation.js';

function stat(pid: number): { state: string; pgrp: number } {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] as string, pgrp: Number(fields[2]) };
}

describe.skipIf(!existsSync(serverEntry()))("a lab on the desktop app's launcher", () => {
  let t: LabUnderTest | undefined;
  let launcher: ReturnType<typeof createFleetLauncher> | undefined;
  afterEach(async () => {
    await t?.client.request('fault.halt', {}).catch(() => undefined);
    await t?.close();
    launcher?.dispose();
    t = undefined;
    launcher = undefined;
  });

  it('hot standby, sync: pause and revert, then a kill fails over and loses no acknowledged write', { timeout: 60_000 }, async () => {
    const electron = emulatedElectron('after-exit');
    launcher = createFleetLauncher(electron);
    t = await startLab({ topology: { kind: 'hot-standby', replication: 'sync' }, launcher });
    const lab = t;
    const state = await lab.state();
    expect(state.nodes.map((n) => [n.id, n.status])).toEqual([
      ['p1', 'ready'],
      ['s1', 'ready'],
    ]);
    expect(electron.forks).toHaveLength(2);
    const p1 = pidOf(state, 'p1');
    expect(stat(p1).pgrp).not.toBe(p1); // a utility process: no group of its own

    const pause = await lab.client.request('fault.inject', { type: 'pause', target: 's1' });
    await waitFor('s1 to be stopped', () => stat(pidOf(state, 's1')).state === 'T' || undefined);
    await lab.client.request('fault.revert', { id: pause.id });
    await waitFor('s1 to run again', () => stat(pidOf(state, 's1')).state !== 'T' || undefined);

    await lab.client.request('traffic.start', { rate: 100, durationMs: 2_000, readShare: 0.5 });
    // Writes acknowledged before the kill: the incident's ledger check (lostWrites) needs some.
    await waitFor('writes acknowledged', async () => (await lab.state()).traffic.ledger.acked >= 10);
    await lab.client.request('fault.inject', { type: 'kill', target: 'p1' });
    const incident = await waitFor('the incident to close', () => [...lab.incidents.values()].find((i) => i.nodeId === 'p1' && !i.open && i.lostWrites !== null), 30_000);
    expect(incident.cause).toBe('fault:kill');
    expect(incident.lostWrites).toBe(0);
    // The killed node comes back as a new utility process.
    await waitFor('p1 to be back', async () => (await lab.state()).nodes.find((n) => n.id === 'p1' && n.status === 'ready' && n.pid !== p1), 30_000);
    expect(electron.forks.length).toBeGreaterThanOrEqual(3);
  });
});
