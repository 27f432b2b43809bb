// `npm run bench`: every figure the docs quote, measured in one run on this machine.
import { arch, cpus, release, totalmem } from 'node:os';

import type { BenchRow } from './stats';

export type { BenchRow };

const suites: Array<{ name: string; load: () => Promise<{ run: () => Promise<BenchRow[]> }> }> = [
  { name: 'fleet', load: () => import('./fleet.bench.js') },
  { name: 'orphans', load: () => import('./orphans.bench.js') },
  { name: 'server', load: () => import('./server.bench.js') },
  { name: 'traffic', load: () => import('./traffic.bench.js') },
  { name: 'balancer', load: () => import('./balancer.bench.js') },
  { name: 'recovery', load: () => import('./recovery.bench.js') },
  { name: 'failover-hold', load: () => import('./failover-hold.bench.js') },
  { name: 'responsive', load: () => import('./responsive.bench.js') },
  { name: 'faults', load: () => import('./faults.bench.js') },
  { name: 'fault-proxy', load: () => import('./fault-proxy.bench.js') },
  { name: 'drills', load: () => import('./drills.bench.js') },
  { name: 'startup', load: () => import('./startup.bench.js') },
  { name: 'ui', load: () => import('./ui.bench.js') },
  { name: 'nemesis', load: () => import('./nemesis.bench.js') },
  { name: 'replay', load: () => import('./replay.bench.js') },
];

function printTable(rows: Array<BenchRow & { suite: string }>): void {
  const header = ['suite', 'figure', 'value', 'target', 'note'] as const;
  const cells = rows.map((r) => [r.suite, r.figure, r.value, r.target ?? '', r.note ?? '']);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]) => `| ${c.map((v, i) => v.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const c of cells) console.log(line(c));
}

const only = process.argv.slice(2);
const cpu = cpus()[0]?.model ?? 'unknown cpu';
console.log(`Firedrill bench — ${new Date().toISOString()} — node ${process.version}, ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, linux ${release()} ${arch()}\n`);

const rows: Array<BenchRow & { suite: string }> = [];
for (const suite of suites) {
  if (only.length > 0 && !only.includes(suite.name)) continue;
  const started = Date.now();
  const module = await suite.load();
  for (const row of await module.run()) rows.push({ suite: suite.name, ...row });
  console.error(`(${suite.name}: ${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
printTable(rows);
