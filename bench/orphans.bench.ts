// Nothing outlives the lab: an engine (a real Lab, in its own process, with 2 bundled and 2 command
// nodes, each command node with a grandchild) is killed with SIGKILL; every node process and
// grandchild is polled every 2 ms until it has exited. 100 trials (FIREDRILL_BENCH_ORPHAN_TRIALS).
// "Exited" counts a zombie: an orphan's zombie waits for PID 1 to reap it, which some inits do only
// every second or two (this sandbox's does); the second row says how long that took, for the record.
// Standalone: node --import tsx bench/orphans.bench.ts
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { percentile, type BenchRow } from './stats';
import { sleep } from '../shared/sleep';

const TRIALS = Number(process.env.FIREDRILL_BENCH_ORPHAN_TRIALS ?? 100);
/** Trials in which the zombies are also waited for until PID 1 reaps them (bounded: it can take seconds). */
const REAP_TRIALS = 10;
const REAP_WAIT_MS = 4_000;
const EXIT_WAIT_MS = 3_000;
const root = fileURLToPath(new URL('..', import.meta.url));
const self = fileURLToPath(import.meta.url);

interface Ref {
  pid: number;
  start: string;
}

function stat(pid: number): { state: string; pgrp: number; start: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return fields[0] && fields[19] ? { state: fields[0], pgrp: Number(fields[2]), start: fields[19] } : undefined;
  } catch {
    return undefined;
  }
}

const running = (ref: Ref): boolean => {
  const s = stat(ref.pid);
  return s !== undefined && s.start === ref.start && s.state !== 'Z';
};
const inTable = (ref: Ref): boolean => stat(ref.pid)?.start === ref.start;

function groupMembers(groups: readonly number[]): Ref[] {
  const out: Ref[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = stat(Number(entry));
    if (s && s.state !== 'Z' && groups.includes(s.pgrp)) out.push({ pid: Number(entry), start: s.start });
  }
  return out;
}

/** Milliseconds from `t0` until the predicate holds (polled every 2 ms); null after `timeoutMs`. */
async function until(predicate: () => boolean, t0: number, timeoutMs: number): Promise<number | null> {
  while (performance.now() - t0 < timeoutMs) {
    if (predicate()) return performance.now() - t0;
    await sleep(2);
  }
  return predicate() ? performance.now() - t0 : null;
}

/** One trial: the engine's node pids, then the time from its SIGKILL until every process of the fleet has exited (and been reaped). */
async function trial(measureReaping: boolean): Promise<{ exitedMs: number | null; reapedMs: number | null; processes: number }> {
  const runDir = mkdtempSync(join(tmpdir(), 'firedrill-bench-orphans-'));
  const engine = spawn(process.execPath, ['--import', 'tsx', self, '--engine', runDir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let everything: Ref[] = [];
  try {
    const pids = await new Promise<number[]>((resolve, reject) => {
      let out = '';
      let err = '';
      const timer = setTimeout(() => reject(new Error(`the engine printed nothing in 30 s: ${err}`)), 30_000);
      engine.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      engine.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const newline = out.indexOf('\n');
        if (newline === -1) return;
        clearTimeout(timer);
        resolve((JSON.parse(out.slice(0, newline)) as { pids: number[] }).pids);
      });
      engine.once('exit', (code, signal) => reject(new Error(`the engine ended early (${code ?? signal}): ${err}`)));
    });
    everything = groupMembers(pids);
    // The engine idles; each node is alive.
    await sleep(200);
    const gone = new Promise((resolve) => engine.once('exit', resolve));
    const t0 = performance.now();
    engine.kill('SIGKILL');
    const exitedMs = await until(() => everything.every((ref) => !running(ref)), t0, EXIT_WAIT_MS);
    const reapedMs = measureReaping ? await until(() => everything.every((ref) => !inTable(ref)), t0, REAP_WAIT_MS) : null;
    await gone;
    return { exitedMs, reapedMs, processes: everything.length };
  } finally {
    if (engine.exitCode === null && engine.signalCode === null) engine.kill('SIGKILL');
    // Anything still running after the trial: ours by pid and start time, so safe to end.
    for (const ref of everything) if (running(ref)) process.kill(ref.pid, 'SIGKILL');
    rmSync(runDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchRow[]> {
  if (process.platform !== 'linux') return [{ figure: 'engine kill -9 → every node exited', value: 'skipped', note: 'needs Linux /proc' }];
  const loadBefore = loadavg()[0] ?? 0;
  const exited: number[] = [];
  const reaped: number[] = [];
  let missed = 0;
  let processes = 0;
  for (let i = 0; i < TRIALS; i++) {
    const result = await trial(i < REAP_TRIALS);
    processes = result.processes;
    if (result.exitedMs === null) missed++;
    else exited.push(result.exitedMs);
    if (result.reapedMs !== null) reaped.push(result.reapedMs);
  }
  const load = `load ${loadBefore.toFixed(2)} → ${(loadavg()[0] ?? 0).toFixed(2)}`;
  const initName = (() => {
    try {
      return readFileSync('/proc/1/comm', 'utf8').trim();
    } catch {
      return 'init';
    }
  })();
  return [
    {
      figure: 'engine kill -9 → every node exited',
      value: `p50 ${percentile(exited, 50).toFixed(0)} ms, p99 ${percentile(exited, 99).toFixed(0)} ms, max ${Math.max(...exited).toFixed(0)} ms`,
      target: 'p99 ≤ 250 ms',
      note: `${exited.length} of ${TRIALS} trials, ${processes} processes each (2 bundled, 2 command nodes + a grandchild each); ${missed} still running after ${EXIT_WAIT_MS} ms; ${load}`,
    },
    {
      figure: '… → gone from the process table',
      value: reaped.length > 0 ? `p50 ${percentile(reaped, 50).toFixed(0)} ms, max ${Math.max(...reaped).toFixed(0)} ms` : 'not measured',
      note: `${reaped.length} trials: the zombies of the dead engine's children wait for PID 1 (${initName}) to reap them`,
    },
  ];
}

/** The engine of one trial: a real lab with a mixed fleet; prints its node pids, then idles until killed. */
async function engineMain(runDir: string): Promise<void> {
  const { Lab } = await import('../electron/engine/lab');
  const command = (id: string) => ({
    id,
    kind: 'command' as const,
    command: '/bin/sh',
    args: ['-c', `sleep 300 & exec "${process.execPath}" -e "setInterval(() => {}, 1000)"`],
  });
  const lab = await Lab.create({
    runDir,
    reportsDir: runDir,
    fleet: { name: 'orphans', nodes: [{ id: 'b1', kind: 'bundled', role: 'stateless' }, { id: 'b2', kind: 'bundled', role: 'stateless' }, command('c1'), command('c2')] },
  });
  const nodes = lab.snapshot().nodes;
  if (nodes.some((n) => n.status !== 'ready' || n.pid === null)) throw new Error(`the fleet did not start: ${JSON.stringify(nodes.map((n) => [n.id, n.status]))}`);
  console.log(JSON.stringify({ pids: nodes.map((n) => n.pid) }));
  setInterval(() => {}, 60_000);
}

const engineAt = process.argv.indexOf('--engine');
if (engineAt >= 0) {
  await engineMain(process.argv[engineAt + 1] as string);
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await run();
  for (const row of rows) console.log(`${row.figure}: ${row.value}${row.target ? ` (target ${row.target})` : ''}${row.note ? ` — ${row.note}` : ''}`);
}
