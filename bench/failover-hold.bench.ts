// kill -9 of the primary in hot standby (strict sync) under GET traffic, again and again: how many
// GETs fail, and how long the balancer's failover hold kept requests waiting. The whole lab, default
// settings; each kill waits for the old primary to be back as an in-sync standby first. Then the same
// number of kill -9s in active-active (3 nodes, each in turn; nothing to hold: the others serve).
// Standalone: node --import tsx bench/failover-hold.bench.ts [kills] [rate] [--no-hold] [--only-active-active]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { now } from '../electron/engine/clock';
import { Lab, type LabOptions } from '../electron/engine/lab';
import type { Incident, TimelineEvent, TrafficStats } from '../shared/contract/model';
import { sleep } from '../shared/sleep';
import type { BenchRow } from './stats';
import { percentile } from './stats';

const TIME_LIMIT_MS = 150_000;

export async function run(options: { kills?: number; rate?: number; hold?: boolean; hotStandby?: boolean } = {}): Promise<BenchRow[]> {
  return [...(options.hotStandby === false ? [] : await hotStandby(options)), ...(await activeActive(options))];
}

type Drill = {
  lab: Lab;
  /** Waits (10 ms polls) until `probe` holds; throws past the bench's time limit. */
  waitUntil: (what: string, probe: () => boolean) => Promise<void>;
  /** False once the time limit is reached: no new kill. */
  inTime: () => boolean;
};

/**
 * A lab of `topology` under `rate` GET/s (bounded by TIME_LIMIT_MS) while `kills` runs; the traffic's
 * stats once it stopped. `listen` sees every event; `prepare` runs before the traffic starts.
 */
async function underTraffic(
  topology: LabOptions['topology'],
  rate: number,
  listen: (name: string, payload: unknown) => void,
  kills: (drill: Drill) => Promise<void>,
  prepare?: (lab: Lab) => Promise<void>,
): Promise<TrafficStats | null> {
  const runDir = mkdtempSync(join(tmpdir(), 'firedrill-bench-hold-'));
  const lab = await Lab.create({ runDir, topology });
  lab.onEvent(listen);
  const deadline = performance.now() + TIME_LIMIT_MS;
  const waitUntil = async (what: string, probe: () => boolean): Promise<void> => {
    while (!probe()) {
      if (performance.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
      await sleep(10);
    }
  };
  try {
    await prepare?.(lab);
    await lab.host.call('traffic.start', { rate, durationMs: TIME_LIMIT_MS, readShare: 1, keys: 1_000 });
    await kills({ lab, waitUntil, inTime: () => performance.now() < deadline });
    await lab.host.call('traffic.stop', {});
    await sleep(200);
    return lab.snapshot().traffic.stats;
  } finally {
    await lab.dispose();
    rmSync(runDir, { recursive: true, force: true });
  }
}

async function hotStandby(options: { kills?: number; rate?: number; hold?: boolean }): Promise<BenchRow[]> {
  const kills = options.kills ?? 30;
  const rate = options.rate ?? 500;
  const hold = options.hold ?? true;
  const timeline: TimelineEvent[] = [];
  const incidentsById = new Map<string, Incident>();
  const killed: string[] = [];
  const stats = await underTraffic(
    { kind: 'hot-standby', replication: 'sync' },
    rate,
    (name, payload) => {
      if (name === 'timeline.event') timeline.push(payload as TimelineEvent);
      if (name === 'incident.changed') incidentsById.set((payload as Incident).id, payload as Incident);
    },
    async ({ lab, waitUntil, inTime }) => {
      for (let k = 0; k < kills && inTime(); k++) {
        // The standby in sync (strict sync promotes only then: the last word on it is `standby.in-sync`), both nodes ready.
        const primary = (): string | undefined => lab.snapshot().nodes.find((n) => n.role === 'primary' && n.status === 'ready')?.id;
        await waitUntil('a ready primary and an in-sync standby', () => {
          const lastWord = timeline.findLast((e) => e.kind === 'standby.in-sync' || e.kind === 'standby.behind');
          return primary() !== undefined && lab.snapshot().nodes.every((n) => n.status === 'ready') && lastWord?.kind === 'standby.in-sync';
        });
        // Past the supervisor's quick-failure window: a node killed soon after its start would be backed off, then crash-looped.
        await sleep(2_200);
        const id = primary() as string;
        const pid = lab.snapshot().nodes.find((n) => n.id === id)?.pid as number;
        const outcomes = (): number => timeline.filter((e) => e.kind === 'failover.done' || e.kind === 'failover.held' || e.kind === 'failover.failed').length;
        const before = outcomes();
        process.kill(pid, 'SIGKILL');
        killed.push(id);
        await waitUntil('the failover', () => outcomes() > before);
        await waitUntil('the old primary back', () => lab.snapshot().nodes.every((n) => n.status === 'ready'));
      }
    },
    hold ? undefined : async (lab) => void (await lab.host.call('balancer.set', { failover: { hold: false } })),
  );
  const incidents = [...incidentsById.values()].filter((i) => i.held !== undefined);
  const maxHold = incidents.map((i) => i.held!.maxMs);
  const heldRequests = incidents.reduce((n, i) => n + i.held!.requests, 0);
  const expired = incidents.reduce((n, i) => n + i.held!.expired, 0);
  const refused = incidents.reduce((n, i) => n + i.held!.refusedWrites, 0);
  const mode = hold ? 'hold on' : 'hold off';
  return [
    {
      figure: `hot standby, kill -9 of the primary × ${killed.length} at ${rate} GET/s (${mode}): failed GETs`,
      value: `${stats?.reads.failed ?? '?'} of ${stats?.sent ?? '?'}`,
      target: hold ? '0' : undefined,
      note: `dropped ${stats?.dropped ?? 0}; strict sync, default settings`,
    },
    {
      figure: `failover hold (${mode}): requests held, longest hold per kill`,
      value: heldRequests === 0 ? 'none held' : `${heldRequests} held; longest per kill p50 ${percentile(maxHold, 50).toFixed(1)} ms, p99 ${percentile(maxHold, 99).toFixed(1)} ms`,
      note: `${expired} past the deadline, ${refused} writes refused`,
    },
  ];
}

/** kill -9 of each active-active node in turn under GET traffic: the failed GETs (retries on, as by default). */
async function activeActive(options: { kills?: number; rate?: number }): Promise<BenchRow[]> {
  const kills = options.kills ?? 30;
  const rate = options.rate ?? 500;
  const detectedMs: number[] = [];
  let killedAt = 0;
  let waitingFor: string | null = null;
  let done = 0;
  const stats = await underTraffic(
    { kind: 'active-active', nodes: 3 },
    rate,
    (name, payload) => {
      const e = payload as TimelineEvent;
      if (name === 'timeline.event' && e.kind === 'balancer.detected' && e.nodeId === waitingFor) {
        detectedMs.push(e.at - killedAt);
        waitingFor = null;
      }
    },
    async ({ lab, waitUntil, inTime }) => {
      for (let k = 0; k < kills && inTime(); k++) {
        const allServing = (): boolean => lab.snapshot().nodes.every((n) => n.status === 'ready') && lab.snapshot().balancer.upstreams.every((u) => u.state === 'in-rotation');
        await waitUntil('every node ready and in rotation', allServing);
        // Past the supervisor's quick-failure window (see hotStandby).
        await sleep(2_200);
        const node = lab.snapshot().nodes[k % 3]!;
        const restarts = node.restarts;
        killedAt = now();
        waitingFor = node.id;
        process.kill(node.pid as number, 'SIGKILL');
        done++;
        await waitUntil('the node restarted', () => (lab.snapshot().nodes.find((n) => n.id === node.id)?.restarts ?? 0) > restarts);
      }
      await waitUntil('every node back', () => lab.snapshot().nodes.every((n) => n.status === 'ready'));
    },
  );
  return [
    {
      figure: `active-active (3 nodes), kill -9 of a node × ${done} at ${rate} GET/s: failed GETs`,
      value: `${stats?.reads.failed ?? '?'} of ${stats?.sent ?? '?'}`,
      target: '0',
      note: `dropped ${stats?.dropped ?? 0}; detected p50 ${percentile(detectedMs, 50).toFixed(1)} ms, p99 ${percentile(detectedMs, 99).toFixed(1)} ms (${detectedMs.length} of ${done}); default settings`,
    },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const numbers = args.filter((a) => /^\d+$/.test(a)).map(Number);
  for (const row of await run({ kills: numbers[0], rate: numbers[1], hold: !args.includes('--no-hold'), hotStandby: !args.includes('--only-active-active') })) {
    console.log(`${row.figure}: ${row.value}${row.target ? ` (target ${row.target})` : ''}${row.note ? ` — ${row.note}` : ''}`);
  }
}
