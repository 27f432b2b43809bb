// The revert journal across an engine crash: an engine pauses a node and is SIGKILLed; its reaper
// kills the fleet (the frozen node too), and the next engine on the same run folder replays the
// journal, says what it found, and compacts it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultRegistry, JOURNAL_FILE } from '../../../electron/engine/faults/index';
import { isRunning, killLeftovers, refOf, waitUntil, type ProcessRef } from '../fleet/helpers';
import { stateOf, StubPort } from './helpers';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const engineScript = fileURLToPath(new URL('./fixtures/engine.ts', import.meta.url));

interface EngineInfo {
  paused: number;
  pids: number[];
  reaper: number;
  faults: string[];
}

let engine: ChildProcess | undefined;
let started: ProcessRef[] = [];
let runDir: string | undefined;

afterEach(() => {
  if (engine?.pid && engine.exitCode === null && engine.signalCode === null) engine.kill('SIGKILL');
  killLeftovers(started);
  if (runDir) rmSync(runDir, { recursive: true, force: true });
  engine = undefined;
  started = [];
  runDir = undefined;
});

function startEngine(dir: string): Promise<EngineInfo> {
  const child = spawn(process.execPath, ['--import', 'tsx', engineScript, dir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  engine = child;
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`the engine printed nothing in 20 s: ${err}`)), 20_000);
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const newline = out.indexOf('\n');
      if (newline === -1) return;
      clearTimeout(timer);
      const info = JSON.parse(out.slice(0, newline)) as EngineInfo;
      for (const pid of [...info.pids, info.reaper]) {
        const ref = refOf(pid);
        if (ref) started.push(ref);
      }
      resolve(info);
    });
    child.once('exit', (code, signal) => reject(new Error(`the engine ended early (${code ?? signal}): ${err}`)));
  });
}

describe.runIf(process.platform === 'linux')('revert journal after an engine crash', () => {
  it('is replayed and compacted at the next start, saying what it found', async () => {
    runDir = mkdtempSync(join(tmpdir(), 'firedrill-faults-journal-'));
    const info = await startEngine(runDir);
    expect(await waitUntil(() => stateOf(info.paused) === 'T', 1_000)).toBe(true);
    const journalPath = join(runDir, JOURNAL_FILE);
    const before = readFileSync(journalPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { op: string; id: string; undo?: Record<string, unknown> });
    expect(before.map((l) => `${l.op} ${l.id}`)).toEqual(['applied f-1', 'applied f-2', 'applied f-3', 'applied f-4', 'reverted f-4']);
    expect(before[0]?.undo).toMatchObject({ pid: info.paused, group: true });

    const pausedRef = refOf(info.paused)!;
    const engineGone = new Promise((resolve) => engine!.once('exit', resolve));
    engine!.kill('SIGKILL');
    await engineGone; // the next engine starts after this one is dead (not merely its channel closed)
    // The reaper SIGKILLs every group, the frozen one included.
    expect(await waitUntil(() => !isRunning(pausedRef), 3_000)).toBe(true);

    const timeline: Array<{ kind: string; detail: Record<string, unknown> }> = [];
    const fleet = { status: 'running' as const, node: () => undefined, stopNode: () => Promise.reject(new Error('unused')), restartNode: () => Promise.reject(new Error('unused')) };
    const next = new FaultRegistry({ runDir, fleet, network: new StubPort(), http: new StubPort(), listener: { onTimeline: (kind, _n, detail) => timeline.push({ kind, detail }), onChanged: () => {} } });
    const lines = await next.recoverJournal();
    console.log(lines.join('\n'));
    expect(lines).toEqual([
      `f-1 pause of n1 (pid ${info.paused}): process gone, nothing to resume`,
      'f-2 latency of n1: died with its fault proxy (nothing to undo)',
      'f-3 crash-loop of n2: ended with the engine that ran it (nothing to undo)',
      'fault journal: 3 fault(s) left by an earlier engine settled; 5 line(s) compacted away',
    ]);
    expect(timeline.map((e) => `${e.kind} ${e.detail.faultId} ${e.detail.how}`)).toEqual(['fault.reverted f-1 journal', 'fault.reverted f-2 journal', 'fault.reverted f-3 journal']);
    expect(existsSync(journalPath)).toBe(false);
    // Settled once: a second start finds nothing.
    expect(await next.recoverJournal()).toEqual([]);
    await next.dispose();
  });
});
