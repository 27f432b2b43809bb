// No start-up race: 100 consecutive headless runs of the built-in drills (cycling through the
// library, short profile) in one lab, as the drill-library test and a class run them. Each run
// rebuilds the fleet in its drill's topology; the figure is how many runs ended in an error at
// fleet start. Other verdicts are counted and named too. FIREDRILL_BENCH_STARTUP_RUNS overrides 100.
// Standalone: node --import tsx bench/startup.bench.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DrillRunStatus } from '../shared/drill/run';
import { loadLibrary } from '../electron/engine/drills/library';
import { Lab } from '../electron/engine/lab';
import { percentile, type BenchRow } from './stats';

const RUNS = Number(process.env.FIREDRILL_BENCH_STARTUP_RUNS ?? 100);
const RUN_LIMIT_MS = 5 * 60_000;

function runDrill(lab: Lab, id: string): Promise<DrillRunStatus> {
  return new Promise((resolve, reject) => {
    let runId: string | null = null;
    const early: DrillRunStatus[] = [];
    const timer = setTimeout(() => reject(new Error(`drill ${id} gave no verdict in ${RUN_LIMIT_MS} ms`)), RUN_LIMIT_MS);
    const stop = lab.onEvent((name, payload) => {
      if (name !== 'drill.verdict') return;
      if (runId === null) early.push(payload);
      else if (payload.runId === runId) done(payload);
    });
    const done = (status: DrillRunStatus): void => {
      clearTimeout(timer);
      stop();
      resolve(status);
    };
    lab.host.call('drill.run', { id, auto: true, profile: 'short', formats: ['json'] }).then(
      (started) => {
        runId = (started as DrillRunStatus).runId;
        const found = early.find((s) => s.runId === runId);
        if (found) done(found);
      },
      (error: unknown) => {
        clearTimeout(timer);
        stop();
        reject(error);
      },
    );
  });
}

const atFleetStart = (status: DrillRunStatus): boolean => status.verdict === 'error' && /fleet did not start|topology|no port/i.test(status.reason ?? '');

export async function run(): Promise<BenchRow[]> {
  const library = loadLibrary({ builtin: fileURLToPath(new URL('../drills/library', import.meta.url)) });
  if (library.drills.length === 0) return [{ figure: 'headless drill runs: errors at fleet start', value: 'skipped', note: 'no built-in drills found' }];
  const dir = mkdtempSync(join(tmpdir(), 'firedrill-bench-startup-'));
  const lab = await Lab.create({ runDir: join(dir, 'run'), reportsDir: join(dir, 'reports'), topology: { kind: 'active-active', nodes: 3 }, autoStart: false });
  const loadBefore = loadavg()[0] ?? 0;
  const durations: number[] = [];
  const fleetStart: string[] = [];
  const otherErrors: string[] = [];
  const fails: string[] = [];
  const t0 = performance.now();
  try {
    for (let i = 0; i < RUNS; i++) {
      const { spec } = library.drills[i % library.drills.length] as (typeof library.drills)[number];
      const started = performance.now();
      let status: DrillRunStatus;
      try {
        status = await runDrill(lab, spec.id);
      } catch (error) {
        otherErrors.push(`#${i + 1} ${spec.id}: ${(error as Error).message}`);
        continue;
      }
      durations.push(performance.now() - started);
      const line = `#${i + 1} ${spec.id}: ${status.verdict} (${((performance.now() - started) / 1000).toFixed(1)} s)${status.verdict === 'pass' ? '' : ` — ${status.reason ?? ''}`}`;
      console.error(line);
      if (atFleetStart(status)) fleetStart.push(line);
      else if (status.verdict === 'error') otherErrors.push(line);
      else if (status.verdict !== 'pass') fails.push(line);
    }
  } finally {
    await lab.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
  const totalS = (performance.now() - t0) / 1000;
  const load = `load ${loadBefore.toFixed(2)} → ${(loadavg()[0] ?? 0).toFixed(2)}`;
  for (const line of [...fleetStart, ...otherErrors, ...fails]) console.error(`not a pass: ${line}`);
  return [
    {
      figure: 'headless drill runs in one lab: errors at fleet start',
      value: `${fleetStart.length} of ${RUNS}`,
      target: '0',
      note: `${library.drills.length} built-in drills cycled, short profile; ${totalS.toFixed(0)} s in all, p50 ${(percentile(durations, 50) / 1000).toFixed(1)} s a run; ${load}`,
    },
    {
      figure: '… other verdicts than pass',
      value: `${otherErrors.length} error, ${fails.length} fail`,
      note: [...otherErrors, ...fails].slice(0, 3).join('; ') || 'none',
    },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await run();
  for (const row of rows) console.log(`${row.figure}: ${row.value}${row.target ? ` (target ${row.target})` : ''}${row.note ? ` — ${row.note}` : ''}`);
}
