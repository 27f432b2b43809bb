// recoverJournal with processes this test starts: a frozen process of ours is thawed; a stranger —
// a foreign command line, a reused pid, the test runner itself — is never signalled.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FaultRegistry, JOURNAL_FILE } from '../../../electron/engine/faults/index';
import { procStat } from '../../../electron/engine/faults/process/process-identity';
import { RevertJournal } from '../../../electron/engine/faults/revert-journal';
import { FakeFleet, RecordingPort, snapshot } from './fake-fleet';
import { sleep } from '../../../shared/sleep';
import { faultSpec } from '../../support/fault-spec';

let runDir: string;
const children: ChildProcess[] = [];
const registries: FaultRegistry[] = [];

beforeEach(() => {
  runDir = mkdtempSync(join(tmpdir(), 'firedrill-faults-journal-unit-'));
});

afterEach(async () => {
  await Promise.all(registries.splice(0).map((r) => r.dispose()));
  for (const child of children.splice(0)) {
    // Our own children, by the pid we started (SIGKILL also ends a stopped process).
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  rmSync(runDir, { recursive: true, force: true });
});

const state = (pid: number) => procStat(pid)?.state;

async function stoppedChild(command: string, args: string[], options: { detached?: boolean } = {}): Promise<number> {
  const child = spawn(command, args, { stdio: 'ignore', detached: options.detached ?? false });
  children.push(child);
  const pid = child.pid!;
  await waitFor(() => procStat(pid) !== undefined && procStat(pid)?.state !== 'D');
  process.kill(pid, 'SIGSTOP');
  await waitFor(() => state(pid) === 'T');
  return pid;
}

async function waitFor(predicate: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error('timed out');
    await sleep(10);
  }
}

function journalPause(session: string, id: string, pid: number, undo: Record<string, unknown> = {}, engine: { pid: number; startTime: string | null } | null = null): void {
  new RevertJournal(runDir, session, engine).applied({
    id,
    type: 'pause',
    kind: 'process',
    target: 'n1',
    at: Date.now(),
    undo: { pid, group: false, startTime: procStat(pid)?.startTime ?? null, dataDir: join(runDir, 'nodes', 'n1'), serverEntry: '/nowhere/out/server/index.js', ...undo },
  });
}

function registry(platform?: NodeJS.Platform): FaultRegistry {
  const r = new FaultRegistry({ runDir, fleet: new FakeFleet(), network: new RecordingPort(), http: new RecordingPort(), listener: { onTimeline: () => {}, onChanged: () => {} }, ...(platform ? { platform } : {}) });
  registries.push(r);
  return r;
}

describe.runIf(process.platform === 'linux')('recoverJournal', () => {
  it('resumes a frozen process of ours (its command line names the node data folder)', async () => {
    const dataDir = join(runDir, 'nodes', 'n1');
    mkdirSync(dataDir, { recursive: true });
    const pid = await stoppedChild(process.execPath, ['-e', 'setInterval(() => {}, 1000)', dataDir], { detached: true });
    journalPause('dead-engine', 'f-3', pid, { group: true });
    const lines = await registry().recoverJournal();
    expect(lines[0]).toBe(`f-3 pause of n1 (pid ${pid}): resumed with SIGCONT (its process group)`);
    await waitFor(() => state(pid) === 'S' || state(pid) === 'R');
    expect(lines.at(-1)).toBe('fault journal: 1 fault(s) left by an earlier engine settled; 1 line(s) compacted away');
  });

  it('never signals a stranger: a foreign command line, a reused pid, the test runner', async () => {
    const foreign = await stoppedChild('sleep', ['30']);
    const reused = await stoppedChild(process.execPath, ['-e', 'setInterval(() => {}, 1000)', join(runDir, 'nodes', 'n1')]);
    journalPause('dead-engine', 'f-1', foreign);
    journalPause('dead-engine', 'f-2', reused, { startTime: '1' }); // the pid was ours once, long ago
    journalPause('dead-engine', 'f-3', process.pid);
    const lines = await registry().recoverJournal();
    expect(lines[0]).toBe(`f-1 pause of n1 (pid ${foreign}): not one of ours (command line: sleep 30); left alone`);
    expect(lines[1]).toBe(`f-2 pause of n1 (pid ${reused}): that pid is now another process; left alone`);
    expect(lines[2]).toMatch(new RegExp(`^f-3 pause of n1 \\(pid ${process.pid}\\): not one of ours \\(command line: .*\\); left alone$`));
    await sleep(50);
    expect(state(foreign)).toBe('T');
    expect(state(reused)).toBe('T');
  });

  it('elsewhere than Linux, leaves the pid alone and says how to resume it', async () => {
    journalPause('dead-engine', 'f-1', 4242, { startTime: null });
    const [line] = await registry('darwin').recoverJournal();
    expect(line).toBe('f-1 pause of n1 (pid 4242): cannot prove on darwin that this pid is still ours, so it was left alone (if that node is still frozen: kill -CONT 4242)');
  });

  it('skips a torn line, leaves this engine\'s own faults alone, compacts the rest', async () => {
    journalPause('dead-engine', 'f-1', 999_999);
    appendFileSync(join(runDir, JOURNAL_FILE), '{"v":1,"op":"applied","sess');
    const fleet = new FakeFleet();
    fleet.nodes.set('n1', snapshot('n1', runDir));
    const network = new RecordingPort();
    const mine = new FaultRegistry({ runDir, fleet, network, http: new RecordingPort(), listener: { onTimeline: () => {}, onChanged: () => {} } });
    registries.push(mine);
    const own = await mine.inject(faultSpec({ type: 'latency', target: 'n1' })); // journaled in this session: not a crash leftover
    const lines = await mine.recoverJournal();
    expect(lines).toEqual([
      'fault journal: 1 unreadable line(s) skipped (a write torn by a crash)',
      'f-1 pause of n1 (pid 999999): process gone, nothing to resume',
      'fault journal: 1 fault(s) left by an earlier engine settled; 2 line(s) compacted away',
    ]);
    expect(network.applied.has(own.id)).toBe(true);
    const kept = readFileSync(join(runDir, JOURNAL_FILE), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; op: string });
    expect(kept.map((l) => `${l.op} ${l.id}`)).toEqual([`applied ${own.id}`]);
    expect(await mine.recoverJournal()).toEqual([]);
    // Appends after a compaction go to the new file.
    await mine.revert(own.id);
    expect(readFileSync(join(runDir, JOURNAL_FILE), 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('leaves alone the faults of an engine that is still running on the same run folder', async () => {
    const frozen = await stoppedChild(process.execPath, ['-e', 'setInterval(() => {}, 1000)', join(runDir, 'nodes', 'n1')]);
    const alive = { pid: process.pid, startTime: procStat(process.pid)!.startTime };
    journalPause('live-engine', 'f-1', frozen, {}, alive);
    journalPause('dead-engine', 'f-2', 999_999, {}, { pid: process.pid, startTime: '1' }); // its pid since reused: dead
    const lines = await registry().recoverJournal();
    expect(lines).toEqual([
      `f-1 pause of n1: still held by a running engine (pid ${process.pid}); left alone`,
      'f-2 pause of n1 (pid 999999): process gone, nothing to resume',
      'fault journal: 1 fault(s) left by an earlier engine settled; 1 line(s) compacted away',
    ]);
    expect(state(frozen)).toBe('T');
    expect(readFileSync(join(runDir, JOURNAL_FILE), 'utf8')).toContain('"session":"live-engine"');
  });

  it('an empty or missing journal says nothing', async () => {
    expect(await registry().recoverJournal()).toEqual([]);
    writeFileSync(join(runDir, JOURNAL_FILE), '');
    expect(await registry().recoverJournal()).toEqual([]);
  });
});
