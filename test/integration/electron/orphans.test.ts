// Nothing outlives the desktop app's engine either: a fleet started through its launcher (bundled
// servers as emulated utility processes - no group, no IPC, no stdin to watch - and a command
// node with a grandchild), one node paused, then a kill -9 of the engine. Only the shell reaper
// can end them here (a real Chromium would also end its utility processes, but not a paused one).
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { serverEntry } from '../../../electron/engine/app-paths';
import { groupMembers, isRunning, killLeftovers, refOf, startEngineFixture, waitUntil, type ProcessRef } from '../fleet/helpers';

const engineScript = fileURLToPath(new URL('./fixtures/electron-engine.ts', import.meta.url));

interface EngineInfo {
  pids: number[];
  statuses: string[];
  paused: number;
  groups: number[];
  reaper: number;
}

let engine: ChildProcess | undefined;
let started: ProcessRef[] = [];
let runDir: string | undefined;

afterEach(() => {
  if (engine?.pid && engine.exitCode === null) engine.kill('SIGKILL');
  const leftovers = killLeftovers(started);
  if (runDir) rmSync(runDir, { recursive: true, force: true });
  engine = undefined;
  started = [];
  runDir = undefined;
  expect(leftovers).toEqual([]);
});

async function startEngine(): Promise<EngineInfo> {
  runDir = mkdtempSync(join(tmpdir(), 'firedrill-electron-engine-'));
  const info = await startEngineFixture<EngineInfo>(engineScript, [runDir], (child) => (engine = child));
  // The engine is alive and idle: these pids are its children right now.
  for (const pid of [...info.pids, info.reaper]) {
    const ref = refOf(pid);
    if (ref) started.push(ref);
  }
  return info;
}

describe.skipIf(!existsSync(serverEntry()))('the desktop engine dies (SIGKILL): no node outlives it', () => {
  it('3 trials: utility-process nodes (one paused), a command node and its grandchild have all exited within 1 s', { timeout: 90_000 }, async () => {
    const times: number[] = [];
    for (let trial = 0; trial < 3; trial++) {
      const info = await startEngine();
      expect(info.statuses).toEqual(['ready', 'ready', 'ready']);
      const nodes = info.pids.map(refOf) as ProcessRef[];
      const everything = [...nodes, ...groupMembers(info.groups).filter((m) => !info.pids.includes(m.pid))];
      started.push(...everything);
      expect(everything).toHaveLength(4); // 2 bundled, 1 command node + its grandchild
      expect(everything.every(isRunning)).toBe(true);
      const exited = new Promise((resolve) => engine?.once('exit', resolve));
      const t0 = performance.now();
      engine?.kill('SIGKILL');
      await waitUntil(() => everything.every((ref) => !isRunning(ref)), 1_000, 2);
      const ms = performance.now() - t0;
      expect(everything.filter(isRunning).map((ref) => ref.pid), `still running ${ms.toFixed(0)} ms after the engine died`).toEqual([]);
      times.push(ms);
      const reaper = refOf(info.reaper);
      expect(reaper === undefined || (await waitUntil(() => !isRunning(reaper), 1_000))).toBe(true);
      await exited;
      if (runDir) rmSync(runDir, { recursive: true, force: true });
      runDir = undefined;
    }
    console.log(`desktop engine kill -9 → every node exited: ${times.map((ms) => ms.toFixed(0)).join(', ')} ms`);
  });
});
