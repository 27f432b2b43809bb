// Benchmark of the bundled test server (not a test): spawn → ready, restore of a ~10 MiB
// checkpoint, checkpoint write time, and acknowledged write throughput. 127.0.0.1 only.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freePort } from './stats';

interface BenchRow {
  figure: string;
  value: string;
  target?: string;
  note?: string;
}

const entry = fileURLToPath(new URL('../out/server/index.js', import.meta.url));
const SPAWNS = 15;
const TEN_MIB_KEYS = 640;
const VALUE_BYTES = 16 * 1024;

interface Running {
  child: ChildProcess;
  port: number;
  readyMs: number;
  restoreMs: number;
}


/** Spawns the server and resolves when it logs server.ready, with the time it took. */
async function startServer(dataDir: string, extra: string[] = []): Promise<Running> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [entry, '--port', String(port), '--data', dataDir, ...extra], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, FIREDRILL_NODE_SECRET: NODE_SECRET } });
  return new Promise((resolve, reject) => {
    let restoreMs = NaN;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('server not ready within 20 s'));
    }, 20_000);
    child.once('exit', (code) => reject(new Error(`server exited early with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const event = JSON.parse(line) as { event: string; durationMs?: number };
      if (event.event === 'restore.done') restoreMs = event.durationMs ?? NaN;
      if (event.event === 'server.ready') {
        clearTimeout(timer);
        resolve({ child, port, readyMs: performance.now() - started, restoreMs });
      }
    });
  });
}

async function stopServer(running: Running, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (running.child.exitCode !== null || running.child.signalCode !== null) return;
  // Drop the start-up listener that treats an exit as a failure.
  running.child.removeAllListeners('exit');
  const exited = new Promise((resolve) => running.child.once('exit', resolve));
  running.child.kill(signal);
  await exited;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
/** The admin endpoints need a node secret (the lab makes one per lab; this bench its own). */
const NODE_SECRET = randomBytes(24).toString('base64url');

function request(port: number, method: string, path: string, body?: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers: { authorization: `Bearer ${NODE_SECRET}`, ...(body ? { 'content-length': body.length } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

const ms = (n: number): string => `${n.toFixed(1)} ms`;

/** Puts `count` values with `parallel` clients; returns per-request latencies. */
async function putMany(port: number, count: number, parallel: number, value: (i: number) => Buffer): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        const i = next++;
        const t = performance.now();
        const { status } = await request(port, 'PUT', `/kv/key-${i}`, value(i));
        if (status !== 200) throw new Error(`PUT answered ${status}`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return latencies;
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const dirs: string[] = [];
  const tempDir = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'fd-bench-server-'));
    dirs.push(dir);
    return dir;
  };
  try {
    // 1. Spawn → ready with an empty data folder.
    const empty: number[] = [];
    for (let i = 0; i < SPAWNS; i++) {
      const running = await startServer(await tempDir());
      empty.push(running.readyMs);
      await stopServer(running);
    }
    rows.push({ figure: 'spawn → ready, empty data dir (p50 / p99)', value: `${ms(quantile(empty, 0.5))} / ${ms(quantile(empty, 0.99))}`, target: 'p50 ≤ 300 ms', note: `${SPAWNS} spawns` });

    // 2. A ~10 MiB checkpoint: write it, checkpoint, and leave only a tiny log behind it.
    const bigDir = await tempDir();
    const writer = await startServer(bigDir, ['--checkpoint-interval-ms', '0', '--checkpoint-every-writes', '0', '--keep', '1']);
    const value = Buffer.alloc(VALUE_BYTES, 'x');
    await putMany(writer.port, TEN_MIB_KEYS, 8, () => value);
    const checkpointWall: number[] = [];
    const checkpointWrite: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 7; i++) {
      await request(writer.port, 'PUT', `/kv/tick`, Buffer.from(String(i)));
      const t = performance.now();
      const answer = await request(writer.port, 'POST', '/admin/checkpoint');
      checkpointWall.push(performance.now() - t);
      const written = JSON.parse(answer.text) as { durationMs: number; bytes: number };
      checkpointWrite.push(written.durationMs);
      bytes = written.bytes;
    }
    await stopServer(writer, 'SIGTERM');
    const mib = (bytes / 2 ** 20).toFixed(1);
    rows.push({ figure: `checkpoint write, ${mib} MiB (median of 7)`, value: ms(quantile(checkpointWrite, 0.5)), note: `hash + write + fsync + rename; ${ms(quantile(checkpointWall, 0.5))} incl. serialize and HTTP` });

    const big: number[] = [];
    const restore: number[] = [];
    for (let i = 0; i < SPAWNS; i++) {
      const running = await startServer(bigDir, ['--checkpoint-interval-ms', '0', '--checkpoint-every-writes', '0']);
      big.push(running.readyMs);
      restore.push(running.restoreMs);
      await stopServer(running);
    }
    rows.push({ figure: `spawn → ready, ${mib} MiB checkpoint (p50 / p99)`, value: `${ms(quantile(big, 0.5))} / ${ms(quantile(big, 0.99))}`, target: 'p50 ≤ 300 ms', note: `${SPAWNS} spawns; restore itself p50 ${ms(quantile(restore, 0.5))}` });

    // 3. Acknowledged writes per second with fsync always (group commit), 16 clients.
    const tp = await startServer(await tempDir());
    const count = 3000;
    const t = performance.now();
    const latencies = await putMany(tp.port, count, 16, (i) => Buffer.from(`value-${i}`));
    const seconds = (performance.now() - t) / 1000;
    await stopServer(tp);
    rows.push({ figure: 'PUT, fsync always, 16 clients', value: `${Math.round(count / seconds)} writes/s`, note: `${count} writes; p50 ${ms(quantile(latencies, 0.5))}, p99 ${ms(quantile(latencies, 0.99))}` });
  } finally {
    agent.destroy();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  }
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const row of await run()) console.log(`${row.figure}: ${row.value}${row.target ? ` (target ${row.target})` : ''}${row.note ? ` — ${row.note}` : ''}`);
}
