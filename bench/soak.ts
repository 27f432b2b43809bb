// `npm run soak -- --minutes 30 [--seed N] [--rate 200] [--every-ms 2000]`: the lab under a random
// fault every couple of seconds, for as long as asked, against its own promises. A real engine
// (`firedrill serve`) in its own process, hot standby with strict synchronous replication, traffic
// at 200 req/s (half writes) through its balancer; every minute the RSS and open descriptors of every
// process and the ledger; at the end the ledger, the faults and the processes, judged against targets:
// RSS growth < 20 % after the first 5 minutes, flat descriptors, 0 lost acknowledged writes, 0 faults
// left active, 0 processes left stopped or unknown to the lab. Exit 0 when every target holds, 1 if not.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { mkdtempSync } from 'node:fs';
import type { FaultRecord, LabSnapshot, LedgerCounts } from '../shared/contract/index.js';
import { mulberry32 } from '../electron/engine/random.js';
import { startServe, stopProcess, type RunningLab } from '../test/support/cli.js';
import { sleep } from '../shared/sleep.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    seed: { type: 'string', default: '1' },
    rate: { type: 'string', default: '200' },
    'every-ms': { type: 'string', default: '2000' },
  },
  strict: true,
});
const number = (flag: string, raw: string | undefined, min: number): number => {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) {
    console.error(`--${flag}: "${raw}" is not a number ≥ ${min}`);
    process.exit(2);
  }
  return value;
};
const minutes = number('minutes', values.minutes, 0.25);
const seed = number('seed', values.seed, 0);
const rate = number('rate', values.rate, 1);
const everyMs = number('every-ms', values['every-ms'], 100);
const random = mulberry32(seed);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const between = (lo: number, hi: number): number => Math.round(lo + random() * (hi - lo));

// ---- the lab over its HTTP API -------------------------------------------------------------

async function call<T>(name: string, params: unknown = {}): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${lab.port}/api/commands/${name}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${lab.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(params),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await response.json()) as T & { error?: { code: string; message: string } };
  if (!response.ok) throw new Error(`${name}: ${response.status} ${body.error?.code ?? ''}: ${body.error?.message ?? ''}`);
  return body;
}
const state = (): Promise<LabSnapshot> => call<LabSnapshot>('lab.state');

// ---- processes: RSS, descriptors, state, from /proc ----------------------------------------

interface ProcInfo {
  pid: number;
  ppid: number;
  state: string;
  rssKiB: number;
  fds: number;
  cmdline: string;
}

function procInfo(pid: number): ProcInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+)/.exec(status)?.[1];
    let fds = 0;
    try {
      fds = readdirSync(`/proc/${pid}/fd`).length;
    } catch {
      fds = -1;
    }
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    return { pid, ppid: Number(rest[1]), state: rest[0] ?? '?', rssKiB: Number(rss ?? 0), fds, cmdline };
  } catch {
    return null;
  }
}

/** Every process below `root` (by parent pid), `root` included. */
function descendants(root: number): ProcInfo[] {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => procInfo(Number(name)))
    .filter((p): p is ProcInfo => p !== null);
  const found: ProcInfo[] = [];
  const frontier = [root];
  while (frontier.length > 0) {
    const pid = frontier.pop() as number;
    const self = all.find((p) => p.pid === pid);
    if (self) found.push(self);
    for (const child of all.filter((p) => p.ppid === pid)) frontier.push(child.pid);
  }
  return found;
}

/** Processes anywhere whose command line or working directory names the run folder. */
function processesUsing(runDir: string): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const info = procInfo(Number(name));
    if (!info) continue;
    let cwd = '';
    try {
      cwd = readlinkSync(`/proc/${name}/cwd`);
    } catch {
      // gone, or not ours to read
    }
    if (info.cmdline.includes(runDir) || cwd.startsWith(runDir)) out.push(info);
  }
  return out;
}

const mib = (kib: number): string => `${(kib / 1024).toFixed(1)} MiB`;

// ---- the nemesis -----------------------------------------------------------------------------

const CHECKPOINT_FAULTS = ['checkpoint_bitflip', 'checkpoint_truncate', 'checkpoint_zero', 'checkpoint_delete_newest', 'checkpoint_stale', 'wal_corrupt_tail'] as const;
/** The node whose files were damaged, until a restart of it has come and gone: one damaged copy at a time. */
let damaged: { node: string; pid: number | null; at: number } | null = null;
const injected = new Map<string, number>();
const refused = new Map<string, number>();

function nextFault(snapshot: LabSnapshot): { type: string; target: string; attributes?: Record<string, unknown>; durationMs?: number } {
  const target = pick(snapshot.nodes.map((n) => n.id));
  const roll = random();
  if (roll < 0.15) return { type: 'kill', target, attributes: { signal: 'SIGKILL' } };
  if (roll < 0.25) return { type: 'pause', target, durationMs: between(300, 1_500) };
  if (roll < 0.4) return { type: 'partition', target, attributes: { links: pick(['balancer', 'replication', 'all']) }, durationMs: between(300, 1_500) };
  if (roll < 0.5) return { type: 'latency', target, attributes: { latency: between(10, 200), jitter: between(0, 20) }, durationMs: between(500, 2_000) };
  if (roll < 0.6) return { type: 'http_error', target, attributes: { status: 503, share: 0.3 }, durationMs: between(500, 1_500) };
  if (roll < 0.7) return { type: 'restart', target, attributes: { graceMs: 500 } };
  if (roll < 0.85) {
    // Damage one copy at a time, and make it count: the kill that follows restarts the node from it.
    const node = damaged?.node ?? target;
    return { type: pick(CHECKPOINT_FAULTS), target: node };
  }
  return { type: 'kill', target: damaged?.node ?? target, attributes: { signal: 'SIGKILL' } };
}

async function injectOne(): Promise<void> {
  const snapshot = await state();
  if (damaged) {
    const node = snapshot.nodes.find((n) => n.id === damaged?.node);
    // The damaged node has restarted since (a new process read its files) and a while has passed: the next may be damaged.
    if (node && node.pid !== damaged.pid && node.status === 'ready' && performance.now() - damaged.at > 5_000) damaged = null;
  }
  const fault = nextFault(snapshot);
  if (fault.type.startsWith('checkpoint_') || fault.type.startsWith('wal_')) {
    if (damaged && damaged.node !== fault.target) return;
    const pid = snapshot.nodes.find((n) => n.id === fault.target)?.pid ?? null;
    damaged = { node: fault.target, pid, at: performance.now() };
  }
  try {
    await call<FaultRecord>('fault.inject', fault);
    injected.set(fault.type, (injected.get(fault.type) ?? 0) + 1);
  } catch (error) {
    // A node that is not running cannot be paused: the lab refuses and says why; count it, go on.
    refused.set(fault.type, (refused.get(fault.type) ?? 0) + 1);
    if (process.env.SOAK_VERBOSE) console.error(`  refused: ${(error as Error).message}`);
  }
}

// ---- the run ---------------------------------------------------------------------------------

interface Sample {
  minute: number;
  engine: ProcInfo;
  nodes: ProcInfo[];
  others: ProcInfo[];
  ledger: LedgerCounts | string;
}

async function sample(minute: number, enginePid: number): Promise<Sample> {
  const snapshot = await state();
  const procs = descendants(enginePid);
  const engine = procs.find((p) => p.pid === enginePid) as ProcInfo;
  const nodePids = new Set(snapshot.nodes.map((n) => n.pid).filter((p): p is number => p !== null));
  let ledger: LedgerCounts | string;
  try {
    ledger = await call<LedgerCounts>('ledger.check');
  } catch (error) {
    ledger = (error as Error).message.slice(0, 80);
  }
  return {
    minute,
    engine,
    nodes: procs.filter((p) => nodePids.has(p.pid)),
    others: procs.filter((p) => p.pid !== enginePid && !nodePids.has(p.pid)),
    ledger,
  };
}

function printSample(s: Sample): void {
  const nodes = s.nodes.map((p) => `pid ${p.pid} ${mib(p.rssKiB)} ${p.fds} fds`).join(', ');
  const others = s.others.map((p) => `pid ${p.pid} ${mib(p.rssKiB)} ${p.fds} fds`).join(', ');
  const ledger = typeof s.ledger === 'string' ? `ledger: ${s.ledger}` : `ledger: ${s.ledger.acked} acked, ${s.ledger.lost} lost, ${s.ledger.stale} stale`;
  console.log(`[${String(s.minute).padStart(3)} min] engine ${mib(s.engine.rssKiB)} ${s.engine.fds} fds | nodes: ${nodes} | other: ${others} | ${ledger}`);
}

const runDir = mkdtempSync(join(tmpdir(), 'fd-soak-'));
const reportsDir = join(runDir, 'reports');
console.log(`Firedrill soak — ${new Date().toISOString()} — ${minutes} min, seed ${seed}, ${rate} req/s half writes, a fault every ${everyMs} ms`);
const lab: RunningLab = await startServe(['--run-dir', join(runDir, 'lab'), '--reports-dir', reportsDir]);
const enginePid = lab.child.pid as number;
lab.child.stderr?.on('data', () => undefined);
let exitCode = 0;
try {
  await call('topology.set', { kind: 'hot-standby', replication: 'sync', server: { checkpointIntervalMs: 2_000, keep: 3 } });
  const totalMs = minutes * 60_000;
  const started = performance.now();
  const trafficChunkMs = 30 * 60_000;
  let trafficUntil = 0;
  const samples: Sample[] = [];
  let nextSampleAt = started + 60_000;
  let nextFaultAt = started + everyMs;
  samples.push(await sample(0, enginePid));
  printSample(samples[0] as Sample);
  while (performance.now() - started < totalMs) {
    const t = performance.now();
    if (t >= trafficUntil - 1_000) {
      const chunk = Math.min(trafficChunkMs, totalMs - (t - started) + 5_000);
      await call('traffic.stop').catch(() => undefined);
      await call('traffic.start', { rate, readShare: 0.5, durationMs: Math.max(1_000, Math.round(chunk)), seed: seed + samples.length });
      trafficUntil = t + chunk;
    }
    if (t >= nextFaultAt) {
      await injectOne();
      nextFaultAt += everyMs;
    }
    if (t >= nextSampleAt) {
      const s = await sample(Math.round((t - started) / 60_000), enginePid);
      samples.push(s);
      printSample(s);
      nextSampleAt += 60_000;
    }
    await sleep(50);
  }

  // Heal: take every fault back, let the lab settle, then judge.
  await call('fault.halt');
  await call('traffic.stop');
  const settleDeadline = performance.now() + 30_000;
  let settled: LabSnapshot = await state();
  while (performance.now() < settleDeadline) {
    settled = await state();
    const allReady = settled.nodes.every((n) => n.status === 'ready');
    const openIncidents = settled.incidents.filter((i) => i.open).length;
    if (allReady && openIncidents === 0) break;
    await sleep(200);
  }
  let finalLedger: LedgerCounts | null = null;
  for (let i = 0; i < 50 && !finalLedger; i++) {
    finalLedger = await call<LedgerCounts>('ledger.check').catch(() => null);
    if (!finalLedger) await sleep(200);
  }
  const last = await sample(Math.round((performance.now() - started) / 60_000), enginePid);
  samples.push(last);
  printSample(last);

  const activeFaults = settled.faults.filter((f) => f.status === 'active');
  const procs = descendants(enginePid);
  const knownPids = new Set(settled.nodes.map((n) => n.pid).filter((p): p is number => p !== null));
  const stopped = procs.filter((p) => p.state === 'T' || p.state === 't');
  const strangers = processesUsing(join(runDir, 'lab')).filter((p) => !knownPids.has(p.pid) && p.pid !== enginePid);
  const baseline = samples.find((s) => s.minute >= 5) ?? samples[0];
  const growth = baseline ? (last.engine.rssKiB - baseline.engine.rssKiB) / baseline.engine.rssKiB : 0;
  const fdGrowth = baseline ? last.engine.fds - baseline.engine.fds : 0;
  const midLosses = samples.filter((s) => typeof s.ledger !== 'string' && s.ledger.lost > 0).length;

  const rows: Array<[string, string, string, boolean]> = [
    ['faults injected', [...injected].map(([k, v]) => `${k} ${v}`).join(', '), '', true],
    ['faults the lab refused (node not running, …)', [...refused].map(([k, v]) => `${k} ${v}`).join(', ') || '0', '', true],
    ['engine RSS after 5 min → end', baseline ? `${mib(baseline.engine.rssKiB)} → ${mib(last.engine.rssKiB)} (${(growth * 100).toFixed(1)} %)` : 'n/a', '< 20 %', growth < 0.2],
    ['engine descriptors after 5 min → end', baseline ? `${baseline.engine.fds} → ${last.engine.fds}` : 'n/a', 'flat (± 10)', Math.abs(fdGrowth) <= 10],
    ['acknowledged writes lost (final check)', finalLedger ? `${finalLedger.lost} of ${finalLedger.acked} (stale ${finalLedger.stale})` : 'no check possible', '0', finalLedger !== null && finalLedger.lost === 0],
    ['minute checks that saw a loss', `${midLosses} of ${samples.length}`, '0', midLosses === 0],
    ['faults left active after halt', String(activeFaults.length), '0', activeFaults.length === 0],
    ['processes left stopped (SIGSTOP)', stopped.map((p) => `${p.pid}`).join(', ') || '0', '0', stopped.length === 0],
    ['processes on the run folder unknown to the lab', strangers.map((p) => `${p.pid} ${p.cmdline.slice(0, 60)}`).join('; ') || '0', '0', strangers.length === 0],
    ['nodes ready at the end', settled.nodes.map((n) => `${n.id} ${n.status}`).join(', '), 'all ready', settled.nodes.every((n) => n.status === 'ready')],
    ['incidents', `${settled.incidents.length} (${settled.incidents.filter((i) => i.open).length} open)`, '0 open', settled.incidents.every((i) => !i.open)],
  ];
  console.log('\n| figure | measured | target | met |\n|---|---|---|---|');
  for (const [figure, value, target, met] of rows) {
    console.log(`| ${figure} | ${value} | ${target} | ${target === '' ? '' : met ? 'yes' : '**no**'} |`);
    if (target !== '' && !met) exitCode = 1;
  }
} catch (error) {
  console.error(`soak: ${(error as Error).stack ?? String(error)}`);
  console.error(lab.stderr().slice(-2_000));
  exitCode = 1;
} finally {
  await stopProcess(lab.child, 'SIGTERM', 15_000);
  await rm(runDir, { recursive: true, force: true });
}
process.exit(exitCode);
