// Supervisor additions for failover: autostart false, reconfigureNode (next start), setLiveRole (now),
// and a stop asked from a node.exited listener (it cancels the restart that would follow).
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { FleetSpec, FleetSpecInput } from '../../../shared/contract/model';
import { FleetHarness } from './helpers';
import { sleep } from '../../../shared/sleep';

let harness: FleetHarness | undefined;
afterEach(async () => {
  if (harness) expect(await harness.cleanup()).toEqual([]);
  harness = undefined;
});

function flagValue(pid: number, flag: string): string | undefined {
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

const pair: FleetSpecInput = {
  restart: { backoffInitialMs: 20 },
  nodes: [
    { id: 'p1', kind: 'bundled', role: 'primary', server: { checkpointIntervalMs: 0 } },
    { id: 's1', kind: 'bundled', role: 'standby', autostart: false },
  ],
};

describe('fleet supervisor: autostart, reconfigure, live role', () => {
  it('a node with autostart false gets its port and folder, stays stopped, and starts when asked', async () => {
    harness = new FleetHarness();
    const { fleet, recorder } = harness;
    const nodes = await fleet.start(pair as FleetSpec);
    expect(nodes.map((n) => [n.id, n.status, n.pid])).toEqual([
      ['p1', 'ready', expect.any(Number)],
      ['s1', 'stopped', null],
    ]);
    const s1 = nodes[1]!;
    expect(s1.port).toBeGreaterThan(0);
    expect(s1.port).not.toBe(nodes[0]!.port);
    expect(s1.dataDir).toBe(`${harness.runDir}/nodes/s1`);
    expect(recorder.events('node.starting', 's1')).toEqual([]);
    expect(recorder.events('fleet.started')[0]?.detail).toMatchObject({ nodes: 2, ready: 1, stopped: 1 });

    const started = await fleet.startNode('s1');
    expect(started).toMatchObject({ status: 'ready', role: 'standby', port: s1.port });
    expect(flagValue(started.pid as number, '--role')).toBe('standby');
  });

  it('reconfigureNode changes the next start only; setLiveRole changes the snapshot now', async () => {
    harness = new FleetHarness();
    const { fleet, recorder } = harness;
    const [p1] = await fleet.start({ ...pair, nodes: [pair.nodes[0]!, { ...pair.nodes[1]!, autostart: true }] } as FleetSpec);
    const s1 = fleet.node('s1')!;

    const patched = fleet.reconfigureNode('s1', { role: 'primary', server: { replicas: ['p1'], replication: 'async' } });
    expect(patched).toMatchObject({ role: 'standby', pid: s1.pid }); // running: untouched
    expect(recorder.events('node.reconfigured', 's1')[0]?.detail).toMatchObject({ role: 'primary', server: { replicas: ['p1'], replication: 'async' } });

    const changes = recorder.changes.length;
    expect(fleet.setLiveRole('s1', 'primary').role).toBe('primary'); // promoted over HTTP, say
    expect(recorder.changes.slice(changes).map((n) => [n.id, n.role])).toEqual([['s1', 'primary']]);

    process.kill(s1.pid as number, 'SIGKILL');
    await recorder.nth('node.ready', 's1', 1);
    const again = fleet.node('s1')!;
    expect(again).toMatchObject({ status: 'ready', role: 'primary', restarts: 1 });
    expect(flagValue(again.pid as number, '--role')).toBe('primary');
    expect(flagValue(again.pid as number, '--replicas')).toBe(`127.0.0.1:${p1!.port}`);
    expect(flagValue(again.pid as number, '--replication')).toBe('async');

    // A key set to undefined is removed; the checks of a fleet file apply.
    fleet.reconfigureNode('s1', { role: 'standby', server: { replicas: undefined } });
    expect(() => fleet.reconfigureNode('s1', { server: { replicas: ['s1'] } })).toThrow(/cannot replicate to itself/);
    expect(() => fleet.reconfigureNode('s1', { server: { replicas: ['nope'] } })).toThrow(/not a bundled node/);
    expect(() => fleet.reconfigureNode('s1', { server: { keep: 0 } })).toThrow(/keep/);
    expect(() => fleet.reconfigureNode('zz', {})).toThrow(/no node zz/);
    await fleet.restartNode('s1', 500);
    const third = fleet.node('s1')!;
    expect(third.role).toBe('standby');
    expect(flagValue(third.pid as number, '--replicas')).toBeUndefined();
  });

  it('a node with no process shows a new role at once; a stop asked from node.exited cancels the restart', async () => {
    harness = new FleetHarness();
    const { fleet, recorder } = harness;
    await fleet.start(pair as FleetSpec);
    expect(fleet.reconfigureNode('s1', { role: 'primary' }).role).toBe('primary');

    const p1 = fleet.node('p1')!;
    const original = recorder.onTimeline.bind(recorder);
    recorder.onTimeline = (e) => {
      original(e);
      // What the failover controller does for a cold standby: the old primary stays down.
      if (e.kind === 'node.exited' && e.nodeId === 'p1') {
        fleet.reconfigureNode('p1', { role: 'standby' });
        void fleet.stopNode('p1');
      }
    };
    process.kill(p1.pid as number, 'SIGKILL');
    await recorder.nth('node.stopped', 'p1', 0);
    await sleep(150); // well past the 20 ms backoff
    expect(fleet.node('p1')).toMatchObject({ status: 'stopped', role: 'standby', pid: null, restarts: 0, lastExit: { signal: 'SIGKILL', byLab: false } });
    expect(recorder.events('node.starting', 'p1')).toHaveLength(1);
    expect(recorder.events('node.restart-scheduled', 'p1')).toEqual([]);
  });
});
