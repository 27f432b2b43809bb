// The fleet's process launcher seam, with real processes: the plain Node launcher on its own, and
// the supervisor with a launcher that answers late or not at all and an orphan guard that records
// what it is told - as Electron's utility processes (pid known only at 'spawn') would make it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { FleetSpec } from '../../../shared/contract/model';
import { PlainNodeLauncher } from '../../../electron/engine/fleet/node-launcher';
import type { LaunchRequest, LaunchedProcess, OrphanGuard, ProcessExit, ProcessLauncher } from '../../../electron/engine/fleet/process-launcher';
import { FleetHarness, groupMembers, isRunning, killLeftovers, refOf, waitUntil, type ProcessRef } from './helpers';
import { sleep } from '../../../shared/sleep';

const fakeServer = fileURLToPath(new URL('./fixtures/fake-server.mjs', import.meta.url));
const idle = 'setInterval(() => {}, 1000)';

function stat(pid: number): { state: string; pgrp: number } {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] as string, pgrp: Number(fields[2]) };
}

function exitOf(proc: LaunchedProcess): Promise<ProcessExit> {
  return new Promise((resolve) => proc.onExit(resolve));
}

async function readAll(stream: NodeJS.ReadableStream | null): Promise<string> {
  let text = '';
  stream?.setEncoding('utf8');
  for await (const chunk of stream ?? []) text += chunk as string;
  return text;
}

const started: ProcessRef[] = [];
let harness: FleetHarness | undefined;
let savedElectron: PropertyDescriptor | undefined;
afterEach(async () => {
  if (savedElectron) Object.defineProperty(process.versions, 'electron', savedElectron);
  else delete (process.versions as Record<string, string | undefined>).electron;
  savedElectron = undefined;
  const leftovers = [...killLeftovers(started.splice(0)), ...(harness ? await harness.cleanup() : [])];
  harness = undefined;
  expect(leftovers).toEqual([]);
});

describe('the plain Node launcher', () => {
  it('a Node script of ours: its own group, output piped, an IPC channel, env added to the engine’s; the exit with the clock reading', async () => {
    let tick = 0;
    const launcher = new PlainNodeLauncher({ clock: () => ++tick });
    const proc = await launcher.launch({
      target: { kind: 'program', file: process.execPath, args: ['-e', "process.stdout.write(`${process.env.FD_T}/${typeof process.send}/${process.env.PATH ? 'path' : ''}`)"] },
      env: { FD_T: 'yes' },
      label: 'firedrill node t',
    });
    expect(proc.ownGroup).toBe(true);
    const [out, exit] = await Promise.all([readAll(proc.stdout), exitOf(proc)]);
    expect(out).toBe('yes/undefined/path'); // a program gets no IPC channel
    expect(exit).toEqual({ code: 0, signal: null, at: 1 });

    const ours = await launcher.launch({ target: { kind: 'node-script', script: fakeServer, args: ['--port', '0', '--node-id', 'x'] }, env: {}, label: 'firedrill node x' });
    started.push(refOf(ours.pid) as ProcessRef);
    expect(stat(ours.pid).pgrp).toBe(ours.pid);
    // fake-server's --watch-parent is not on: the IPC channel is there (process.send), checked by /proc's fd to a socket.
    const cmdline = readFileSync(`/proc/${ours.pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline.slice(0, 2)).toEqual([process.execPath, fakeServer]);
    expect(readFileSync(`/proc/${ours.pid}/environ`, 'utf8').split('\0')).toContain(`NODE_CHANNEL_FD=3`);
    const exited = exitOf(ours);
    expect(ours.signal('SIGKILL')).toBe(true);
    expect(await exited).toMatchObject({ code: null, signal: 'SIGKILL' });
    expect(ours.signal('SIGKILL')).toBe(false); // never a pid whose exit was seen
  });

  it('signals the whole group, and once the leader is reaped kills what it left in its group', async () => {
    const launcher = new PlainNodeLauncher();
    const proc = await launcher.launch({
      target: { kind: 'program', file: '/bin/sh', args: ['-c', `sleep 300 & exec "${process.execPath}" -e "${idle}"`] },
      env: {},
      label: 'firedrill node g',
    });
    started.push(refOf(proc.pid) as ProcessRef);
    await waitUntil(() => groupMembers([proc.pid]).length === 2, 5_000);
    const members = groupMembers([proc.pid]);
    started.push(...members);
    expect(members).toHaveLength(2);
    expect(proc.signal('SIGSTOP')).toBe(true);
    expect(await waitUntil(() => members.every((m) => stat(m.pid).state === 'T'), 2_000, 2)).toBe(true);
    expect(proc.signal('SIGCONT')).toBe(true);
    expect(await waitUntil(() => members.every((m) => stat(m.pid).state !== 'T'), 2_000, 2)).toBe(true);
    // Only the leader dies; its `sleep` would live on in the group.
    const exited = exitOf(proc);
    process.kill(proc.pid, 'SIGKILL');
    await exited;
    expect(await waitUntil(() => members.every((m) => !isRunning(m)), 2_000, 2)).toBe(true);
  });

  it('a program that cannot start: rejected with a one-line reason', async () => {
    const launcher = new PlainNodeLauncher();
    const request: LaunchRequest = { target: { kind: 'program', file: '/nonexistent/firedrill-test', args: [] }, env: {}, label: 'firedrill node n' };
    await expect(launcher.launch(request)).rejects.toThrow(/ENOENT/);
    const error = await launcher.launch(request).catch((e: Error) => e);
    expect(String((error as Error).message)).not.toContain('\n');
  });

  it('its guard, the reaper: killed while it guards nothing, it comes back at the next add and reaps at the end', async () => {
    const guard = await new PlainNodeLauncher().startOrphanGuard();
    try {
      const first = guard.pid as number;
      started.push(refOf(first) as ProcessRef);
      process.kill(first, 'SIGKILL');
      expect(await waitUntil(() => guard.pid === undefined, 5_000)).toBe(true);
      const node = await new PlainNodeLauncher().launch({ target: { kind: 'program', file: process.execPath, args: ['-e', idle] }, env: {}, label: 'firedrill node r' });
      started.push(refOf(node.pid) as ProcessRef);
      guard.add(node.pid, true);
      expect(guard.pid).toBeGreaterThan(1);
      expect(guard.pid).not.toBe(first);
      started.push(refOf(guard.pid as number) as ProcessRef);
      // Its channel closes as on the engine's death (it reads what was queued first): it reaps.
      const exited = exitOf(node);
      await guard.dispose(5_000);
      expect(await exited).toMatchObject({ signal: 'SIGKILL' });
    } finally {
      await guard.dispose();
    }
  });

  it('inside Electron it refuses what would need RunAsNode: a Node script, the Node reaper', async () => {
    savedElectron = Object.getOwnPropertyDescriptor(process.versions, 'electron');
    Object.defineProperty(process.versions, 'electron', { value: '45.0.0', configurable: true, enumerable: true });
    const launcher = new PlainNodeLauncher();
    await expect(launcher.launch({ target: { kind: 'node-script', script: fakeServer, args: [] }, env: {}, label: 'firedrill node e' })).rejects.toThrow(
      'firedrill node e could not start: a Node script cannot run as plain Node inside Electron',
    );
    await expect(launcher.startOrphanGuard()).rejects.toThrow('cannot run inside Electron');
    // A program needs no RunAsNode: it starts.
    const proc = await launcher.launch({ target: { kind: 'program', file: process.execPath, args: ['-e', ''] }, env: {}, label: 'firedrill node p' });
    expect(await exitOf(proc)).toMatchObject({ code: 0 });
  });
});

/** A launcher that answers `delayMs` late (or fails), with a guard that records what it is told. */
function slowLauncher(delayMs: number, fail?: string) {
  const plain = new PlainNodeLauncher();
  const told: string[] = [];
  const launched: LaunchedProcess[] = [];
  const calls: LaunchRequest[] = [];
  const launcher: ProcessLauncher = {
    runtime: 'electron',
    async launch(request) {
      calls.push(request);
      await sleep(delayMs);
      if (fail) throw new Error(fail);
      const proc = await plain.launch(request);
      launched.push(proc);
      started.push(refOf(proc.pid) as ProcessRef);
      return proc;
    },
    async startOrphanGuard(): Promise<OrphanGuard> {
      const inner = await plain.startOrphanGuard();
      return {
        get pid() {
          return inner.pid;
        },
        add: (pid, group) => {
          told.push(`add ${pid} ${group}`);
          inner.add(pid, group);
        },
        remove: (pid, group) => {
          told.push(`remove ${pid} ${group}`);
          inner.remove(pid, group);
        },
        dispose: (timeoutMs) => inner.dispose(timeoutMs),
      };
    },
  };
  return { launcher, told, launched, calls };
}

describe('the supervisor through a launcher', () => {
  it('tells the guard of every pid at launch and forgets it at its exit, before anything else hears of the exit', async () => {
    const { launcher, told } = slowLauncher(30);
    harness = new FleetHarness({ launcher, serverEntry: fakeServer });
    const [node] = await harness.fleet.start(FleetSpec.parse({ nodes: [{ id: 'n1', kind: 'bundled', role: 'stateless', restart: { policy: 'never' } }] }));
    expect(node?.status).toBe('ready');
    const pid = node?.pid as number;
    expect(told).toEqual([`add ${pid} true`]);
    const starting = harness.recorder.events('node.starting', 'n1')[0];
    expect(starting?.detail?.pid).toBe(pid);
    // What the guard had been told at the moment the exit went on the timeline (the recorder wakes its waiters synchronously).
    const recorder = harness.recorder;
    const toldAtExit = recorder.waitFor(() => recorder.events('node.exited', 'n1').length > 0 && [...told], 5_000, 'node.exited');
    process.kill(pid, 'SIGKILL');
    expect(await toldAtExit).toEqual([`add ${pid} true`, `remove ${pid} true`]);
  });

  it('a stop while the launcher is still starting the process waits for its pid, then stops it', async () => {
    const { launcher, launched, calls } = slowLauncher(300);
    harness = new FleetHarness({ launcher });
    const start = harness.fleet.start(FleetSpec.parse({ nodes: [{ id: 'n1', kind: 'command', command: process.execPath, args: ['-e', idle] }] }));
    await waitUntil(() => calls.length === 1, 10_000, 2); // the launcher is under way
    expect(launched).toHaveLength(0);
    const stopped = await harness.fleet.stopNode('n1', 2_000);
    expect(launched).toHaveLength(1);
    expect(stopped.status).toBe('stopped');
    expect(stopped.lastExit).toMatchObject({ byLab: true });
    const proc = launched[0] as LaunchedProcess;
    const ref = started.find((r) => r.pid === proc.pid) as ProcessRef;
    expect(ref).toBeDefined();
    expect(isRunning(ref)).toBe(false);
    expect(harness.recorder.events('node.starting', 'n1')).toHaveLength(1);
    expect(harness.recorder.events('node.ready', 'n1')).toHaveLength(0);
    expect((await start)[0]?.status).toBe('stopped');
  });

  it('a launcher that cannot start the process: spawn-failed and a start-failed with its reason, by the restart policy', async () => {
    const { launcher } = slowLauncher(5, 'firedrill node n1 could not start: no utility process today');
    harness = new FleetHarness({ launcher });
    const [node] = await harness.fleet.start(
      FleetSpec.parse({ nodes: [{ id: 'n1', kind: 'command', command: process.execPath, args: ['-e', idle], restart: { policy: 'never' } }] }),
    );
    expect(node?.status).toBe('exited');
    expect(harness.recorder.events('node.spawn-failed', 'n1')[0]?.detail?.error).toBe('firedrill node n1 could not start: no utility process today');
    expect(String(harness.recorder.events('node.start-failed', 'n1')[0]?.detail?.reason)).toContain('no utility process today');
  });
});
