// Replay mode: fetches a recording, then shows the lab as it was at any instant of it by feeding
// the store the very actions the live connection uses (applySnapshot, and the metrics feed for the
// charts), while live events are held back at the gate. Going back to live reads the lab again.
import type { MetricsTick } from '../../../shared/contract/model.js';
import { unpackTick, type RecordedTick } from '../../../shared/replay/packed-tick.js';
import type { Recording } from '../../../shared/replay/recording.js';
import type { ReplayState } from '../../../shared/replay/replay.js';
import { messageOf, query } from '../connection/connection.js';
import { framesWritten, metricsRing, pushTick, resetMetrics } from '../metrics/metrics-feed.js';
import { applySnapshot, showToast } from '../store/actions.js';
import { replayInstant, type ReplaySlice, type ReplaySource, type ReplaySpeed } from '../store/replay-slice.js';
import { useStore } from '../store/store.js';
import { openNodeActions } from '../store/ui-actions.js';
import { liveGate } from './live-gate.js';
import { firstFaultAt, incidentMarks } from './marks.js';
import { Playback } from './playback.js';
import { framesInto } from './replay-frames.js';
import { fetchInStretches } from './stretches.js';
import { CHART_WINDOW_MS, planTicks, TickIndex } from './tick-window.js';

/** Where to start: an instant, the first fault's (from `after` on), or the end of the recording. */
export type ReplayStart = { at: number } | { firstFault: { after?: number } } | { end: true };

export type ReplayRequest = {
  source: ReplaySource;
  start: ReplayStart;
  /** Milliseconds before the start instant to begin (1 s before a fault). */
  leadMs?: number;
  play?: boolean;
  speed?: ReplaySpeed;
};

/**
 * Past this much, the live recording is fetched around the instant asked for, not whole: 30 minutes
 * of 64 nodes weigh about 40 MiB as JSON (metrics ticks packed), about 55 MB once parsed.
 */
export const MAX_FETCH_BYTES = 48 * 2 ** 20;

let playback: Playback | null = null;
let ticks: TickIndex | null = null;
let shownTick = -1;
let shown: ReplayState | null = null;
let frame = 0;
/** Bumped by every enter and exit: an answer for an older request is dropped. */
let generation = 0;

/** Sets what changed: the instant in its own store (replayInstant), the rest in the app's store only when some of it moved. */
function patchReplay(patch: Partial<ReplaySlice['replay']> & { at?: number }): void {
  const { at, ...rest } = patch;
  if (at !== undefined && at !== replayInstant.getState().at) replayInstant.setState({ at });
  const current = useStore.getState().replay;
  if ((Object.keys(rest) as Array<keyof typeof rest>).some((key) => current[key] !== rest[key])) useStore.setState((s) => ({ replay: { ...s.replay, ...rest } }));
  const mode = useStore.getState().replay.mode === 'live' ? 'live' : 'replay';
  // Only when it changes: the root's attributes are what every replay style hangs on, and a scrub patches 30 times a second.
  const root = document.documentElement;
  if (root.dataset.mode === mode) return;
  root.classList.toggle('replay', mode === 'replay');
  root.dataset.mode = mode;
}

/** Enters replay (or moves within it, fetching again when the source differs). */
export async function enterReplay(request: ReplayRequest): Promise<void> {
  const mine = ++generation;
  const { replay } = useStore.getState();
  // Within the recording already fetched, no new fetch; the live lab's is fetched again for an instant after its end, or for its end.
  const held = playback?.recording;
  const within = held !== undefined && ('at' in request.start ? request.start.at <= held.endedAt : !('end' in request.start) || request.source.kind === 'report');
  const sameSource = replay.mode === 'replay' && within && sameSourceAs(replay.source, request.source);
  liveGate.close();
  openNodeActions(null);
  if (!sameSource) patchReplay({ mode: 'loading', source: request.source, error: null, playing: false });
  stopLoop();
  try {
    let recording: Recording;
    let clockOffset = replay.clockOffset;
    if (sameSource) {
      recording = playback!.recording;
    } else {
      const fetched = await fetchRecording(request.source, request.start);
      if (mine !== generation) return;
      recording = fetched.recording;
      clockOffset = fetched.clockOffset;
    }
    const marks = incidentMarks(recording);
    const startAt = startInstant(recording, request.start, marks);
    if (startAt === null) throw new Error('the recording holds no fault to start from');
    const at = startAt - (request.leadMs ?? 0);
    if (!sameSource) {
      playback = new Playback(recording, at);
      ticks = new TickIndex(recording);
      shownTick = -1;
      shown = null;
    }
    const player = playback!;
    player.speed = request.speed ?? useStore.getState().replay.speed;
    patchReplay({
      mode: 'replay',
      startedAt: recording.startedAt,
      endedAt: recording.endedAt,
      keyframes: recording.keyframes.map((k) => k.at),
      incidents: marks,
      speed: player.speed as ReplaySpeed,
      clockOffset,
      error: null,
    });
    show(player.seek(at));
    if (request.play) play();
  } catch (error) {
    if (mine !== generation) return;
    const message = messageOf(error);
    showToast(`Replay: ${message}`);
    await backToLive(message);
  }
}

function sameSourceAs(a: ReplaySource | null, b: ReplaySource): boolean {
  return a !== null && a.kind === b.kind && (a.kind === 'live' || (b.kind === 'report' && a.id === b.id));
}

function startInstant(recording: Recording, start: ReplayStart, marks: ReturnType<typeof incidentMarks>): number | null {
  if ('at' in start) return start.at;
  if ('end' in start) return recording.endedAt;
  return firstFaultAt(recording, marks, start.firstFault.after ?? recording.startedAt);
}

/** The live recording (whole, or around the instant when it is heavy), or a report's. */
async function fetchRecording(source: ReplaySource, start: ReplayStart): Promise<{ recording: Recording; clockOffset: number }> {
  if (source.kind === 'report') {
    const whole = await query('report.recording', { id: source.id }).catch(async (error: unknown) => {
      const { report } = await query('report.open', { id: source.id });
      return fetchInStretches(async (from, to) => nonNull((await query('report.recording', { id: source.id, from, to })).recording), report.startedAt, report.endedAt).then(
        (recording) => ({ recording }),
        () => Promise.reject(error instanceof Error ? error : new Error(String(error))),
      );
    });
    // Same machine, same clock: live is as far ahead as this page's now.
    return { recording: nonNull(whole.recording), clockOffset: 0 };
  }
  const info = await query('recording.info', {});
  if (info.startedAt === null) throw new Error('the lab is not recording yet');
  let from = info.startedAt;
  let to = info.endedAt;
  if (info.bytes > MAX_FETCH_BYTES) {
    // Heavy (many nodes): the part of it that weighs MAX_FETCH_BYTES, around the instant asked for.
    const span = ((info.endedAt - info.startedAt) * MAX_FETCH_BYTES) / info.bytes;
    const focus = 'at' in start ? start.at : info.endedAt;
    to = Math.min(info.endedAt, focus + span / 2);
    from = Math.max(info.startedAt, to - span);
  }
  const clockOffset = info.endedAt - Date.now();
  const recording = await fetchInStretches((f, t) => query('recording.get', { from: f, to: t }), from, to);
  return { recording, clockOffset };
}

function nonNull(recording: Recording | null): Recording {
  if (!recording) throw new Error('this report was written without a recording');
  return recording;
}

/** Shows one instant: the lab's state through applySnapshot when any of it changed, and the charts' minute up to it. */
function show(state: ReplayState): void {
  const prev = shown;
  shown = state;
  if (
    !prev ||
    prev.nodes !== state.nodes ||
    prev.balancer !== state.balancer ||
    prev.incidents !== state.incidents ||
    prev.faults !== state.faults ||
    prev.timeline !== state.timeline ||
    prev.traffic !== state.traffic ||
    prev.fleet !== state.fleet ||
    prev.topology !== state.topology
  )
    applySnapshot(state, { replace: true });
  feedTicks(state.at);
  patchReplay({ at: state.at, playing: playback?.playing ?? false });
}

/**
 * A refill of the charts' whole minute costs ~15–35 ms at 64 nodes (bench/replay.bench.ts): while
 * the bar is dragged far, the lab follows every frame and the charts catch up at most this often.
 */
export const REFILL_EVERY_MS = 120;
let lastRefill = -Infinity;
let refillTimer: ReturnType<typeof setTimeout> | undefined;

function feedTicks(at: number): void {
  if (!ticks) return;
  const plan = planTicks(ticks, shownTick, at);
  if (plan.reset) {
    const now = performance.now();
    if (now - lastRefill < REFILL_EVERY_MS) {
      refillTimer ??= setTimeout(() => {
        refillTimer = undefined;
        if (shown) feedTicks(shown.at);
      }, REFILL_EVERY_MS);
      return;
    }
    lastRefill = now;
    // Views hear of it at the next frame, with the refilled minute; told at once only if nothing follows.
    resetMetrics({ tell: plan.to < plan.from });
  }
  framesWritten(framesInto(ticks.ticks, plan.from, plan.to, metricsRing));
  if (plan.reset || plan.to >= plan.from) shownTick = plan.to;
}

function loop(now: number): void {
  frame = 0;
  const player = playback;
  if (!player) return;
  const state = player.frame(now);
  if (state) show(state);
  if (player.playing) frame = requestAnimationFrame(loop);
  else patchReplay({ playing: false });
}

function stopLoop(): void {
  if (frame !== 0) cancelAnimationFrame(frame);
  frame = 0;
  clearTimeout(refillTimer);
  refillTimer = undefined;
}

export function play(): void {
  if (!playback) return;
  show(playback.play(performance.now()));
  stopLoop();
  frame = requestAnimationFrame(loop);
}

export function pause(): void {
  playback?.pause();
  stopLoop();
  patchReplay({ playing: false });
}

export function togglePlay(): void {
  if (playback?.playing) pause();
  else play();
}

export function setSpeed(speed: ReplaySpeed): void {
  if (playback) playback.speed = speed;
  patchReplay({ speed });
}

/** A jump to `t` (the bar clicked or dragged): playback goes on from there if it was playing. */
export function seek(t: number): void {
  if (!playback) return;
  show(playback.seek(t));
}

export function stepForward(): void {
  stopLoop();
  const state = playback?.stepForward();
  if (state) show(state);
  else patchReplay({ playing: false });
}

export function stepBack(): void {
  stopLoop();
  const state = playback?.stepBack();
  if (state) show(state);
  else patchReplay({ playing: false });
}

/**
 * Back to the live lab: the replayed lists are emptied, the gate opens, and `lab.state` is read
 * again (as on connect: events from now on merge into it); the charts get the last minute of live
 * ticks, held while replaying, completed from the recording where they do not reach back far enough.
 */
export async function backToLive(error: string | null = null): Promise<void> {
  const mine = ++generation;
  stopLoop();
  const last = shown;
  playback = null;
  ticks = null;
  shown = null;
  shownTick = -1;
  if (last) applySnapshot({ ...last, incidents: [], faults: [], timeline: [] }, { replace: true });
  liveGate.held = false;
  patchReplay({ mode: 'live', playing: false, source: null, error });
  try {
    const snapshot = await query('lab.state', {});
    if (mine === generation) applySnapshot(snapshot);
  } catch {
    // not connected: the connection reads the lab whole when it comes back
  }
  await refillLiveTicks(mine);
}

async function refillLiveTicks(mine: number): Promise<void> {
  let held = liveGate.takeTicks();
  let before: MetricsTick[] = [];
  const firstAt = held[0]?.at;
  const lastAt = held[held.length - 1]?.at;
  if (firstAt === undefined || lastAt === undefined || lastAt - firstAt < CHART_WINDOW_MS) {
    try {
      const info = await query('recording.info', {});
      const until = firstAt ?? info.endedAt;
      const recording = await query('recording.get', { from: Math.max(info.startedAt ?? until, until - CHART_WINDOW_MS), to: until });
      before = recording.entries.filter((e) => e.event === 'metrics.tick').map((e) => unpackTick(e.payload as RecordedTick));
    } catch {
      // without the recording, the charts start from the ticks held
    }
  }
  if (mine !== generation) return;
  held = [...held, ...liveGate.takeTicks()];
  const heldFrom = held[0]?.at ?? Infinity;
  resetMetrics();
  for (const tick of before) if (tick.at < heldFrom) pushTick(tick);
  for (const tick of held) pushTick(tick);
  liveGate.ticksHeld = false;
}
