// Fault layer figures: how long one halt takes with 10 faults active (3 pauses, a crash-loop, 3
// network and 3 HTTP faults on stub ports), and how long injecting a pause takes (journal fsync +
// SIGSTOP). Standalone: node --import tsx bench/faults.bench.ts
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { serverEntry } from '../electron/engine/app-paths';
import { FaultRegistry } from '../electron/engine/faults/index';
import { FleetSupervisor } from '../electron/engine/fleet/index';
import type { FleetSpec, FleetSpecInput } from '../shared/contract/model';
import { percentile } from './stats';
import { faultSpec } from '../test/support/fault-spec';

interface Row {
  figure: string;
  value: string;
  target?: string;
  note?: string;
}

const ROUNDS = 20;
const TIME_LIMIT_MS = 40_000;

function stateOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

export async function run(): Promise<Row[]> {
  if (process.platform === 'win32') return [{ figure: 'faults', value: 'skipped', note: 'pause needs SIGSTOP (not on Windows)' }];
  const bundled = existsSync(serverEntry());
  const runDir = mkdtempSync(join(tmpdir(), 'firedrill-bench-faults-'));
  const fleet = new FleetSupervisor({ runDir, listener: { onNodeChanged: () => {}, onLogs: () => {}, onTimeline: () => {} } });
  const stub = { apply: () => {}, revert: () => {} };
  const registry = new FaultRegistry({ runDir, fleet, network: stub, http: stub, listener: { onTimeline: () => {}, onChanged: () => {} } });
  const ids = ['b1', 'b2', 'b3', 'b4'];
  const spec: FleetSpecInput = {
    nodes: ids.map((id) =>
      bundled
        ? { id, kind: 'bundled' as const, role: 'stateless' as const }
        : { id, kind: 'command' as const, command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] },
    ),
  };
  const halts: number[] = [];
  const thawed: number[] = [];
  const pauses: number[] = [];
  const deadline = performance.now() + TIME_LIMIT_MS;
  try {
    await fleet.start(spec as FleetSpec);
    const pids = ids.map((id) => fleet.node(id)?.pid as number);
    for (let round = 0; round < ROUNDS && performance.now() < deadline; round++) {
      for (const target of ['b1', 'b2', 'b3']) {
        const t0 = performance.now();
        await registry.inject(faultSpec({ type: 'pause', target }));
        pauses.push(performance.now() - t0);
      }
      await Promise.all([
        registry.inject(faultSpec({ type: 'crash-loop', target: 'b4', attributes: { afterMs: 60_000 } })),
        registry.inject(faultSpec({ type: 'latency', target: 'b1', attributes: { latency: 100 } })),
        registry.inject(faultSpec({ type: 'bandwidth', target: 'b2', attributes: { rate: 10 } })),
        registry.inject(faultSpec({ type: 'partition', target: 'b3' })),
        registry.inject(faultSpec({ type: 'http_error', target: 'b1' })),
        registry.inject(faultSpec({ type: 'http_abort', target: 'b2' })),
        registry.inject(faultSpec({ type: 'http_error', target: 'b4', durationMs: 60_000 })),
      ]);
      const t0 = performance.now();
      const { reverted, ms } = await registry.halt();
      if (reverted !== 10) throw new Error(`halt reverted ${reverted} faults, expected 10`);
      halts.push(ms);
      // Until /proc shows every frozen process running again.
      while (pids.slice(0, 3).some((pid) => stateOf(pid) === 'T')) await new Promise((resolve) => setImmediate(resolve));
      thawed.push(performance.now() - t0);
    }
  } finally {
    await registry.dispose();
    await fleet.dispose(500);
    rmSync(runDir, { recursive: true, force: true });
  }
  const f = (n: number) => `${n.toFixed(2)} ms`;
  const note = `${halts.length} rounds, 4 ${bundled ? 'bundled servers' : 'idle command nodes'}`;
  return [
    { figure: 'halt, 10 faults active (p50)', value: f(percentile(halts, 50)), target: '≤ 200 ms', note },
    { figure: 'halt, 10 faults active (max)', value: f(Math.max(...halts)), target: '≤ 200 ms', note },
    { figure: 'halt → every paused pid running in /proc (max)', value: f(Math.max(...thawed)), note: '3 pauses among the 10' },
    { figure: 'inject pause (p50)', value: f(percentile(pauses, 50)), note: `journal fdatasync + SIGSTOP; ${pauses.length} injections` },
    { figure: 'inject pause (max)', value: f(Math.max(...pauses)) },
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const row of await run()) console.log(`${row.figure}: ${row.value}${row.target ? ` (target ${row.target})` : ''}${row.note ? ` — ${row.note}` : ''}`);
}
