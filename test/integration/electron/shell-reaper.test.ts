// The shell reaper (the orphan guard where there is no plain Node: Electron with RunAsNode off),
// with real processes, real groups and a real kill -9 of the process that holds it.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SHELL_REAPER_SCRIPT, startShellReaper, type OrphanGuard } from '../../../electron/main/shell-reaper.js';
import { sleep } from '../../../shared/sleep.js';

const holderScript = fileURLToPath(new URL('./fixtures/reaper-holder.ts', import.meta.url));

/** Running and not a zombie (a killed orphan may wait a while for init to reap it). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !['Z', 'X'].includes(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return false;
  }
}

function groupMembers(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === pgid;
      } catch {
        return false;
      }
    });
}

/** Polls every 2 ms; resolves with the ms it took until none is running, or the ones still running at the limit. */
async function timeUntilGone(pids: number[], limitMs: number): Promise<{ ms: number; left: number[] }> {
  const start = performance.now();
  let left = pids.filter(isRunning);
  while (left.length > 0 && performance.now() - start < limitMs) {
    await sleep(2);
    left = left.filter(isRunning);
  }
  return { ms: performance.now() - start, left };
}

describe('the shell reaper', () => {
  const started: ChildProcess[] = [];
  const strays: number[] = [];
  let guard: OrphanGuard | undefined;

  afterEach(async () => {
    await guard?.dispose();
    guard = undefined;
    for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const pid of strays.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  });

  async function startHolder(args: string[] = []): Promise<{ holder: ChildProcess; pids: { reaper: number; grouped: number; single: number; survivor?: number } }> {
    const holder = spawn(process.execPath, ['--import', 'tsx', holderScript, ...args], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    started.push(holder);
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the holder printed nothing in 20 s')), 20_000);
      createInterface({ input: holder.stdout! }).once('line', (l) => {
        clearTimeout(timer);
        resolve(l);
      });
      holder.once('exit', (code) => reject(new Error(`the holder exited with ${code}`)));
    });
    const pids = JSON.parse(line) as { reaper: number; grouped: number; single: number; survivor?: number };
    strays.push(pids.grouped, pids.single, ...(pids.survivor ? [pids.survivor] : []));
    return { holder, pids };
  }

  it('kills a process group and a paused lone process within a quarter second of a kill -9 of its holder', async () => {
    const { holder, pids } = await startHolder();
    await expect.poll(() => groupMembers(pids.grouped).length, { timeout: 5_000 }).toBe(2); // the node and its own child
    const targets = [...groupMembers(pids.grouped), pids.single];
    strays.push(...targets);
    expect(targets.every(isRunning)).toBe(true);
    holder.kill('SIGKILL');
    const { ms, left } = await timeUntilGone([...targets, pids.reaper], 2_000);
    expect(left).toEqual([]);
    // The design's bound is 250 ms; on an idle machine this takes a few ms (EOF on a pipe, one fork-free loop).
    expect(ms).toBeLessThan(250);
  });

  it('leaves alone what it was told to forget', async () => {
    const { holder, pids } = await startHolder(['--with-survivor']);
    holder.kill('SIGKILL');
    const { left } = await timeUntilGone([pids.grouped, pids.single, pids.reaper], 2_000);
    expect(left).toEqual([]);
    expect(isRunning(pids.survivor as number)).toBe(true);
  });

  it('dispose: it kills what is still registered, then exits; the engine is never kept alive by it', async () => {
    guard = await startShellReaper();
    const leftover = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
    started.push(leftover);
    await new Promise((resolve) => leftover.once('spawn', resolve));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => leftover.once('exit', (_code, signal) => resolve(signal)));
    guard.add(leftover.pid as number, true);
    const reaperPid = guard.pid as number;
    await guard.dispose();
    guard = undefined;
    expect(await exited).toBe('SIGKILL');
    expect(isRunning(reaperPid)).toBe(false);
  });

  it('comes back with everything registered when something kills it while it guards', async () => {
    guard = await startShellReaper();
    const node = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
    started.push(node);
    await new Promise((resolve) => node.once('spawn', resolve));
    guard.add(node.pid as number, true);
    const first = guard.pid as number;
    process.kill(first, 'SIGKILL'); // a SIGKILL is not trapped: nothing reaped, the guard is simply gone
    await expect.poll(() => guard?.pid !== undefined && guard.pid !== first, { timeout: 5_000 }).toBe(true);
    await sleep(100); // the respawned shell reads the registry
    const exited = new Promise<NodeJS.Signals | null>((resolve) => node.once('exit', (_code, signal) => resolve(signal)));
    process.kill(guard.pid as number, 'SIGTERM'); // trapped: reap, as on the engine's death
    expect(await exited).toBe('SIGKILL');
  });

  it('killed while it guards nothing, it comes back at the next add', async () => {
    guard = await startShellReaper();
    const first = guard.pid as number;
    process.kill(first, 'SIGKILL');
    await expect.poll(() => guard?.pid, { timeout: 5_000 }).toBeUndefined();
    const node = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
    started.push(node);
    await new Promise((resolve) => node.once('spawn', resolve));
    guard.add(node.pid as number, true);
    expect(guard.pid).toBeGreaterThan(1);
    expect(guard.pid).not.toBe(first);
    await sleep(100); // the new shell reads the registry
    const exited = new Promise<NodeJS.Signals | null>((resolve) => node.once('exit', (_code, signal) => resolve(signal)));
    process.kill(guard.pid as number, 'SIGTERM'); // trapped: reap, as on the engine's death
    expect(await exited).toBe('SIGKILL');
  });

  it('takes nothing but its own protocol from the pipe', async () => {
    const sentinel = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
    started.push(sentinel);
    await new Promise((resolve) => sentinel.once('spawn', resolve));
    const pid = sentinel.pid as number;
    const shell = spawn('/bin/sh', ['-c', SHELL_REAPER_SCRIPT], { stdio: ['pipe', 'ignore', 'ignore'] });
    started.push(shell);
    const done = new Promise<number | null>((resolve) => shell.once('exit', (code) => resolve(code)));
    // Not one of these names the sentinel as a group or process to kill.
    shell.stdin?.end([`+g-${pid}`, `+g${pid}x`, `+x${pid}`, `g+${pid}`, `+g ${pid}`, `+p$(${pid})`, '+g1', '+p0', 'junk', ''].join('\n'));
    expect(await done).toBe(0);
    expect(isRunning(pid)).toBe(true);
  });
});
