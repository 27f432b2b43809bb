// Replay figures (issue 13): a 30-minute recording of 64 nodes at 10 Hz (a metrics tick every 100 ms,
// a node change and a timeline event every 5 s, a keyframe every 10 s), built by the real
// LabRecording on a synthetic clock; then what recording costs per event, what the recording weighs,
// and what the replayer costs: stateAt at random instants (a scrubber's jump), a drag (small steps
// forward), frame-by-frame stepping and 1/10x playback; and the renderer's share of a replay frame
// (the charts' ticks refilled after a jump, fed forward on a drag or in playback). The scrubber
// needs >= 30 frames per second.
// Standalone: node --import tsx bench/replay.bench.ts
import { pathToFileURL } from 'node:url';
import { ReplayCursor, stateAt } from '../shared/replay/replay';
import { SyntheticLab, syntheticTick } from '../test/support/synthetic-lab';
import { percentile, type BenchRow } from './stats';

const NODES = 64;
const MINUTES = 30;

function timeEach(times: number, action: (i: number) => void): number[] {
  const out: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    action(i);
    out.push(performance.now() - started);
  }
  return out;
}

const ms = (v: number) => `${v.toFixed(2)} ms`;

export async function run(): Promise<BenchRow[]> {
  const ids = Array.from({ length: NODES }, (_, i) => `n${i}`);
  const heapBefore = process.memoryUsage().heapUsed;
  const lab = new SyntheticLab(ids, { maxBytes: 2 ** 30, maxStretchBytes: 2 ** 30 });
  const built = performance.now();
  lab.run(MINUTES);
  const buildMs = performance.now() - built;
  const recording = lab.recording.get();
  const stats = lab.recording.stats();
  const heapMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;

  // Recording cost alone: 64-node ticks into a fresh recording.
  const fresh = new SyntheticLab(ids);
  const ticks = Array.from({ length: 20_000 }, (_, i) => syntheticTick(fresh.t + i * 100, ids));
  const recStarted = performance.now();
  for (const tick of ticks) fresh.recording.record('metrics.tick', tick);
  const usPerTick = ((performance.now() - recStarted) * 1000) / ticks.length;

  const span = recording.endedAt - recording.startedAt;
  let seed = 7;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const jumps = timeEach(300, () => stateAt(recording, recording.startedAt + random() * span));
  const cursor = new ReplayCursor(recording, recording.startedAt);
  const drag = timeEach(900, (i) => cursor.seek(recording.startedAt + i * 2_000));
  const stepper = new ReplayCursor(recording, recording.startedAt);
  const stepStarted = performance.now();
  let frames = 0;
  while (stepper.next()) frames++;
  const usPerFrame = ((performance.now() - stepStarted) * 1000) / frames;
  const player = new ReplayCursor(recording, recording.startedAt + span / 2);
  const tenth = timeEach(3_000, () => player.advance(100 / 10)); // 1/10x at 10 frames/s of screen
  const ui = await rendererFrames(recording, random);

  return [
    { figure: `recording: cost per 64-node metrics tick`, value: `${usPerTick.toFixed(2)} µs`, note: '20 000 ticks; size estimated by sampling' },
    { figure: `recording: ${MINUTES} min of ${NODES} nodes at 10 Hz`, value: `${(stats.bytes / 2 ** 20).toFixed(0)} MiB (est. JSON)`, note: `${stats.entries} entries, ${stats.segments} keyframes; heap +${heapMiB.toFixed(0)} MiB; built in ${(buildMs / 1000).toFixed(1)} s` },
    { figure: 'replay: stateAt at a random instant (p50 / p99 / max)', value: `${ms(percentile(jumps, 50))} / ${ms(percentile(jumps, 99))} / ${ms(Math.max(...jumps))}`, target: 'p99 ≤ 33 ms (30 frames/s)', note: `${(1000 / percentile(jumps, 99)).toFixed(0)} frames/s at p99` },
    { figure: 'replay: scrubber drag, 2 s steps (p50 / p99)', value: `${ms(percentile(drag, 50))} / ${ms(percentile(drag, 99))}`, target: 'p99 ≤ 33 ms' },
    { figure: 'replay: one frame forward (cursor.next)', value: `${usPerFrame.toFixed(2)} µs`, note: `${frames} frames` },
    { figure: 'replay: 1/10x playback step (p50 / p99)', value: `${ms(percentile(tenth, 50))} / ${ms(percentile(tenth, 99))}` },
    { figure: 'replay mode, a jump: the lab at t (Playback.seek) (p50 / p99)', value: `${ms(percentile(ui.seek, 50))} / ${ms(percentile(ui.seek, 99))}`, target: 'p99 ≤ 33 ms (30 frames/s)', note: 'every frame of a drag; React render not included' },
    { figure: `replay mode, a jump: the charts' minute refilled, ${NODES} nodes (p50 / p99)`, value: `${ms(percentile(ui.refill, 50))} / ${ms(percentile(ui.refill, 99))}`, note: `~620 frames (framesInto: sliding per-node sums written straight into a MetricsRing); at most every 120 ms while dragging (REFILL_EVERY_MS); p99 includes GC of this process's ${MINUTES}-min recording` },
    { figure: 'replay mode, a drag (2 s steps): seek + the new ticks (p50 / p99)', value: `${ms(percentile(ui.drag, 50))} / ${ms(percentile(ui.drag, 99))}`, target: 'p99 ≤ 33 ms' },
    { figure: 'replay mode, 1x playback frame (16 ms): seek + the new ticks (p50 / p99)', value: `${ms(percentile(ui.play, 50))} / ${ms(percentile(ui.play, 99))}` },
  ];
}

/**
 * The renderer's share of a replay frame (renderer/src/replay): Playback.seek, then planTicks and
 * the ticks' frames (framesInto) into a MetricsRing, as the controller feeds the charts.
 * Loaded by a path tsc does not follow (the renderer is type-checked by the web config).
 */
async function rendererFrames(recording: ReturnType<SyntheticLab['recording']['get']>, random: () => number): Promise<{ seek: number[]; refill: number[]; drag: number[]; play: number[] }> {
  const renderer = '../renderer/src/';
  type Plan = { reset: boolean; from: number; to: number };
  const { Playback } = (await import(`${renderer}replay/playback`)) as { Playback: new (r: typeof recording, at: number) => { seek(t: number): { at: number } } };
  const { TickIndex, planTicks } = (await import(`${renderer}replay/tick-window`)) as { TickIndex: new (r: typeof recording) => { ticks: unknown[] }; planTicks: (index: unknown, shown: number, t: number) => Plan };
  type Ring = { clear(): void };
  const { framesInto } = (await import(`${renderer}replay/replay-frames`)) as { framesInto: (ticks: unknown[], from: number, to: number, ring: Ring) => unknown };
  const { MetricsRing } = (await import(`${renderer}metrics/metrics-ring`)) as { MetricsRing: new (capacity: number) => Ring };
  const playback = new Playback(recording, recording.startedAt);
  const index = new TickIndex(recording);
  const ring = new MetricsRing(1_800);
  let shown = -1;
  const frame = (t: number) => {
    const state = playback.seek(t);
    const plan = planTicks(index, shown, state.at);
    if (plan.reset) ring.clear();
    framesInto(index.ticks, plan.from, plan.to, ring);
    if (plan.reset || plan.to >= plan.from) shown = plan.to;
  };
  const span = recording.endedAt - recording.startedAt;
  const seek = timeEach(300, () => playback.seek(recording.startedAt + random() * span));
  const refill = timeEach(100, () => {
    shown = -1;
    frame(recording.startedAt + random() * span);
  });
  frame(recording.startedAt);
  const drag = timeEach(800, (i) => frame(recording.startedAt + (i + 1) * 2_000));
  frame(recording.startedAt + span / 3);
  const play = timeEach(3_000, (i) => frame(recording.startedAt + span / 3 + (i + 1) * 16));
  return { seek, refill, drag, play };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const row of await run()) console.log(`${row.figure}: ${row.value}${row.target ? ` (target ${row.target})` : ''}${row.note ? ` — ${row.note}` : ''}`);
}
