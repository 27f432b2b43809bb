// Fleet supervisor figures: how fast a kill -9 from outside is seen, and how fast the node is back.
// Standalone: node --import tsx bench/fleet.bench.ts
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { serverEntry } from '../electron/engine/app-paths';
import { now } from '../electron/engine/clock';
import { FleetSupervisor } from '../electron/engine/fleet/index';
import type { FleetSpec, FleetSpecInput } from '../shared/contract/model';
import { percentile } from './stats';
import { sleep } from '../shared/sleep';

interface Row {
  figure: string;
  value: string;
  target?: string;
  note?: string;
}

const KILLS = 40;
const NODES = 3;
const TIME_LIMIT_MS = 60_000;

type Waiter = { pid: number; resolve: (at: number) => void };

export async function run(): Promise<Row[]> {
  const bundled = existsSync(serverEntry());
  const runDir = mkdtempSync(join(tmpdir(), 'firedrill-bench-fleet-'));
  const exitWaiters: Waiter[] = [];
  const settle = (waiters: Waiter[], pid: unknown, at: number): void => {
    const i = waiters.findIndex((w) => w.pid === pid);
    if (i >= 0) waiters.splice(i, 1)[0]?.resolve(at);
  };
  const fleet = new FleetSupervisor({
    runDir,
    listener: {
      onNodeChanged: () => {},
      onLogs: () => {},
      onTimeline: (e) => {
        if (e.kind === 'node.exited') settle(exitWaiters, e.detail?.pid, e.at);
      },
    },
  });
  const restart = { policy: 'always' as const, backoffInitialMs: 0, backoffMaxMs: 0, quickFailureMs: 0, crashLoopAfter: 100 };
  const ids = Array.from({ length: NODES }, (_, i) => `bench-${i + 1}`);
  const spec: FleetSpecInput = {
    restart,
    nodes: ids.map((id) =>
      bundled
        ? { id, kind: 'bundled' as const, role: 'stateless' as const }
        : { id, kind: 'command' as const, command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] },
    ),
  };

  const detect: number[] = [];
  const recover: number[] = [];
  const deadline = performance.now() + TIME_LIMIT_MS;
  try {
    await fleet.start(spec as FleetSpec);
    for (let k = 0; k < KILLS && performance.now() < deadline; k++) {
      const id = ids[k % NODES] as string;
      const node = await waitReady(fleet, id, deadline);
      if (!node) break;
      const pid = node;
      // Let the fresh server finish its boot work so the kill lands on a settled process.
      await sleep(30);
      const exited = new Promise<number>((resolve) => exitWaiters.push({ pid, resolve }));
      const killedAt = now();
      process.kill(pid, 'SIGKILL');
      const exitAt = await exited;
      detect.push(exitAt - killedAt);
      const back = await waitReady(fleet, id, deadline);
      const readyAt = fleet.node(id)?.readyAt;
      if (back && readyAt) recover.push(readyAt - killedAt);
    }
  } finally {
    await fleet.dispose(1000);
    rmSync(runDir, { recursive: true, force: true });
  }

  const kind = bundled ? 'bundled server nodes' : 'command nodes (out/server missing)';
  return [
    { figure: 'kill -9 → node.exited, p50', value: ms(percentile(detect, 50)), target: '≤ 10 ms', note: `${detect.length} kills, ${kind}` },
    { figure: 'kill -9 → node.exited, p99', value: ms(percentile(detect, 99)), note: `max ${ms(Math.max(...detect))}` },
    {
      figure: 'kill -9 → restarted and ready, p50',
      value: ms(percentile(recover, 50)),
      note: `p99 ${ms(percentile(recover, 99))}; backoff 0, readiness polled every 15 ms`,
    },
  ];
}

/** Polls the snapshot until the node is ready with a pid; returns it, or undefined past the deadline. */
async function waitReady(fleet: FleetSupervisor, id: string, deadline: number): Promise<number | undefined> {
  while (performance.now() < deadline) {
    const node = fleet.node(id);
    if (node?.status === 'ready' && node.pid !== null) return node.pid;
    await sleep(5);
  }
  return undefined;
}

function ms(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)} ms` : 'n/a';
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const row of await run()) console.log(`${row.figure}: ${row.value}${row.target ? ` (target ${row.target})` : ''}${row.note ? ` — ${row.note}` : ''}`);
}
