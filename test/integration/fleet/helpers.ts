import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LogLine, NodeSnapshot } from '../../../shared/contract/model';
import { FleetSupervisor, type FleetListener, type FleetSupervisorOptions } from '../../../electron/engine/fleet/index';
import { sleep } from '../../../shared/sleep';

export interface TimelineRecord {
  at: number;
  kind: string;
  nodeId?: string;
  detail?: Record<string, unknown>;
}

/** A listener that keeps everything, and lets a test wait for a condition on what it kept. */
export class Recorder implements FleetListener {
  readonly timeline: TimelineRecord[] = [];
  readonly changes: NodeSnapshot[] = [];
  readonly logBatches: Array<{ lines: LogLine[]; dropped: number; at: number }> = [];
  private waiters: Array<() => void> = [];

  onNodeChanged(node: NodeSnapshot): void {
    this.changes.push(node);
    this.wake();
  }

  onTimeline(event: TimelineRecord): void {
    this.timeline.push(event);
    this.wake();
  }

  onLogs(lines: LogLine[], dropped: number): void {
    this.logBatches.push({ lines, dropped, at: performance.now() });
    this.wake();
  }

  events(kind: string, nodeId?: string): TimelineRecord[] {
    return this.timeline.filter((e) => e.kind === kind && (nodeId === undefined || e.nodeId === nodeId));
  }

  /** Resolves with the predicate's first truthy value; rejects after `timeoutMs`. */
  waitFor<T>(predicate: () => T | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): boolean => {
        const value = predicate();
        if (value) {
          clearTimeout(timer);
          resolve(value);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const waiter = (): void => {
        if (check()) this.waiters = this.waiters.filter((w) => w !== waiter);
      };
      if (!check()) this.waiters.push(waiter);
    });
  }

  /** The n-th (0-based) event of `kind` for `nodeId`, waiting for it if needed. */
  nth(kind: string, nodeId: string | undefined, n: number, timeoutMs = 10_000): Promise<TimelineRecord> {
    return this.waitFor(() => this.events(kind, nodeId)[n], timeoutMs, `${kind} #${n + 1} of ${nodeId ?? 'the fleet'}`);
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/**
 * A process by pid *and* start time: pids are reused (pid_max is 32768 here), so a test only
 * ever checks or signals a pid while it still names the process it recorded.
 */
export interface ProcessRef {
  pid: number;
  start: string;
}

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "pid (comm) ": [0] state, [2] pgrp, [19] starttime.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Records a live process; undefined if it is already gone. */
export function refOf(pid: number): ProcessRef | undefined {
  const fields = statFields(pid);
  return fields?.[19] ? { pid, start: fields[19] } : undefined;
}

/**
 * Still the same process and not a zombie. A zombie counts as gone: it has exited and only waits
 * to be reaped by its parent — for orphans that is PID 1, which in some sandboxes reaps only
 * every few seconds.
 */
export function isRunning(ref: ProcessRef): boolean {
  const fields = statFields(ref.pid);
  return fields !== undefined && fields[19] === ref.start && fields[0] !== 'Z';
}

/** Every live process in the given process groups (Linux /proc). */
export function groupMembers(groups: readonly number[]): ProcessRef[] {
  const wanted = new Set(groups);
  const out: ProcessRef[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (fields?.[19] && fields[0] !== 'Z' && wanted.has(Number(fields[2]))) out.push({ pid: Number(entry), start: fields[19] });
  }
  return out;
}

export async function waitUntil(predicate: () => boolean, timeoutMs: number, stepMs = 10): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (predicate()) return true;
    await sleep(stepMs);
  }
  return predicate();
}

/** SIGKILLs each recorded process that is still running (identity checked); returns their pids. */
export function killLeftovers(refs: Iterable<ProcessRef>): number[] {
  const killed: number[] = [];
  for (const ref of refs) {
    if (!isRunning(ref)) continue;
    try {
      process.kill(ref.pid, 'SIGKILL');
      killed.push(ref.pid);
    } catch {
      // gone meanwhile
    }
  }
  return killed;
}

/** One supervisor per test with its temp folder; `cleanup()` disposes it and kills any straggler. */
export class FleetHarness {
  readonly recorder = new Recorder();
  readonly runDir = mkdtempSync(join(tmpdir(), 'firedrill-fleet-'));
  readonly fleet: FleetSupervisor;
  private readonly started: ProcessRef[] = [];

  constructor(options: Partial<Omit<FleetSupervisorOptions, 'runDir' | 'listener'>> = {}) {
    const recorder = this.recorder;
    const started = this.started;
    this.fleet = new FleetSupervisor({
      runDir: this.runDir,
      ...options,
      listener: {
        onNodeChanged: (n) => recorder.onNodeChanged(n),
        onLogs: (lines, dropped) => recorder.onLogs(lines, dropped),
        onTimeline: (e) => {
          // Emitted synchronously right after the spawn: the pid is certainly our child here.
          const ref = e.kind === 'node.starting' && typeof e.detail?.pid === 'number' ? refOf(e.detail.pid) : undefined;
          if (ref) started.push(ref);
          recorder.onTimeline(e);
        },
      },
    });
  }

  async cleanup(): Promise<number[]> {
    const reaperPid = this.fleet.reaperPid;
    const reaper = reaperPid === undefined ? undefined : refOf(reaperPid);
    if (reaper) this.started.push(reaper);
    await this.fleet.dispose(500).catch(() => {});
    const leftovers = killLeftovers(this.started);
    rmSync(this.runDir, { recursive: true, force: true });
    return leftovers;
  }
}

/** A Node one-liner as a command node's command and args. */
export function nodeScript(script: string, ...args: string[]): { command: string; args: string[] } {
  return { command: process.execPath, args: ['-e', script, ...args] };
}

/**
 * Starts an engine fixture (`node --import tsx SCRIPT ...args` from the repo's root) and resolves with
 * the first line it prints, parsed as JSON; rejects if it ends first or prints nothing in 20 s.
 * `child` is the process, handed over at once so that an afterEach can kill it whatever happens.
 */
export function startEngineFixture<T>(script: string, args: string[], child: (engine: ChildProcess) => void): Promise<T> {
  const engine = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: fileURLToPath(new URL('../../../', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] });
  child(engine);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`the engine printed nothing in 20 s: ${err}`)), 20_000);
    engine.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    engine.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const newline = out.indexOf('\n');
      if (newline === -1) return;
      clearTimeout(timer);
      resolve(JSON.parse(out.slice(0, newline)) as T);
    });
    engine.once('exit', (code, signal) => reject(new Error(`the engine ended early (${code ?? signal}): ${err}`)));
  });
}
