// Process faults on a real fleet: real signals to real child processes, states read from /proc.
import { describe, expect, it } from 'vitest';
import { waitUntil } from '../fleet/helpers';
import { idleNode, stateOf, useFaultLab } from './helpers';
import { sleep } from '../../../shared/sleep';
import { faultSpec } from '../../support/fault-spec';

const lab = useFaultLab();
const linux = process.platform === 'linux';

describe.runIf(linux)('process faults', () => {
  it('pause stops the process (state T); revert resumes it', async () => {
    const { harness, start, registry, node } = lab();
    await start({ nodes: [{ id: 'n1', kind: 'bundled', role: 'stateless' }] });
    const pid = node('n1').pid!;

    const fault = await registry.inject(faultSpec({ type: 'pause', target: 'n1' }));
    expect(fault).toMatchObject({ id: 'f-1', status: 'active', kind: 'process', effect: { pid, signal: 'SIGSTOP', group: true } });
    expect(await waitUntil(() => stateOf(pid) === 'T', 1_000)).toBe(true);
    expect(registry.list()[0]).toMatchObject({ id: 'f-1', status: 'active' });

    const reverted = await registry.revert('f-1');
    expect(reverted).toMatchObject({ status: 'reverted', effect: { resumed: true } });
    expect(await waitUntil(() => stateOf(pid) === 'S' || stateOf(pid) === 'R', 1_000)).toBe(true);
    expect(node('n1')).toMatchObject({ pid, status: 'ready' }); // the same process, never restarted
    expect(harness.recorder.events('fault.reverted', 'n1')[0]?.detail).toMatchObject({ faultId: 'f-1', how: 'revert' });
    // Reverting again is a no-op that answers with the finished record.
    expect(await registry.revert('f-1')).toMatchObject({ status: 'reverted' });
  });

  it('pause with durationMs 300 expires by itself within ±100 ms', async () => {
    const { harness, start, registry, node } = lab();
    await start({ nodes: [idleNode('n1')] });
    const pid = node('n1').pid!;
    const fault = await registry.inject(faultSpec({ type: 'pause', target: 'n1', durationMs: 300 }));
    // SIGSTOP takes effect when the kernel next schedules the target: wait for it (still booting here).
    expect(await waitUntil(() => stateOf(pid) === 'T', 250, 2)).toBe(true);
    expect(fault.expiresAt! - fault.injectedAt).toBe(300);
    const expired = await harness.recorder.nth('fault.reverted', 'n1', 0, 2_000);
    expect(expired.detail).toMatchObject({ faultId: fault.id, how: 'expired' });
    const lateness = expired.at - fault.injectedAt - 300;
    console.log(`pause expiry: ${lateness.toFixed(1)} ms after its 300 ms`);
    expect(Math.abs(lateness)).toBeLessThanOrEqual(100);
    expect(await waitUntil(() => stateOf(pid) !== 'T', 500)).toBe(true);
    expect(registry.list()[0]).toMatchObject({ id: fault.id, status: 'expired' });
  });

  it('kill (SIGKILL): the supervisor sees an exit not by the lab, and restarts the node', async () => {
    const { harness, start, registry, node } = lab();
    await start({ nodes: [{ id: 'n1', kind: 'bundled', role: 'stateless' }] });
    const pid = node('n1').pid!;
    const fault = await registry.inject(faultSpec({ type: 'kill', target: 'n1' }));
    expect(fault).toMatchObject({ status: 'applied-once', effect: { pid, signal: 'SIGKILL' } });
    const exited = await harness.recorder.nth('node.exited', 'n1', 0);
    expect(exited.detail).toMatchObject({ pid, signal: 'SIGKILL', byLab: false });
    const seenMs = exited.at - (fault.effect.sentAt as number);
    console.log(`kill: exit seen ${seenMs.toFixed(1)} ms after the signal`);
    expect(seenMs).toBeGreaterThanOrEqual(0);
    expect(seenMs).toBeLessThan(200);
    const ready = await harness.recorder.nth('node.ready', 'n1', 1);
    expect(ready.detail?.pid).not.toBe(pid);
    // One-shot: revert is a no-op.
    expect(await registry.revert(fault.id)).toMatchObject({ status: 'applied-once', revertedAt: null });
  });

  it('kill with SIGTERM and a grace period escalates to SIGKILL when the process ignores SIGTERM', async () => {
    const { harness, start, registry, node } = lab();
    // Ready (its health path answers) only once its SIGTERM handler is in place.
    const script = "process.on('SIGTERM', () => {}); require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.argv[1]), '127.0.0.1')";
    await start({ nodes: [{ id: 'n1', kind: 'command', command: process.execPath, args: ['-e', script, '{port}', '{dataDir}'], healthPath: '/' }] });
    const pid = node('n1').pid!;
    expect(node('n1').status).toBe('ready');
    const fault = await registry.inject(faultSpec({ type: 'kill', target: 'n1', attributes: { signal: 'SIGTERM', graceMs: 300 } }));
    const exited = await harness.recorder.nth('node.exited', 'n1', 0, 3_000);
    expect(exited.detail).toMatchObject({ pid, signal: 'SIGKILL', byLab: false });
    const afterMs = exited.at - (fault.effect.sentAt as number);
    expect(afterMs).toBeGreaterThanOrEqual(290);
    expect(afterMs).toBeLessThan(600);
    expect(registry.list()[0]?.effect).toMatchObject({ signal: 'SIGTERM', graceMs: 300, escalated: { signal: 'SIGKILL' } });
  });

  it('crash-loop for 1.5 s: several exits, none after it ends, and the node comes back', async () => {
    const { harness, start, registry } = lab();
    await start({ nodes: [{ id: 'n1', kind: 'bundled', role: 'stateless' }] });
    const fault = await registry.inject(faultSpec({ type: 'crash-loop', target: 'n1', durationMs: 1_500, attributes: { afterMs: 100 } }));
    const ended = await harness.recorder.nth('fault.reverted', 'n1', 0, 3_000);
    expect(ended.detail).toMatchObject({ how: 'expired' });
    const exits = harness.recorder.events('node.exited', 'n1');
    console.log(`crash-loop: ${exits.length} exits in 1.5 s`);
    expect(exits.length).toBeGreaterThanOrEqual(3);
    expect(exits.every((e) => e.detail?.byLab === false && e.detail?.signal === 'SIGKILL')).toBe(true);
    expect(exits.every((e) => e.at >= fault.injectedAt && e.at <= ended.at + 5)).toBe(true);
    expect(registry.list()[0]?.effect.kills).toBe(exits.length);
    // After it ends the supervisor's next start sticks.
    await harness.recorder.waitFor(() => harness.fleet.node('n1')?.status === 'ready', 5_000, 'n1 ready again');
    const settled = harness.recorder.events('node.exited', 'n1').length;
    await sleep(400);
    expect(harness.recorder.events('node.exited', 'n1').length).toBe(settled);
  });

  it('restart goes through the supervisor (an exit by the lab) and the node comes back', async () => {
    const { harness, start, registry, node, changes } = lab();
    await start({ nodes: [{ id: 'n1', kind: 'bundled', role: 'stateless' }] });
    const pid = node('n1').pid!;
    const fault = await registry.inject(faultSpec({ type: 'restart', target: 'n1', attributes: { graceMs: 1_000 } }));
    expect(fault).toMatchObject({ status: 'applied-once', effect: { pid, graceMs: 1_000 } });
    const exited = await harness.recorder.nth('node.exited', 'n1', 0);
    expect(exited.detail).toMatchObject({ pid, byLab: true });
    await harness.recorder.waitFor(() => changes.find((c) => c.id === fault.id && c.effect.newPid), 10_000, 'restart settled');
    expect(registry.list()[0]?.effect).toMatchObject({ status: 'ready', newPid: node('n1').pid });
  });

  it('kill and pause refuse a node with no process, changing nothing', async () => {
    const { start, registry } = lab();
    await start({ nodes: [{ ...idleNode('n1'), autostart: false }] });
    await expect(registry.inject(faultSpec({ type: 'kill', target: 'n1' }))).rejects.toMatchObject({ code: 'conflict', field: 'target' });
    await expect(registry.inject(faultSpec({ type: 'pause', target: 'n1' }))).rejects.toMatchObject({ code: 'conflict', field: 'target' });
    expect(registry.list()).toEqual([]);
  });
});
