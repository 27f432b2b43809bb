// The Electron launcher's own logic, over real processes: utilityProcess.fork is emulated with a
// real Node child that behaves as Electron documents a utility process, and app's
// child-process-gone as Chromium reports it (fixtures/utility-emulation.ts). Electron itself is not here.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LaunchedProcess, ProcessExit, ProcessLauncher } from '../../../electron/engine/fleet/process-launcher.js';
import { UtilityProcessLauncher, utilityExit, type GoneDetails } from '../../../electron/main/utility-launcher.js';
import { makeTempDir, removeDir } from '../../support/temp.js';
import { emulatedElectron, type GoneOrder } from './fixtures/utility-emulation.js';

function emulation(order: GoneOrder) {
  const electron = emulatedElectron(order);
  const programs: ProcessLauncher = { runtime: 'node', launch: vi.fn(() => Promise.reject(new Error('programs: not in this test'))), startOrphanGuard: vi.fn() };
  let tick = 1000;
  const launcher = new UtilityProcessLauncher({
    fork: electron.utilityProcess.fork,
    onChildProcessGone: (listener) => {
      const onGone = (_event: unknown, details: GoneDetails): void => listener(details);
      electron.app.on('child-process-gone', onGone);
      return () => electron.app.off('child-process-gone', onGone);
    },
    programs,
    clock: () => ++tick,
    goneWaitMs: 50,
  });
  return { launcher, forks: electron.forks, programs };
}

function exitOf(proc: LaunchedProcess): Promise<ProcessExit> {
  return new Promise((resolve) => proc.onExit(resolve));
}

function stateOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

describe('the utility process launcher', () => {
  let dir: string;
  let idle: string;
  let exits3: string;

  beforeAll(async () => {
    dir = await makeTempDir('fd-utility-');
    idle = join(dir, 'idle.js');
    await writeFile(idle, "process.stdout.write(`up ${process.argv[2]} ${process.env.FIREDRILL_TEST}\\n`); setInterval(() => {}, 1000);\n");
    exits3 = join(dir, 'exits3.js');
    await writeFile(exits3, "process.stderr.write('bye\\n'); process.exit(3);\n");
  });
  afterAll(() => removeDir(dir));

  it('runs a script as a utility process: pid at spawn, its output, env and args, a unique service name, no group of its own', async () => {
    const { launcher, forks } = emulation('after-exit');
    const proc = await launcher.launch({ target: { kind: 'node-script', script: idle, args: ['p1'] }, env: { FIREDRILL_TEST: 'yes' }, label: 'firedrill node p1' });
    expect(proc.pid).toBeGreaterThan(1);
    expect(proc.ownGroup).toBe(false);
    let out = '';
    proc.stdout?.setEncoding('utf8');
    proc.stdout?.on('data', (chunk: string) => (out += chunk));
    await expect.poll(() => out).toBe('up p1 yes\n');
    expect(forks[0]?.options).toMatchObject({ stdio: 'pipe', serviceName: 'firedrill node p1 #1' });
    const second = await launcher.launch({ target: { kind: 'node-script', script: idle, args: ['p1'] }, env: {}, label: 'firedrill node p1' });
    expect(forks[1]?.options.serviceName).toBe('firedrill node p1 #2');
    const exits = Promise.all([exitOf(proc), exitOf(second)]);
    expect(proc.signal('SIGKILL')).toBe(true);
    expect(second.signal('SIGTERM')).toBe(true);
    expect((await exits).map((e) => [e.code, e.signal])).toEqual([
      [null, 'SIGKILL'],
      [null, 'SIGTERM'],
    ]);
  });

  for (const order of ['before-exit', 'after-exit'] as const) {
    it(`tells a signal from an exit code by Chromium's account, which may come ${order === 'before-exit' ? 'before' : 'after'} the exit`, async () => {
      const { launcher } = emulation(order);
      const coded = await launcher.launch({ target: { kind: 'node-script', script: exits3, args: [] }, env: {}, label: 'n1' });
      expect(await exitOf(coded)).toMatchObject({ code: 3, signal: null });
      const killed = await launcher.launch({ target: { kind: 'node-script', script: idle, args: [] }, env: {}, label: 'n2' });
      const exit = exitOf(killed);
      process.kill(killed.pid, 'SIGKILL'); // from outside the lab, like kill -9 in a terminal
      expect(await exit).toMatchObject({ code: null, signal: 'SIGKILL' });
    });
  }

  it("without Chromium's account, a number is a signal only if the launcher sent that signal", async () => {
    const { launcher } = emulation('never');
    const ours = await launcher.launch({ target: { kind: 'node-script', script: idle, args: [] }, env: {}, label: 'n1' });
    const oursExit = exitOf(ours);
    ours.signal('SIGKILL');
    expect(await oursExit).toMatchObject({ code: null, signal: 'SIGKILL' });
    const coded = await launcher.launch({ target: { kind: 'node-script', script: exits3, args: [] }, env: {}, label: 'n2' });
    expect(await exitOf(coded)).toMatchObject({ code: 3, signal: null });
    expect(utilityExit(9, undefined, new Set())).toEqual({ code: 9, signal: null });
    expect(utilityExit(9, 'killed', new Set())).toEqual({ code: null, signal: 'SIGKILL' });
    expect(utilityExit(11, 'crashed', new Set())).toEqual({ code: null, signal: 'SIGSEGV' });
    expect(utilityExit(9, 'abnormal-exit', new Set(['SIGKILL']))).toEqual({ code: 9, signal: null });
  });

  it('pauses and resumes through signal(), and never signals a pid after its exit was seen', async () => {
    const kills: Array<[number, NodeJS.Signals]> = [];
    const { launcher } = emulation('after-exit');
    const proc = await launcher.launch({ target: { kind: 'node-script', script: idle, args: [] }, env: {}, label: 'n1' });
    expect(proc.signal('SIGSTOP')).toBe(true);
    await expect.poll(() => stateOf(proc.pid)).toBe('T');
    expect(proc.signal('SIGCONT')).toBe(true);
    await expect.poll(() => stateOf(proc.pid)).not.toBe('T');
    const exit = exitOf(proc);
    proc.signal('SIGKILL');
    const seen = await exit;
    expect(seen.at).toBeGreaterThan(1000); // the engine clock's reading at the exit
    const spy = vi.spyOn(process, 'kill').mockImplementation((pid, signal) => {
      kills.push([pid, signal as NodeJS.Signals]);
      return true;
    });
    try {
      expect(proc.signal('SIGKILL')).toBe(false);
      expect(kills).toEqual([]);
    } finally {
      spy.mockRestore();
    }
    // A listener added after the exit hears it at once.
    expect(await exitOf(proc)).toEqual(seen);
  });

  it('hands programs to the plain launcher, and rejects a script that never starts', async () => {
    const { launcher, programs } = emulation('after-exit');
    await expect(launcher.launch({ target: { kind: 'program', file: 'python3', args: ['-m', 'http.server'] }, env: {}, label: 'web' })).rejects.toThrow('programs: not in this test');
    expect(programs.launch).toHaveBeenCalledTimes(1);
    await expect(launcher.launch({ target: { kind: 'node-script', script: join(dir, 'missing.js'), args: [] }, env: {}, label: 'n9' })).rejects.toThrow('n9 did not start');
  });
});
