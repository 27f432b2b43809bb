// A Jepsen-style nemesis for the lab's hot standby: seeded schedules of kills (SIGKILL), pauses
// (SIGSTOP until reverted), partitions (the lab's own `partition` fault, balancer or replication
// link) and restarts, on both nodes in any order, under the real traffic generator and write
// ledger. After each schedule: heal everything, wait for the pair to be whole again, and read every
// acknowledged write back. Driven through the lab's contract only, as any client would.
// Used by test/integration/nemesis/nemesis.test.ts (20 schedules) and bench/nemesis.bench.ts (200).
import type { FaultInject, LabSnapshot, LedgerCounts, TimelineEvent } from '../../../shared/contract/index.js';
import { mulberry32 } from '../../../electron/engine/random.js';
import { startLab, type LabUnderTest } from '../../support/lab-client.js';
import { sleep } from '../../../shared/sleep.js';

export type NemesisMode = 'sync' | 'sync-degradable';

export interface NemesisOptions {
  replication: NemesisMode;
  seed: number;
  schedules: number;
  /** Stop early once this many schedules lost writes (the degradable run only needs to see it happen). */
  stopAfterLosses?: number;
  /** Per schedule, how long the lab may take to be whole again after the heal. */
  recoveryTimeoutMs?: number;
  /**
   * The supervisor's restart backoff (default 50 ms, so nodes come back before the next op). A longer
   * one keeps a killed standby down past the primary's kill, which is what makes degradable lose.
   */
  restartBackoffMs?: number;
  /** Called after each schedule. */
  onSchedule?: (result: ScheduleResult) => void;
}

/** One fault the nemesis tried: on the node in that role at that moment. */
export interface NemesisOp {
  type: 'kill' | 'pause' | 'partition' | 'restart';
  role: 'primary' | 'standby';
  /** Wait this long before it (ms). */
  afterMs: number;
  links?: 'balancer' | 'replication' | 'all';
  durationMs?: number;
}

export interface ScheduleResult {
  index: number;
  shape: 'standby-then-primary' | 'random';
  /** What was done, e.g. `kill s1(standby) +0ms`; refused ones say so. */
  ops: string[];
  /** Cumulative since the start of the run (the ledger's check after the heal). */
  acked: number;
  lost: number;
  stale: number;
  /** More writes were lost at this check than at the one before. */
  newLoss: boolean;
  /** Writes that got a 503 from a node during this schedule (strict: `standby-unavailable`). */
  failed503: number;
  /** Failovers held: the standby may be behind (the primary restarted in place), or the primary still served. */
  held: number;
  heldServing: number;
  promoted: number;
  promotedBehind: number;
  /** Heal to whole again, and the whole schedule. */
  recoveryMs: number;
  ms: number;
}

export interface NemesisSummary {
  replication: NemesisMode;
  seed: number;
  schedules: ScheduleResult[];
  acked: number;
  /** Lost acknowledged writes at the last check, and the most any check saw. */
  lost: number;
  maxLost: number;
  /** Schedules after which the ledger counted more lost writes than before. */
  schedulesWithLoss: number;
  failed503: number;
  held: number;
  heldServing: number;
  promoted: number;
  promotedBehind: number;
  /** Incidents the lab closed with a ledger count of lost writes > 0. */
  incidentsReportingLoss: number;
  ms: number;
}

/** The schedule of index `i` from a seeded stream: every third is the case that lost writes before strict sync. */
export function scheduleOf(random: () => number, index: number): { shape: ScheduleResult['shape']; ops: NemesisOp[] } {
  const between = (lo: number, hi: number): number => Math.round(lo + random() * (hi - lo));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  if (index % 3 === 0) {
    return {
      shape: 'standby-then-primary',
      ops: [
        { type: 'kill', role: 'standby', afterMs: between(100, 400) },
        { type: pick(['kill', 'kill', 'restart'] as const), role: 'primary', afterMs: between(50, 300) },
      ],
    };
  }
  const ops: NemesisOp[] = [];
  const count = between(2, 4);
  for (let i = 0; i < count; i++) {
    const type = pick(['kill', 'kill', 'pause', 'partition', 'restart'] as const);
    const op: NemesisOp = { type, role: pick(['primary', 'standby'] as const), afterMs: between(50, 700) };
    if (type === 'pause') op.durationMs = between(200, 1_200);
    if (type === 'partition') {
      op.links = pick(['balancer', 'replication', 'all'] as const);
      op.durationMs = between(200, 1_200);
    }
    ops.push(op);
  }
  return { shape: 'random', ops };
}

/** Sum of `firedrill_requests_total{node=~"p1|s1",code="503"}`: 503s answered by a node (not the balancer's own). */
function node503s(exposition: string): number {
  let total = 0;
  for (const line of exposition.split('\n')) {
    const m = /^firedrill_requests_total\{([^}]*)\} (\d+)/.exec(line);
    if (!m) continue;
    const labels = m[1] as string;
    if (/code="503"/.test(labels) && /node="(p1|s1)"/.test(labels)) total += Number(m[2]);
  }
  return total;
}

function count(timeline: readonly TimelineEvent[], from: number, kind: string, match: (e: TimelineEvent) => boolean = () => true): number {
  let n = 0;
  for (let i = from; i < timeline.length; i++) if (timeline[i]?.kind === kind && match(timeline[i] as TimelineEvent)) n++;
  return n;
}

/** Whole again: both nodes ready, the primary alone in the balancer and in rotation, the standby caught up (in sync). */
function whole(state: LabSnapshot, timeline: readonly TimelineEvent[]): boolean {
  if (state.nodes.length !== 2 || !state.nodes.every((n) => n.status === 'ready')) return false;
  const up = state.balancer.upstreams;
  if (up.length !== 1 || up[0]?.state !== 'in-rotation') return false;
  if (state.nodes.find((n) => n.id === up[0]?.id)?.role !== 'primary') return false;
  if (state.faults.some((f) => f.status === 'active')) return false;
  const last = [...timeline].reverse().find((e) => e.kind === 'standby.in-sync' || e.kind === 'standby.behind');
  return last?.kind === 'standby.in-sync';
}

async function waitWhole(lab: LabUnderTest, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const state = await lab.state();
    if (whole(state, lab.timeline)) return;
    if (performance.now() > deadline) {
      const nodes = state.nodes.map((n) => `${n.id} ${n.role} ${n.status}`).join(', ');
      const up = state.balancer.upstreams.map((u) => `${u.id} ${u.state}`).join(', ');
      const recent = lab.timeline.slice(-25).map((e) => `${e.kind}${e.nodeId ? ` ${e.nodeId}` : ''}`).join(' · ');
      const primary = state.nodes.find((n) => n.role === 'primary');
      const replication = primary ? await fetch(`http://127.0.0.1:${primary.port}/status`).then(async (r) => JSON.stringify(((await r.json()) as { replication: unknown }).replication), (e: Error) => e.message) : 'no primary';
      const pids = state.nodes.map((n) => `${n.id} pid ${n.pid}`).join(', ');
      const logs = primary ? (await lab.client.request('node.logs', { id: primary.id, limit: 12 })).lines.map((l) => l.text).join('\n') : '';
      throw new Error(`the lab was not whole ${timeoutMs} ms after the heal: nodes ${nodes} (${pids}); upstreams ${up || 'none'}; primary's replication ${replication}; timeline … ${recent}; primary's last lines:\n${logs}`);
    }
    await sleep(50);
  }
}

async function check(lab: LabUnderTest): Promise<LedgerCounts> {
  for (let i = 0; ; i++) {
    try {
      return await lab.client.request('ledger.check', {});
    } catch (error) {
      if (i >= 50) throw error;
      await sleep(100);
    }
  }
}

/** Runs one nemesis: a fresh lab in hot standby with `replication`, traffic all along, `schedules` schedules. */
export async function runNemesis(options: NemesisOptions): Promise<NemesisSummary> {
  const random = mulberry32(options.seed);
  const started = performance.now();
  const lab = await startLab({
    topology: {
      kind: 'hot-standby',
      replication: options.replication,
      // Quick restarts, and no crash-loop verdict: the nemesis kills nodes soon after they start on purpose.
      restart: { backoffInitialMs: options.restartBackoffMs ?? 50, backoffMaxMs: Math.max(200, options.restartBackoffMs ?? 0), crashLoopAfter: 100 },
    },
  });
  const results: ScheduleResult[] = [];
  let maxLost = 0;
  try {
    await waitWhole(lab, 15_000);
    // Many keys: a lost write is not hidden by a later write of the same key before the check.
    await lab.client.request('traffic.start', { rate: 100, readShare: 0.5, keys: 50_000, durationMs: 3_600_000, timeoutMs: 3_000, seed: options.seed });
    await sleep(300);
    for (let index = 0; index < options.schedules; index++) {
      const scheduleStarted = performance.now();
      const timelineFrom = lab.timeline.length;
      const before503 = node503s((await lab.lab.metricsExposition()).body);
      const { shape, ops } = scheduleOf(random, index);
      const done: string[] = [];
      for (const op of ops) {
        await sleep(op.afterMs);
        const state = await lab.state();
        const target = state.nodes.find((n) => n.role === op.role)?.id ?? (op.role === 'primary' ? 'p1' : 's1');
        const fault: { type: FaultInject['type']; target: string; attributes?: Record<string, unknown>; durationMs?: number } = { type: op.type, target };
        if (op.type === 'kill') fault.attributes = { signal: 'SIGKILL' };
        if (op.type === 'restart') fault.attributes = { graceMs: 300 };
        if (op.type === 'partition') fault.attributes = { links: op.links ?? 'all' };
        if (op.durationMs !== undefined) fault.durationMs = op.durationMs;
        const label = `${op.type}${op.links ? `(${op.links})` : ''} ${target}(${op.role}) +${op.afterMs}ms`;
        try {
          await lab.client.request('fault.inject', fault);
          done.push(label);
        } catch (error) {
          // A node that is not running cannot be paused or killed: the lab says so; the schedule goes on.
          done.push(`${label} refused: ${(error as Error).message.slice(0, 60)}`);
        }
      }
      await sleep(300);
      const healedAt = performance.now();
      await lab.client.request('fault.halt', {});
      await waitWhole(lab, options.recoveryTimeoutMs ?? 25_000);
      const recoveryMs = performance.now() - healedAt;
      const ledger = await check(lab);
      const newLoss = ledger.lost > (results.at(-1)?.lost ?? 0);
      maxLost = Math.max(maxLost, ledger.lost);
      const result: ScheduleResult = {
        index,
        shape,
        ops: done,
        acked: ledger.acked,
        lost: ledger.lost,
        stale: ledger.stale,
        newLoss,
        failed503: node503s((await lab.lab.metricsExposition()).body) - before503,
        held: count(lab.timeline, timelineFrom, 'failover.held', (e) => e.detail.reason === 'standby-behind'),
        heldServing: count(lab.timeline, timelineFrom, 'failover.held', (e) => e.detail.reason === 'primary-serving'),
        promoted: count(lab.timeline, timelineFrom, 'failover.promoted'),
        promotedBehind: count(lab.timeline, timelineFrom, 'failover.promoted-behind'),
        recoveryMs: Math.round(recoveryMs),
        ms: Math.round(performance.now() - scheduleStarted),
      };
      results.push(result);
      options.onSchedule?.(result);
      if (options.stopAfterLosses !== undefined && results.filter((r) => r.newLoss).length >= options.stopAfterLosses) break;
    }
    await lab.client.request('traffic.stop', {});
    const final = await check(lab);
    maxLost = Math.max(maxLost, final.lost);
    // The lab's own report of the cost: incidents closed with a ledger count.
    await sleep(500);
    const incidentsReportingLoss = [...lab.incidents.values()].filter((i) => (i.lostWrites ?? 0) > 0).length;
    const sum = (key: 'failed503' | 'held' | 'heldServing' | 'promoted' | 'promotedBehind'): number => results.reduce((a, r) => a + r[key], 0);
    return {
      replication: options.replication,
      seed: options.seed,
      schedules: results,
      acked: final.acked,
      lost: final.lost,
      maxLost,
      schedulesWithLoss: results.filter((r) => r.newLoss).length,
      failed503: sum('failed503'),
      held: sum('held'),
      heldServing: sum('heldServing'),
      promoted: sum('promoted'),
      promotedBehind: sum('promotedBehind'),
      incidentsReportingLoss,
      ms: Math.round(performance.now() - started),
    };
  } finally {
    await lab.client.request('fault.halt', {}).catch(() => undefined);
    await lab.close();
  }
}

export function formatSchedule(r: ScheduleResult): string {
  return `#${String(r.index).padStart(3)} ${r.shape.padEnd(20)} acked ${String(r.acked).padStart(6)} lost ${r.lost} stale ${r.stale} | 503 ${String(r.failed503).padStart(4)} held ${r.held}+${r.heldServing} promoted ${r.promoted} behind ${r.promotedBehind} | healed in ${r.recoveryMs} ms, ${r.ms} ms | ${r.ops.join(', ')}`;
}
