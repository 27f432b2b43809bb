// Drill runner and report figures: how far a drill's `wait` steps drift from what is written, how
// long an abort takes to put the lab back (every fault reverted, traffic stopped, report written),
// and how long rendering the report of a ten-minute run takes. Standalone: node --import tsx bench/drills.bench.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DrillRunStatus } from '../shared/drill/run';
import type { DrillSpecInput } from '../shared/drill/schema';
import { renderHtml } from '../shared/report/html';
import { renderJunit } from '../shared/report/junit';
import { renderMarkdown } from '../shared/report/markdown';
import { DrillReport } from '../shared/report/model';
import { Lab } from '../electron/engine/lab';
import { makeReport } from '../test/support/report-fixture';
import { percentile, type BenchRow as Row } from './stats';

const WAITS = 20;
const WAIT_MS = 250;
const ABORTS = 5;

function runDrill(lab: Lab, spec: DrillSpecInput, onStep?: (status: DrillRunStatus) => void): Promise<DrillRunStatus> {
  return new Promise((resolve, reject) => {
    const stop = lab.onEvent((name, payload) => {
      if (name === 'drill.step') onStep?.(payload);
      if (name === 'drill.verdict') {
        stop();
        resolve(payload);
      }
    });
    lab.host.call('drill.run', { spec, auto: true, formats: ['json', 'html'] }).catch(reject);
  });
}

/** A ten-minute run at 10 Hz: the fixture's series stretched to 6,000 ticks. */
function longReport(): DrillReport {
  const base = makeReport();
  const n = 6_000;
  const stretch = (values: readonly number[]): number[] => Array.from({ length: n }, (_, i) => values[i % values.length] as number);
  const perNode = Object.fromEntries(Object.entries(base.series.perNode).map(([id, s]) => [id, { rps: stretch(s.rps), errorsPerSec: stretch(s.errorsPerSec), p99: stretch(s.p99) }]));
  return DrillReport.parse({
    ...base,
    series: {
      tMs: Array.from({ length: n }, (_, i) => i * 100),
      rps: stretch(base.series.rps),
      errorsPerSec: stretch(base.series.errorsPerSec),
      retriesPerSec: stretch(base.series.retriesPerSec),
      p50: stretch(base.series.p50),
      p99: stretch(base.series.p99),
      perNode,
    },
  });
}

function timeIt(fn: () => string, rounds = 5): { ms: number; bytes: number } {
  let bytes = 0;
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    bytes = Buffer.byteLength(fn());
    times.push(performance.now() - t0);
  }
  return { ms: percentile(times, 50), bytes };
}

export async function run(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'fd-bench-drills-'));
  const lab = await Lab.create({ runDir: join(dir, 'run'), reportsDir: join(dir, 'reports'), topology: { kind: 'active-active', nodes: 3 }, autoStart: false });
  const drifts: number[] = [];
  const aborts: number[] = [];
  try {
    // Wait steps at 200 req/s of traffic: actual duration minus the written one.
    const waits: DrillSpecInput = {
      id: 'bench-waits',
      title: 'bench: waits',
      concept: 'active-active',
      summary: 'wait steps under traffic',
      topology: { kind: 'active-active', nodes: 3 },
      traffic: { rate: 200 },
      steps: Array.from({ length: WAITS }, () => ({ wait: WAIT_MS })),
    };
    const status = await runDrill(lab, waits);
    for (const step of status.steps) if (step.startedAtMs !== null && step.endedAtMs !== null) drifts.push(step.endedAtMs - step.startedAtMs - WAIT_MS);

    // Abort with a frozen node and a latency toxic active: drill.abort → drill.verdict (lab put back, report written).
    const long: DrillSpecInput = {
      ...waits,
      id: 'bench-abort',
      steps: [{ fault: { inject: { type: 'pause', target: 'a1' } } }, { fault: { inject: { type: 'latency', target: 'a2', attributes: { latency: 50 } } } }, { wait: 60_000 }],
    };
    for (let i = 0; i < ABORTS; i++) {
      let abortedAt = 0;
      const verdict = runDrill(lab, long, (s) => {
        if (abortedAt === 0 && s.current === 2 && s.steps[2]?.status === 'running') {
          abortedAt = performance.now();
          void lab.host.call('drill.abort', {});
        }
      });
      await verdict;
      aborts.push(performance.now() - abortedAt);
    }
  } finally {
    await lab.dispose();
    rmSync(dir, { recursive: true, force: true });
  }

  const report = longReport();
  const html = timeIt(() => renderHtml(report));
  const md = timeIt(() => renderMarkdown(report));
  const junit = timeIt(() => renderJunit(report));
  const json = timeIt(() => JSON.stringify(report, null, 2));
  const kb = (b: number) => `${(b / 1024).toFixed(0)} KiB`;
  const f = (n: number) => `${n.toFixed(2)} ms`;
  return [
    { figure: `wait step drift under 200 req/s (p50)`, value: f(percentile(drifts, 50)), note: `${drifts.length} waits of ${WAIT_MS} ms` },
    { figure: `wait step drift under 200 req/s (max)`, value: f(Math.max(...drifts)) },
    { figure: 'abort → verdict, 2 faults active (p50)', value: f(percentile(aborts, 50)), note: `${aborts.length} aborts: faults reverted, traffic stopped, balancer restored, report written` },
    { figure: 'abort → verdict, 2 faults active (max)', value: f(Math.max(...aborts)) },
    { figure: 'report of a 10-min run: HTML render', value: f(html.ms), note: `6,000 ticks × 3 nodes; ${kb(html.bytes)}` },
    { figure: 'report of a 10-min run: JSON', value: f(json.ms), note: kb(json.bytes) },
    { figure: 'report of a 10-min run: Markdown / JUnit', value: `${f(md.ms)} / ${f(junit.ms)}`, note: `${kb(md.bytes)} / ${kb(junit.bytes)}` },
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const row of await run()) console.log(`${row.figure}: ${row.value}${row.target ? ` (target ${row.target})` : ''}${row.note ? ` — ${row.note}` : ''}`);
}
