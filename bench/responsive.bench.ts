// The engine stays responsive while its balancer is saturated (issue 15): `firedrill serve` with the
// default lab (3 active-active nodes), once with the data plane on the engine's thread
// (FIREDRILL_DATA_PLANE=in-process, the default) and once on its own (=thread), in one run. wrk
// floods the balancer (-t1 -c32) while this process asks the engine for `lab.state` (the UI's first
// and heaviest read, over the web host's HTTP API) every 50 ms, one at a time.
// Standalone: node --import tsx bench/responsive.bench.ts
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { LabSnapshot } from '../shared/contract/index';
import { sleep } from '../shared/sleep';
import { percentile, type BenchRow } from './stats';

const root = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(root, 'out/cli/index.js');
const FLOOD_S = Number(process.env.FIREDRILL_BENCH_FLOOD_SECONDS ?? 10);
const EVERY_MS = 50;
const ms = (n: number) => `${n.toFixed(1)} ms`;

/** `firedrill serve` this bench started (its pid), and its HTTP API with the token. */
async function serve(plane: 'in-process' | 'thread'): Promise<{ child: ChildProcess; url: string; token: string; dirs: string[] }> {
  const dirs = [mkdtempSync(join(tmpdir(), 'fd-bench-resp-run-')), mkdtempSync(join(tmpdir(), 'fd-bench-resp-reports-'))];
  const env: NodeJS.ProcessEnv = { ...process.env, FIREDRILL_RUN_DIR: dirs[0], FIREDRILL_REPORTS_DIR: dirs[1] };
  env.FIREDRILL_DATA_PLANE = plane;
  const child = spawn(process.execPath, [CLI, 'serve', '--json', '--port', '0', '--topology', 'active-active'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-2000)));
  const first = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed nothing in 30 s: ${stderr}`)), 30_000);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  const { url, token } = JSON.parse(first) as { url: string; token: string };
  return { child, url, token, dirs };
}

async function stop(s: { child: ChildProcess; dirs: string[] }): Promise<void> {
  const { child } = s;
  if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(child.pid, 'SIGTERM');
    const timer = setTimeout(() => child.pid !== undefined && process.kill(child.pid, 'SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
  for (const dir of s.dirs) rmSync(dir, { recursive: true, force: true });
}

async function state(url: string, token: string): Promise<LabSnapshot> {
  const response = await fetch(new URL('/api/commands/lab.state', url), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: '{}',
    signal: AbortSignal.timeout(30_000),
  });
  if (!response.ok) throw new Error(`lab.state: HTTP ${response.status}`);
  return (await response.json()) as LabSnapshot;
}

/** `lab.state` round trips, one at a time every EVERY_MS, until `until` (performance.now()). */
async function sample(url: string, token: string, until: number): Promise<number[]> {
  const times: number[] = [];
  while (performance.now() < until) {
    const start = performance.now();
    await state(url, token);
    times.push(performance.now() - start);
    await sleep(Math.max(0, EVERY_MS - (performance.now() - start)));
  }
  return times;
}

function wrk(url: string, seconds: number): { done: Promise<number>; child: ChildProcess } {
  const child = spawn('wrk', ['-t1', '-c32', `-d${seconds}s`, url], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  const done = new Promise<number>((resolve, reject) =>
    child.once('exit', () => {
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
      if (Number.isFinite(rps)) resolve(rps);
      else reject(new Error(`wrk: ${out.slice(0, 200)}`));
    }),
  );
  return { done, child };
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const plane of ['in-process', 'thread'] as const) {
    const s = await serve(plane);
    try {
      let snapshot = await state(s.url, s.token);
      for (let i = 0; i < 300 && snapshot.nodes.filter((n) => n.status === 'ready').length < 3; i++) {
        await sleep(100);
        snapshot = await state(s.url, s.token);
      }
      const balancer = `${snapshot.balancer.url}/kv/k`;
      await wrk(balancer, 2).done; // warm-up: connections, JIT
      const idle = await sample(s.url, s.token, performance.now() + 3_000);
      const flood = wrk(balancer, FLOOD_S);
      await sleep(500); // wrk's connections are open and busy
      const loaded = await sample(s.url, s.token, performance.now() + (FLOOD_S - 1) * 1_000);
      const rps = await flood.done;
      const label = plane === 'thread' ? 'data plane on its own thread (FIREDRILL_DATA_PLANE=thread)' : 'data plane on the engine thread (default)';
      rows.push({
        figure: `lab.state under a wrk flood, ${label}`,
        value: `p99 ${ms(percentile(loaded, 99))}`,
        ...(plane === 'thread' ? { target: 'p99 ≤ 20 ms' } : {}),
        note: `p50 ${ms(percentile(loaded, 50))}, max ${ms(Math.max(...loaded))}, ${loaded.length} calls; idle p50 ${ms(percentile(idle, 50))}, p99 ${ms(percentile(idle, 99))}; balancer ${Math.round(rps).toLocaleString('en-US')} req/s (wrk -t1 -c32, ${FLOOD_S} s); load avg ${loadavg()[0]!.toFixed(2)}`,
      });
    } finally {
      await stop(s);
    }
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const row of await run()) console.log(`${row.figure}: ${row.value}${row.target ? ` (target ${row.target})` : ''} — ${row.note ?? ''}`);
}
