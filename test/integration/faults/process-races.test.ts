// Races between the operator's commands and a paused (SIGSTOP) node, in a real lab: real
// processes, real signals, process states read from /proc. Nothing may be left running that the
// lab does not know, no stop may sit out its grace period on a process that cannot hear SIGTERM,
// and no fault may show as active on a process that is gone.
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ContractError } from '../../../shared/contract/index';
import { procStat } from '../../../electron/engine/faults/process/process-identity';
import { startLab, waitFor, type LabUnderTest } from '../../support/lab-client';
import { waitUntil } from '../fleet/helpers';
import { sleep } from '../../../shared/sleep';

const linux = process.platform === 'linux';
let t: LabUnderTest | undefined;

afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** Every live process whose command line names this folder (a node's data folder is on its command line). */
function processesOn(dataDir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const state = procStat(Number(entry))?.state;
      if (argv.includes(dataDir) && state !== undefined && state !== 'Z') found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

async function oneNodeLab(): Promise<LabUnderTest> {
  return startLab({ fleet: { name: 'one', nodes: [{ id: 'n1', kind: 'bundled', role: 'stateless' }] } });
}

async function pause(lab: LabUnderTest): Promise<{ pid: number; faultId: string }> {
  const state = await lab.state();
  const pid = state.nodes[0]?.pid as number;
  const fault = await lab.client.request('fault.inject', { type: 'pause', target: 'n1' });
  expect(await waitUntil(() => procStat(pid)?.state === 'T', 2_000)).toBe(true);
  return { pid, faultId: fault.id };
}

describe.runIf(linux)('races with a paused node', () => {
  it('node.stop of a paused node ends it at once (SIGCONT + SIGTERM), not after its grace, and the pause ends with the process', async () => {
    t = await oneNodeLab();
    const { pid, faultId } = await pause(t);
    const started = performance.now();
    const stopped = await t.client.request('node.stop', { id: 'n1', graceMs: 5_000 });
    const ms = performance.now() - started;
    console.log(`node.stop of a paused node: ${ms.toFixed(0)} ms (grace 5000 ms)`);
    expect(stopped.status).toBe('stopped');
    // The server handled the SIGTERM itself (exit code 0), not the SIGKILL after the grace.
    expect(stopped.lastExit).toMatchObject({ code: 0, signal: null, byLab: true });
    expect(ms).toBeLessThan(2_500);
    expect(procStat(pid) === undefined || procStat(pid)?.state === 'Z').toBe(true);
    const fault = await waitFor('the pause to end', async () => (await t!.state()).faults.find((f) => f.id === faultId && f.status !== 'active'), 2_000);
    expect(fault).toMatchObject({ status: 'reverted', effect: { resumed: false } });
    expect(t.timeline.find((e) => e.kind === 'fault.reverted' && e.detail.faultId === faultId)?.detail).toMatchObject({ how: 'process-exited' });
  });

  it('node.restart of a paused node ends the paused process, and the pause with it', async () => {
    t = await oneNodeLab();
    const { pid, faultId } = await pause(t);
    const started = performance.now();
    const restarted = await t.client.request('node.restart', { id: 'n1', graceMs: 5_000 });
    expect(performance.now() - started).toBeLessThan(4_000);
    expect(restarted).toMatchObject({ status: 'ready' });
    expect(restarted.pid).not.toBe(pid);
    const fault = await waitFor('the pause to end', async () => (await t!.state()).faults.find((f) => f.id === faultId && f.status !== 'active'), 2_000);
    expect(fault.status).toBe('reverted');
    expect((await t.state()).faults.filter((f) => f.status === 'active')).toEqual([]);
  });

  it('node.restart of a paused node, then fleet.stop: nothing runs on the node’s folder once the stop has answered', async () => {
    t = await oneNodeLab();
    const dataDir = (await t.state()).nodes[0]?.dataDir as string;
    await pause(t);
    const restart = t.client.request('node.restart', { id: 'n1', graceMs: 1_000 }).then(
      (node) => ({ node }),
      (error: ContractError) => ({ error }),
    );
    await t.client.request('fleet.stop', {});
    // The stop answered: every process the fleet spawned has exited and been reaped, none is coming.
    expect(processesOn(dataDir)).toEqual([]);
    // The restart was overtaken: refused while it stopped the node, or its start stopped.
    const outcome = await restart;
    expect(['conflict', 'stopped']).toContain('error' in outcome ? outcome.error.code : outcome.node.status);
    // And nothing shows up later either (the old code started the node again once its stop was over).
    await sleep(1_500);
    expect(processesOn(dataDir)).toEqual([]);
    const state = await t.state();
    expect(state.fleet.status).toBe('stopped');
    expect(state.nodes.map((n) => [n.id, n.status, n.pid])).toEqual([['n1', 'stopped', null]]);
  });
});

describe('refusals leave the lab as it was', () => {
  it('a topology.set refused while another fleet change is under way changes nothing', async () => {
    t = await startLab({ topology: { kind: 'hot-standby' }, autoStart: false });
    const first = t.client.request('topology.set', { kind: 'active-active', nodes: 2 });
    const second = t.client.request('topology.set', { kind: 'cold-standby' }).then(
      () => null,
      (error: ContractError) => error,
    );
    const refused = await second;
    expect(refused?.code).toBe('conflict');
    await first;
    const state = await t.state();
    expect(state.topology?.kind).toBe('active-active');
    expect(state.nodes.map((n) => [n.id, n.status])).toEqual([
      ['a1', 'ready'],
      ['a2', 'ready'],
    ]);
    expect(t.timeline.filter((e) => e.kind === 'topology.changed').map((e) => e.detail.kind)).toEqual(['active-active']);
  });

  it('a fleet.start refused for a bad fleet does not become the lab’s fleet', async () => {
    t = await startLab({ fleet: { name: 'good', nodes: [{ id: 'n1', kind: 'bundled', role: 'stateless' }] }, autoStart: false });
    const bad = { name: 'bad', nodes: [{ id: 'p1', kind: 'bundled', role: 'primary', server: { replicas: ['ghost'] } }] };
    const error = await t.client.request('fleet.start', { fleet: bad } as never).then(
      () => null,
      (e: ContractError) => e,
    );
    expect(error?.code).toBe('invalid-params');
    const state = await t.state();
    expect(state.fleet).toEqual({ name: 'good', status: 'stopped' });
    // The lab's own fleet still starts.
    const started = await t.client.request('fleet.start', {});
    expect(started.nodes.map((n) => [n.id, n.status])).toEqual([['n1', 'ready']]);
  });
});
