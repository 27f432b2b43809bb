// Kill → recovered, through the whole lab: a primary holding a 10 MiB checkpoint is killed with
// SIGKILL under traffic; the supervisor restarts it, it restores, the balancer's health checks
// readmit it and it serves again. Default supervisor and balancer settings throughout.
// Standalone: node --import tsx bench/recovery.bench.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { labNodeSecret } from '../electron/engine/fleet/node-launch';
import { Lab } from '../electron/engine/lab';
import type { Incident } from '../shared/contract/model';
import type { BenchRow } from './stats';
import { percentile } from './stats';
import { sleep } from '../shared/sleep';

const KILLS = 20;
const TIME_LIMIT_MS = 90_000;
const VALUE = 'x'.repeat(4096);

async function fill(port: number, bytes: number, nodeSecret: string): Promise<void> {
  const keys = Math.ceil(bytes / VALUE.length);
  for (let i = 0; i < keys; i += 32) {
    await Promise.all(
      Array.from({ length: Math.min(32, keys - i) }, (_, j) =>
        fetch(`http://127.0.0.1:${port}/kv/fill-${i + j}`, { method: 'PUT', body: VALUE }).then((r) => r.arrayBuffer()),
      ),
    );
  }
  const res = await fetch(`http://127.0.0.1:${port}/admin/checkpoint`, { method: 'POST', headers: { authorization: `Bearer ${nodeSecret}` } });
  if (!res.ok) throw new Error(`checkpoint failed: ${res.status}`);
}

export async function run(): Promise<BenchRow[]> {
  const runDir = mkdtempSync(join(tmpdir(), 'firedrill-bench-recovery-'));
  const lab = await Lab.create({
    runDir,
    fleet: { name: 'one primary', nodes: [{ id: 'r1', kind: 'bundled', role: 'primary', server: { checkpointIntervalMs: 0, checkpointEveryWrites: 0 } }] },
  });
  const closed = new Map<string, Incident>();
  lab.onEvent((name, payload) => {
    if (name === 'incident.changed' && !(payload as Incident).open) closed.set((payload as Incident).id, payload as Incident);
  });
  const killToRecovered: number[] = [];
  const mttr: number[] = [];
  const restartToRestored: number[] = [];
  let failedRequests = 0;
  const deadline = performance.now() + TIME_LIMIT_MS;
  try {
    const node = () => lab.snapshot().nodes.find((n) => n.id === 'r1');
    await fill(node()?.port as number, 10 * 1024 * 1024, labNodeSecret(runDir));
    await lab.host.call('traffic.start', { rate: 200, durationMs: TIME_LIMIT_MS, readShare: 1, keys: 2_000 });
    for (let k = 0; k < KILLS && performance.now() < deadline; k++) {
      await sleep(2_200); // past the supervisor's quick-failure window: no backoff growth
      const before = closed.size;
      const killedAt = performance.timeOrigin + performance.now();
      process.kill(node()?.pid as number, 'SIGKILL');
      while (closed.size === before && performance.now() < deadline) await sleep(5);
      const incident = [...closed.values()].at(-1);
      if (!incident?.stages.recovered) break;
      killToRecovered.push(incident.stages.recovered - killedAt);
      if (incident.mttrMs !== null) mttr.push(incident.mttrMs);
      if (incident.stages.restarted && incident.stages.restored) restartToRestored.push(incident.stages.restored - incident.stages.restarted);
    }
    await lab.host.call('traffic.stop', {});
    failedRequests = lab.snapshot().traffic.stats?.failed ?? 0;
  } finally {
    await lab.dispose();
    rmSync(runDir, { recursive: true, force: true });
  }
  const n = killToRecovered.length;
  const fmt = (v: number) => v.toFixed(1);
  return [
    {
      figure: `kill -9 → recovered, 10 MiB checkpoint (${n} kills)`,
      value: `p50 ${fmt(percentile(killToRecovered, 50))} ms, p99 ${fmt(percentile(killToRecovered, 99))} ms`,
      target: 'p50 ≤ 300 ms, p99 ≤ 1 s',
      note: 'single primary, default restart backoff (100 ms) and health checks (100 ms, rise 1)',
    },
    { figure: 'incident MTTR (recovered − observed exit)', value: `p50 ${fmt(percentile(mttr, 50))} ms, p99 ${fmt(percentile(mttr, 99))} ms` },
    { figure: 'restart → restored (spawn, restore 10 MiB, ready)', value: `p50 ${fmt(percentile(restartToRestored, 50))} ms` },
    { figure: 'failed requests while the only node was down', value: String(failedRequests), note: 'expected: one node, nothing to fail over to' },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const row of await run()) console.log(`${row.figure}: ${row.value}${row.target ? ` (target ${row.target})` : ''}`);
}
