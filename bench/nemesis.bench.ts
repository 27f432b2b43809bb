// The nemesis at length: 200 seeded schedules of kills, pauses, partitions and restarts on both
// nodes of a hot standby with strict `sync` (target: 0 lost acknowledged writes), and the same
// schedule family with `sync-degradable` for comparison (it loses writes; the lab says so).
// `npm run bench -- nemesis`; standalone: node --import tsx bench/nemesis.bench.ts
// Environment: NEMESIS_SCHEDULES, NEMESIS_DEGRADABLE_SCHEDULES, NEMESIS_SEED.
import { pathToFileURL } from 'node:url';
import { formatSchedule, runNemesis, type NemesisSummary } from '../test/integration/nemesis/nemesis';
import type { BenchRow } from './stats';
import { percentile } from './stats';

const STRICT_SCHEDULES = Number(process.env.NEMESIS_SCHEDULES ?? 200);
const DEGRADABLE_SCHEDULES = Number(process.env.NEMESIS_DEGRADABLE_SCHEDULES ?? 30);
const SEED = Number(process.env.NEMESIS_SEED ?? 20_261_104);

function rows(s: NemesisSummary, target: string): BenchRow[] {
  const heal = s.schedules.map((r) => r.recoveryMs);
  const mode = s.replication;
  return [
    {
      figure: `nemesis, ${mode}: lost acknowledged writes`,
      value: `${s.maxLost} (of ${s.acked} acknowledged; ${s.schedulesWithLoss} of ${s.schedules.length} schedules lost more)`,
      target,
      note: `seed ${s.seed}; kills, pauses, partitions, restarts on both nodes; 100 req/s, half writes`,
    },
    { figure: `nemesis, ${mode}: writes failed with 503 by a node`, value: String(s.failed503), note: mode === 'sync' ? 'standby-unavailable: refused, never acknowledged alone' : '' },
    {
      figure: `nemesis, ${mode}: failovers held (standby behind) / held (primary serving) / promoted / promoted behind`,
      value: `${s.held} / ${s.heldServing} / ${s.promoted} / ${s.promotedBehind}`,
      note: `${s.incidentsReportingLoss} incidents closed with lost writes`,
    },
    { figure: `nemesis, ${mode}: heal → whole again (p50 / p99)`, value: `${percentile(heal, 50)} / ${percentile(heal, 99)} ms`, note: `${s.schedules.length} schedules in ${(s.ms / 1000).toFixed(0)} s` },
  ];
}

export async function run(): Promise<BenchRow[]> {
  const print = (r: Parameters<typeof formatSchedule>[0]): void => console.error(formatSchedule(r));
  const strict = await runNemesis({ replication: 'sync', seed: SEED, schedules: STRICT_SCHEDULES, onSchedule: print });
  const degradable = await runNemesis({ replication: 'sync-degradable', seed: SEED, schedules: DEGRADABLE_SCHEDULES, onSchedule: print });
  return [...rows(strict, '0'), ...rows(degradable, '> 0 (the test can fail), reported')];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const row of await run()) console.log(`${row.figure}: ${row.value}${row.target ? ` (target ${row.target})` : ''}${row.note ? ` — ${row.note}` : ''}`);
}
