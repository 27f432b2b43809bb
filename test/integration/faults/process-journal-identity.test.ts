// The revert journal is a file in the run folder: a pid read from it names whatever process has that
// pid now. A crashed engine's "SIGCONT pid N" is acted on only when the start time recorded with the
// pid still matches and the command line is ours by what THIS engine knows (its run folder, its
// server), never by markers the line itself carries. Real processes, really stopped; each must stay so.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FaultRegistry } from '../../../electron/engine/faults/index';
import { procStat } from '../../../electron/engine/faults/process/process-identity';
import { RevertJournal } from '../../../electron/engine/faults/revert-journal';
import { StubPort } from './helpers';
import { sleep } from '../../../shared/sleep';

let runDir: string;
const children: ChildProcess[] = [];
const registries: FaultRegistry[] = [];

beforeEach(() => {
  runDir = mkdtempSync(join(tmpdir(), 'firedrill-journal-identity-'));
});

afterEach(async () => {
  await Promise.all(registries.splice(0).map((r) => r.dispose()));
  for (const child of children.splice(0)) {
    // Our own children, by the handle we started them with (SIGKILL also ends a stopped process).
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  rmSync(runDir, { recursive: true, force: true });
});

const stateOf = (pid: number): string | undefined => procStat(pid)?.state;

async function waitFor(predicate: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error('timed out');
    await sleep(10);
  }
}

/** A child of this test, SIGSTOPped: if anything sends it SIGCONT, its state leaves 'T'. */
async function stoppedChild(command: string, args: string[]): Promise<number> {
  const child = spawn(command, args, { stdio: 'ignore' });
  children.push(child);
  const pid = child.pid as number;
  await waitFor(() => procStat(pid) !== undefined);
  process.kill(pid, 'SIGSTOP');
  await waitFor(() => stateOf(pid) === 'T');
  return pid;
}

function forgePause(id: string, undo: Record<string, unknown>): void {
  // A dead engine's session, as a crash (or a hand) left it.
  new RevertJournal(runDir, 'dead-engine', { pid: 999_999, startTime: '1' }).applied({ id, type: 'pause', kind: 'process', target: 'n1', at: Date.now(), undo });
}

async function recover(): Promise<string[]> {
  const registry = new FaultRegistry({
    runDir,
    fleet: { status: 'running', node: () => undefined, stopNode: () => Promise.reject(new Error('unused')), restartNode: () => Promise.reject(new Error('unused')) },
    network: new StubPort(),
    http: new StubPort(),
    listener: { onTimeline: () => {}, onChanged: () => {} },
    serverEntry: '/nowhere/out/server/index.js',
  });
  registries.push(registry);
  return registry.recoverJournal();
}

describe.runIf(process.platform === 'linux')('the revert journal acts on a pid only while it names the same process', () => {
  it('a pid with no start time recorded is left alone, even when its command line looks like one of ours', async () => {
    const dataDir = join(runDir, 'nodes', 'n1');
    mkdirSync(dataDir, { recursive: true });
    const pid = await stoppedChild(process.execPath, ['-e', 'setInterval(() => {}, 1000)', dataDir]);
    forgePause('f-1', { pid, group: false, dataDir });
    forgePause('f-2', { pid, group: false, startTime: null, dataDir });
    const lines = await recover();
    expect(lines.slice(0, 2)).toEqual([
      `f-1 pause of n1 (pid ${pid}): the journal recorded no start time for it, so it cannot be proved to be the same process; left alone (if that node is still frozen: kill -CONT ${pid})`,
      `f-2 pause of n1 (pid ${pid}): the journal recorded no start time for it, so it cannot be proved to be the same process; left alone (if that node is still frozen: kill -CONT ${pid})`,
    ]);
    await sleep(50);
    expect(stateOf(pid)).toBe('T');
  });

  it('a live unrelated pid with a wrong start time is not signalled', async () => {
    const dataDir = join(runDir, 'nodes', 'n1');
    const pid = await stoppedChild(process.execPath, ['-e', 'setInterval(() => {}, 1000)', dataDir]);
    const real = procStat(pid)?.startTime as string;
    forgePause('f-1', { pid, group: false, startTime: String(Number(real) - 1), dataDir });
    const [line] = await recover();
    expect(line).toBe(`f-1 pause of n1 (pid ${pid}): that pid is now another process; left alone`);
    await sleep(50);
    expect(stateOf(pid)).toBe('T');
  });

  it('"ours" is judged by this engine, not by markers the journal line carries', async () => {
    const pid = await stoppedChild('sleep', ['30']);
    const startTime = procStat(pid)?.startTime;
    // The right start time, and markers that any command line would match.
    forgePause('f-1', { pid, group: false, startTime, dataDir: 'sleep', serverEntry: '/' });
    forgePause('f-2', { pid, group: false, startTime, dataDir: join(runDir, 'nodes', 'n1') });
    const lines = await recover();
    expect(lines.slice(0, 2)).toEqual([
      `f-1 pause of n1 (pid ${pid}): not one of ours (command line: sleep 30); left alone`,
      `f-2 pause of n1 (pid ${pid}): not one of ours (command line: sleep 30); left alone`,
    ]);
    await sleep(50);
    expect(stateOf(pid)).toBe('T');
  });

  it('the same process, ours by this run folder, is resumed', async () => {
    const dataDir = join(runDir, 'nodes', 'n1');
    const pid = await stoppedChild(process.execPath, ['-e', 'setInterval(() => {}, 1000)', dataDir]);
    forgePause('f-1', { pid, group: false, startTime: procStat(pid)?.startTime, dataDir });
    const [line] = await recover();
    expect(line).toBe(`f-1 pause of n1 (pid ${pid}): resumed with SIGCONT`);
    await waitFor(() => stateOf(pid) === 'S' || stateOf(pid) === 'R');
  });
});
