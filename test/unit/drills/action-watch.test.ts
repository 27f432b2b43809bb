// An action step watching for its act (issue 14): the settings forms send only the fields they
// changed, so a `balancer.set` naming a group of settings is matched against what is in force after.
import { describe, expect, it } from 'vitest';
import type { CommandDone } from '../../../shared/contract/host.js';
import type { LabSnapshot } from '../../../shared/contract/model.js';
import type { DrillLab } from '../../../electron/engine/drills/drill-lab.js';
import { watchFor } from '../../../electron/engine/drills/steps/action.js';
import { sleep } from '../../../shared/sleep.js';

/** A lab that tells of the commands a test says were carried out, and answers lab.state with the settings in force. */
function fakeLab(settings: { balancer: Record<string, unknown>; traffic: Record<string, unknown> }) {
  const listeners = new Set<(done: CommandDone) => void>();
  const lab = {
    call: async (name: string) => {
      if (name !== 'lab.state') throw new Error(`unexpected ${name}`);
      return { balancer: { settings: settings.balancer }, traffic: { settings: settings.traffic } } as unknown as LabSnapshot;
    },
    onCommand: (listener: (done: CommandDone) => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  } as unknown as DrillLab;
  const carryOut = (name: string, params: unknown, at: number) => {
    for (const l of [...listeners]) l({ name, params, at } as CommandDone);
  };
  return { lab, carryOut, listening: () => listeners.size };
}

const settled = async (watch: { seen: Promise<void> }): Promise<boolean> => Promise.race([watch.seen.then(() => true), sleep(100).then(() => false)]);

describe("an action step's act, watched for", () => {
  it('sees a balancer.set that changed only some of the group the drill names, once the rest is already in force', async () => {
    const health = { enabled: true, intervalMs: 500, timeoutMs: 250, fall: 4, rise: 2 };
    const { lab, carryOut, listening } = fakeLab({ balancer: { strategy: 'round-robin', health }, traffic: {} });
    const watch = watchFor({ command: 'balancer.set', params: { health: { intervalMs: 500, timeoutMs: 250, fall: 4 } } }, { lab });
    // The form sends what changed: timeoutMs was already 250.
    carryOut('balancer.set', { health: { intervalMs: 500, fall: 4 } }, 1234);
    expect(await settled(watch)).toBe(true);
    expect(watch.at).toBe(1234);
    expect(listening()).toBe(0);
  });

  it('does not see a patch that leaves the settings short of what the drill names, nor one that touches none of it', async () => {
    const { lab, carryOut } = fakeLab({ balancer: { strategy: 'round-robin', retry: { enabled: false }, health: { intervalMs: 400, fall: 4 } }, traffic: {} });
    const watch = watchFor({ command: 'balancer.set', params: { health: { intervalMs: 500, fall: 4 } } }, { lab });
    carryOut('balancer.set', { health: { fall: 4 } }, 10); // intervalMs is still 400
    carryOut('node.start', { id: 'a2' }, 11);
    expect(await settled(watch)).toBe(false);
    // retry.enabled is already false, but a strategy change is not the act "turn retries off".
    const retries = watchFor({ command: 'balancer.set', params: { retry: { enabled: false } } }, { lab });
    carryOut('balancer.set', { strategy: 'random' }, 12);
    expect(await settled(retries)).toBe(false);
    watch.stop();
    retries.stop();
  });

  it('sees a traffic.set the same way, and a command whose params hold the act at once', async () => {
    const { lab, carryOut } = fakeLab({ balancer: {}, traffic: { rate: 300, readShare: 0.4 } });
    const watch = watchFor({ command: 'traffic.set', params: { rate: 300, readShare: 0.4 } }, { lab });
    carryOut('traffic.set', { rate: 300 }, 20);
    expect(await settled(watch)).toBe(true);
    const start = watchFor({ command: 'node.start', params: { id: 'a2' } }, { lab });
    carryOut('node.start', { id: 'a3' }, 21);
    carryOut('node.start', { id: 'a2' }, 22);
    expect(await settled(start)).toBe(true);
    expect(start.at).toBe(22);
  });

  it('sees nothing after it is stopped, even a read-back still under way', async () => {
    const { lab, carryOut } = fakeLab({ balancer: { health: { intervalMs: 500 } }, traffic: {} });
    const watch = watchFor({ command: 'balancer.set', params: { health: { intervalMs: 500, fall: 4 } } }, { lab });
    carryOut('balancer.set', { health: { fall: 4 } }, 30);
    watch.stop();
    expect(await settled(watch)).toBe(false);
    expect(watch.at).toBeNull();
  });
});
