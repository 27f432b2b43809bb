// kill -9 of the primary in hot standby (strict sync) under GET traffic, again and again: how many
// GETs fail, and how long the balancer's failover hold kept requests waiting. The whole lab, default
// settings; each kill waits for the old primary to be back as an in-sync standby first.
// Standalone: node --import tsx bench/failover-hold.bench.ts [kills] [rate] [--no-hold]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Lab } from '../electron/engine/lab';
import type { Incident, TimelineEvent } from '../shared/contract/model';
import { sleep } from '../shared/sleep';
import type { BenchRow } from './stats';
import { percentile } from './stats';

const TIME_LIMIT_MS = 150_000;

export async function run(options: { kills?: number; rate?: number; hold?: boolean } = {}): Promise<BenchRow[]> {
  const kills = options.kills ?? 30;
  const rate = options.rate ?? 500;
  const hold = options.hold ?? true;
  const runDir = mkdtempSync(join(tmpdir(), 'firedrill-bench-hold-'));
  const lab = await Lab.create({ runDir, topology: { kind: 'hot-standby', replication: 'sync' } });
  const timeline: TimelineEvent[] = [];
  const incidentsById = new Map<string, Incident>();
  lab.onEvent((name, payload) => {
    if (name === 'timeline.event') timeline.push(payload as TimelineEvent);
    if (name === 'incident.changed') incidentsById.set((payload as Incident).id, payload as Incident);
  });
  const killed: string[] = [];
  const deadline = performance.now() + TIME_LIMIT_MS;
  const waitUntil = async (what: string, probe: () => boolean): Promise<void> => {
    while (!probe()) {
      if (performance.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
      await sleep(10);
    }
  };
  let stats = lab.snapshot().traffic.stats;
  try {
    if (!hold) await lab.host.call('balancer.set', { failover: { hold: false } });
    await lab.host.call('traffic.start', { rate, durationMs: TIME_LIMIT_MS, readShare: 1, keys: 1_000 });
    for (let k = 0; k < kills && performance.now() < deadline; k++) {
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
    await lab.host.call('traffic.stop', {});
    await sleep(200);
    stats = lab.snapshot().traffic.stats;
  } finally {
    await lab.dispose();
    rmSync(runDir, { recursive: true, force: true });
  }
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

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const numbers = args.filter((a) => /^\d+$/.test(a)).map(Number);
  for (const row of await run({ kills: numbers[0], rate: numbers[1], hold: !args.includes('--no-hold') })) {
    console.log(`${row.figure}: ${row.value}${row.target ? ` (target ${row.target})` : ''}${row.note ? ` — ${row.note}` : ''}`);
  }
}
