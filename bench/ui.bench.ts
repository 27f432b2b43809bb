// UI figures (issues 6 and 13), in Debian's Chromium against `firedrill serve` with 64 active-active nodes (FIREDRILL_BENCH_UI_NODES),
// 10 Hz metrics and traffic flowing: node event → painted on screen, long tasks over 60 s on the Lab
// and Charts views (longtask observer + a Chromium trace), and the renderer's JS heap over 10 minutes.
// Standalone: node --import tsx bench/ui.bench.ts. Quick check: FIREDRILL_BENCH_UI_MINUTES=2 (memory
// phase length; the recorded figure is 10), FIREDRILL_BENCH_UI_TRACE_SECONDS=20 (default 60).
// A/B of renderer builds: FIREDRILL_BENCH_UI_ASSETS=DIR serves the page's script and stylesheet from
// another `vite build` output (DIR/assets) instead of out/renderer; everything else is the same.
// Diagnostics: FIREDRILL_BENCH_UI_KILLS=N (default 32), FIREDRILL_BENCH_UI_SAMPLES=1 prints every heap
// sample, FIREDRILL_BENCH_UI_KEEP_TRACE=1 keeps both Chromium traces in a temporary folder.
// A quick look at the kill figure alone: FIREDRILL_BENCH_UI_ONLY_KILLS=1 stops after it (no long-task,
// memory or scrub phase); FIREDRILL_BENCH_UI_KILL_TRACE=FILE writes a Chromium trace of the kills to FILE.
// The scrub alone: FIREDRILL_BENCH_UI_ONLY_SCRUB=1 (after the kills and FIREDRILL_BENCH_UI_MINUTES of
// recording); FIREDRILL_BENCH_UI_SCRUB_PROFILE=FILE writes the page's CPU profile while it is scrubbed,
// FIREDRILL_BENCH_UI_SCRUB_TRACE=FILE a Chromium trace of it.
// A/B in one lab: FIREDRILL_BENCH_UI_ALTERNATE=DIR reloads the page every 8 kills, taking turns between
// the page's own build (or FIREDRILL_BENCH_UI_ASSETS) and the build in DIR, and gives the kill figure of each.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import { WebSocket } from 'ws';
import type { LabSnapshot, TimelineEvent } from '../shared/contract/model';
import { percentile, type BenchRow as Row } from './stats';
import { sleep } from '../shared/sleep';

const root = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(root, 'out', 'cli', 'index.js');
const RENDERER = join(root, 'out', 'renderer', 'index.html');
const CHROMIUM = process.env.FIREDRILL_CHROMIUM ?? '/usr/bin/chromium';

/** Issue 13's target is 64 nodes; the active-active topology stops at 32, so a larger lab is a fleet of stateless bundled nodes. */
const NODES = Number(process.env.FIREDRILL_BENCH_UI_NODES ?? 64);
const TRAFFIC_RATE = 400;
/** Each traffic run is bounded; the keeper starts the next one a few seconds before this one ends. */
const TRAFFIC_RUN_MS = 120_000;
const KILLS = Number(process.env.FIREDRILL_BENCH_UI_KILLS ?? NODES);
const MEMORY_MINUTES = Number(process.env.FIREDRILL_BENCH_UI_MINUTES ?? 10);
const TRACE_SECONDS = Number(process.env.FIREDRILL_BENCH_UI_TRACE_SECONDS ?? 60);
const OTHER_ASSETS = process.env.FIREDRILL_BENCH_UI_ASSETS;
const ALTERNATE_ASSETS = process.env.FIREDRILL_BENCH_UI_ALTERNATE;
/** Kills in a row on one build before the page is reloaded with the other (FIREDRILL_BENCH_UI_ALTERNATE). */
const ALTERNATE_EVERY = 8;
const ONLY_KILLS = Boolean(process.env.FIREDRILL_BENCH_UI_ONLY_KILLS);
/** The kill phase, FIREDRILL_BENCH_UI_MINUTES of recording with traffic flowing, then the scrub (no long-task or memory phase). */
const ONLY_SCRUB = Boolean(process.env.FIREDRILL_BENCH_UI_ONLY_SCRUB);
/** A CPU profile of the page while it is scrubbed (a .cpuprofile for Chromium's DevTools); the profiler slows the page, so not the recorded figure. */
const SCRUB_PROFILE = process.env.FIREDRILL_BENCH_UI_SCRUB_PROFILE;
/** A Chromium trace of the scrub (style, layout, paint beside the script), written to this file. */
const SCRUB_TRACE = process.env.FIREDRILL_BENCH_UI_SCRUB_TRACE;
const KILL_TRACE = process.env.FIREDRILL_BENCH_UI_KILL_TRACE;
/** One minute; less only for a quick check shorter than two minutes. */
const WARMUP_MS = Math.min(60_000, MEMORY_MINUTES * 30_000);
const SAMPLE_EVERY_MS = 30_000;
/** The viewport of a full-HD screen or projector. */
const VIEWPORT = { width: 1920, height: 1080 };
const TRACE_CATEGORIES = ['-*', 'toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'disabled-by-default-devtools.timeline.frame', 'v8.execute', 'blink.user_timing'];

const ms = (n: number) => `${n.toFixed(1)} ms`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;

/** One `firedrill serve` process this bench started, and the HTTP API with its token. */
class ServeProcess {
  private constructor(
    readonly child: ChildProcess & { pid: number },
    readonly url: string,
    readonly token: string,
    private readonly dirs: string[],
  ) {}

  static async start(): Promise<ServeProcess> {
    const runDir = mkdtempSync(join(tmpdir(), 'firedrill-bench-ui-run-'));
    const reportsDir = mkdtempSync(join(tmpdir(), 'firedrill-bench-ui-reports-'));
    const child = spawn(process.execPath, [CLI, 'serve', '--json', '--port', '0', '--topology', 'active-active', '--no-start'], {
      cwd: root,
      env: { ...process.env, FIREDRILL_RUN_DIR: runDir, FIREDRILL_REPORTS_DIR: reportsDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid === undefined) throw new Error(`could not spawn ${CLI}`);
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
    const first = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve printed nothing in 30 s; stderr: ${stderr}`)), 30_000);
      createInterface({ input: child.stdout! }).once('line', (line) => {
        clearTimeout(timer);
        resolve(line);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`serve exited with ${code}; stderr: ${stderr}`));
      });
    });
    const { url, token } = JSON.parse(first) as { url: string; token: string };
    return new ServeProcess(child as ChildProcess & { pid: number }, url, token, [runDir, reportsDir]);
  }

  async call<T>(command: string, params: unknown, timeoutMs = 120_000): Promise<T> {
    const response = await fetch(new URL(`/api/commands/${command}`, this.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(params),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json()) as T & { error?: { message: string } };
    if (!response.ok) throw new Error(`${command}: HTTP ${response.status} ${body.error?.message ?? ''}`);
    return body;
  }

  async state(): Promise<LabSnapshot> {
    const response = await fetch(new URL('/api/state', this.url), { headers: { authorization: `Bearer ${this.token}` }, signal: AbortSignal.timeout(30_000) });
    if (!response.ok) throw new Error(`GET /api/state: HTTP ${response.status}`);
    return (await response.json()) as LabSnapshot;
  }

  /** A WebSocket of our own on the lab's events: each `node.changed` stamped on arrival (epoch ms). */
  async watchNodeChanges(): Promise<{ arrivals: Array<{ id: string; status: string; at: number }>; close: () => void }> {
    const url = new URL('/api/events', this.url);
    url.protocol = 'ws:';
    url.searchParams.set('token', this.token);
    const socket = new WebSocket(url);
    const arrivals: Array<{ id: string; status: string; at: number }> = [];
    socket.on('message', (data: Buffer) => {
      const at = performance.timeOrigin + performance.now();
      const message = JSON.parse(data.toString('utf8')) as { kind: string; name?: string; payload?: { id: string; status: string } };
      if (message.kind === 'event' && message.name === 'node.changed' && message.payload) arrivals.push({ id: message.payload.id, status: message.payload.status, at });
    });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.send(JSON.stringify({ kind: 'subscribe', id: 'bench-nodes', name: 'node.changed' }));
    return { arrivals, close: () => socket.close() };
  }

  /** SIGTERM to the pid this bench started, a bounded wait, SIGKILL if it did not exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      process.kill(this.child.pid, 'SIGTERM');
      const timer = setTimeout(() => process.kill(this.child.pid, 'SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/** Keeps bounded traffic runs going back to back: each one stops by itself; the next starts just before. */
class TrafficKeeper {
  private endsAt = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private busy = false;
  restarts = 0;

  constructor(private readonly lab: ServeProcess) {}

  async start(): Promise<void> {
    await this.lab.call('traffic.start', { rate: TRAFFIC_RATE, durationMs: TRAFFIC_RUN_MS, seed: 6 });
    this.endsAt = Date.now() + TRAFFIC_RUN_MS;
    this.timer = setInterval(() => void this.tick(), 1_000);
  }

  private async tick(): Promise<void> {
    if (this.busy || Date.now() < this.endsAt - 4_000) return;
    this.busy = true;
    try {
      await this.lab.call('traffic.stop', {});
      await this.lab.call('traffic.start', { rate: TRAFFIC_RATE, durationMs: TRAFFIC_RUN_MS, seed: 6 + ++this.restarts });
      this.endsAt = Date.now() + TRAFFIC_RUN_MS;
    } catch (error) {
      console.error(`ui bench: traffic restart failed: ${(error as Error).message}`);
    } finally {
      this.busy = false;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.lab.call('traffic.stop', {}).catch(() => undefined);
  }
}

type StatusChange = { id: string; status: string; mutationAt: number; rafAt: number; paintedAt: number; frameDoneAt: number };
type PageProbe = {
  changes: StatusChange[];
  longTasks: Array<{ start: number; duration: number }>;
  frames: Array<{ start: number; duration: number; blocking: number; scripts: string[] }>;
  errors: string[];
};

/**
 * Installed in the page (plain JavaScript: it runs in Chromium, not here): a MutationObserver on
 * every node status badge's `data-status`; each change is stamped when observed, at the next
 * animation frame, and just after that frame (a message posted from the rAF callback runs once the
 * frame has been produced). Plus longtask and long-animation-frame observers. Times are epoch ms
 * (performance.timeOrigin + performance.now()), as the engine's clock.
 */
const PROBE_SCRIPT = `(() => {
  const now = () => performance.timeOrigin + performance.now();
  const probe = { changes: [], longTasks: [], frames: [], errors: [] };
  window.__uiBench = probe;
  const grid = document.querySelector('[data-testid="node-grid"]');
  if (!grid) throw new Error('no node grid');
  new MutationObserver((records) => {
    const mutationAt = now();
    const seen = [];
    for (const record of records) {
      const testId = record.target.dataset.testid || '';
      if (testId.startsWith('node-status-')) seen.push({ id: testId.slice('node-status-'.length), status: String(record.target.dataset.status) });
    }
    if (seen.length === 0) return;
    const stamps = { rafAt: 0, paintedAt: 0, frameDoneAt: 0, left: 2 };
    const done = () => {
      if (--stamps.left === 0) for (const s of seen) probe.changes.push({ ...s, mutationAt, ...stamps });
    };
    requestAnimationFrame(() => {
      stamps.rafAt = now();
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        stamps.paintedAt = now();
        channel.port1.close();
        done();
      };
      channel.port2.postMessage(0);
    });
    // Also the end of the frame that lays the mutation out, which is the current one when the mutation
    // was made in a rAF callback: a new ResizeObserver is first called in that frame's rendering steps
    // (after its rAF callbacks, before paint); a message posted from there runs once the frame is done.
    const resize = new ResizeObserver(() => {
      resize.disconnect();
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        stamps.frameDoneAt = now();
        channel.port1.close();
        done();
      };
      channel.port2.postMessage(0);
    });
    resize.observe(grid);
  }).observe(grid, { subtree: true, attributes: true, attributeFilter: ['data-status'] });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) probe.longTasks.push({ start: performance.timeOrigin + e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        probe.frames.push({
          start: performance.timeOrigin + e.startTime,
          duration: e.duration,
          blocking: e.blockingDuration,
          scripts: e.scripts.map((s) => s.invoker + ' ' + s.sourceFunctionName + ' ' + Math.round(s.duration) + 'ms'),
        });
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  } catch {
    // an older Chromium: longtask alone
  }
  window.addEventListener('error', (e) => probe.errors.push(String(e.message)));
})()`;

/**
 * Before the app loads: every `node.changed` the page's WebSocket receives, stamped on arrival, so
 * the time from the engine's event to the screen splits into delivery and rendering.
 */
const SOCKET_PROBE_SCRIPT = `(() => {
  const received = [];
  window.__uiBenchSocket = received;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        if (typeof e.data !== 'string' || !e.data.includes('"node.changed"')) return;
        const at = performance.timeOrigin + performance.now();
        try {
          const message = JSON.parse(e.data);
          if (message.name === 'node.changed') received.push({ id: message.payload.id, status: message.payload.status, at });
        } catch {}
      });
    }
  };
})()`;

/** In the page: the first change of `id` away from ready after change number `from`, and its first ready after that. */
function downThenUp([id, from]: readonly [string, number]): { down: StatusChange; up: StatusChange } | null {
  const changes = (globalThis as unknown as { __uiBench: PageProbe }).__uiBench.changes.slice(from).filter((c) => c.id === id);
  const down = changes.find((c) => c.status !== 'ready');
  const up = down ? changes.find((c) => c.status === 'ready' && c.mutationAt > down.mutationAt) : undefined;
  return down && up ? { down, up } : null;
}

/** In the page: `n` node cards are shown. */
function showsNodeCards(n: number): boolean {
  return (globalThis as unknown as { document: { querySelectorAll(selector: string): { length: number } } }).document.querySelectorAll('[data-testid^="node-card-"]').length === n;
}

const probeOf = <T>(page: Page, read: (p: PageProbe) => T): Promise<T> =>
  page.evaluate(`(${read.toString()})(window.__uiBench)`) as Promise<T>;

/** Renderer processes' CPU seconds (CDP) and resident memory (/proc), by pid. */
async function rendererProcesses(browserSession: CDPSession): Promise<Array<{ pid: number; cpu: number; rss: number }>> {
  const { processInfo } = (await browserSession.send('SystemInfo.getProcessInfo')) as { processInfo: Array<{ type: string; id: number; cpuTime: number }> };
  return processInfo
    .filter((p) => p.type === 'renderer')
    .map((p) => {
      let rss = Number.NaN;
      try {
        const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p.id}/status`, 'utf8'));
        if (match) rss = Number(match[1]) * 1024;
      } catch {
        // gone
      }
      return { pid: p.id, cpu: p.cpuTime, rss };
    });
}

/** CPU seconds of one process of ours (utime + stime), from /proc. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Top-level tasks on the busiest renderer main thread of a Chromium trace: durations in ms. */
function traceTasks(trace: Buffer): { tasks: number[]; threads: number } {
  const parsed = JSON.parse(trace.toString('utf8')) as { traceEvents: Array<{ name: string; ph: string; pid: number; tid: number; ts: number; dur?: number; args?: { name?: string } }> } | Array<never>;
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  const mainThreads = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const byThread = new Map<string, Array<{ ts: number; dur: number }>>();
  for (const e of events) {
    if (e.ph !== 'X' || (e.name !== 'RunTask' && e.name !== 'ThreadControllerImpl::RunTask') || e.dur === undefined) continue;
    const key = `${e.pid}:${e.tid}`;
    if (!mainThreads.has(key)) continue;
    let list = byThread.get(key);
    if (!list) byThread.set(key, (list = []));
    list.push({ ts: e.ts, dur: e.dur });
  }
  let busiest: Array<{ ts: number; dur: number }> = [];
  let busiestTotal = -1;
  for (const list of byThread.values()) {
    const total = list.reduce((sum, t) => sum + t.dur, 0);
    if (total > busiestTotal) [busiest, busiestTotal] = [list, total];
  }
  // Outermost tasks only: a nested RunTask is part of the one that contains it.
  busiest.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const tasks: number[] = [];
  let end = -Infinity;
  for (const t of busiest) {
    if (t.ts < end) continue;
    tasks.push(t.dur / 1000);
    end = t.ts + t.dur;
  }
  return { tasks, threads: byThread.size };
}

interface LongTaskFigures {
  observed: Array<{ start: number; duration: number }>;
  frames: PageProbe['frames'];
  trace: { tasks: number[]; threads: number } | null;
  rendererCpuPercent: number;
  serveCpuPercent: number;
  load: number;
}

/** `seconds` of 10 Hz metrics on the current view: the longtask observer and a Chromium trace over the same window. */
async function watchLongTasks(browser: Browser, page: Page, browserSession: CDPSession, servePid: number, seconds: number, keepTrace: string | undefined): Promise<LongTaskFigures> {
  const startAt = (await page.evaluate('performance.timeOrigin + performance.now()')) as number;
  const cpu0 = await rendererProcesses(browserSession);
  const serve0 = cpuSeconds(servePid);
  await browser.startTracing(page, { categories: TRACE_CATEGORIES });
  const t0 = Date.now();
  await sleep(seconds * 1000);
  const buffer = await browser.stopTracing();
  const wall = (Date.now() - t0) / 1000;
  const cpu1 = await rendererProcesses(browserSession);
  const serve1 = cpuSeconds(servePid);
  if (keepTrace) writeFileSync(keepTrace, buffer);
  const endAt = startAt + seconds * 1000;
  const observed = (await probeOf(page, (p) => p.longTasks)).filter((t) => t.start >= startAt && t.start < endAt);
  const frames = (await probeOf(page, (p) => p.frames)).filter((f) => f.start >= startAt && f.start < endAt);
  let trace: LongTaskFigures['trace'] = null;
  try {
    trace = traceTasks(buffer);
  } catch (error) {
    console.error(`ui bench: trace not parsed: ${(error as Error).message}`);
  }
  const cpuDelta = cpu1.reduce((sum, p) => sum + p.cpu - (cpu0.find((q) => q.pid === p.pid)?.cpu ?? 0), 0);
  return { observed, frames, trace, rendererCpuPercent: (cpuDelta / wall) * 100, serveCpuPercent: ((serve1 - serve0) / wall) * 100, load: loadavg()[0] ?? Number.NaN };
}

function longTaskRows(view: string, f: LongTaskFigures, seconds: number): Row[] {
  const longest = f.observed.reduce((max, t) => Math.max(max, t.duration), 0);
  const traceNote = f.trace
    ? `trace: ${f.trace.tasks.length} top-level tasks, ${f.trace.tasks.filter((t) => t > 50).length} > 50 ms, longest ${ms(Math.max(0, ...f.trace.tasks))}, p99 ${ms(percentile(f.trace.tasks, 99))}`
    : 'trace: not parsed';
  const blocking = f.frames.filter((fr) => fr.blocking > 0);
  const loaf = f.frames.length > 0 ? `; long animation frames (> 50 ms) ${f.frames.length}, ${blocking.length} blocking, longest ${ms(Math.max(...f.frames.map((fr) => fr.duration)))}` : '; no long animation frame';
  return [
    {
      figure: `${view}, ${seconds} s of 10 Hz metrics: long tasks > 50 ms (count / longest)`,
      value: f.observed.length === 0 ? '0 / —' : `${f.observed.length} / ${ms(longest)}`,
      target: 'none in 60 s',
      note: `PerformanceObserver('longtask'); ${traceNote}${loaf}; renderer CPU ${f.rendererCpuPercent.toFixed(0)} %, serve ${f.serveCpuPercent.toFixed(0)} %, load avg ${f.load.toFixed(2)}`,
    },
  ];
}

/** Seconds of dragging the replay scrubber back and forth over the whole recording. */
const SCRUB_SECONDS = 10;

/**
 * Installed in the page when replay mode is on: each new instant the scrubber shows (its `data-at`)
 * is stamped at the frame after the mutation, as PROBE_SCRIPT stamps a node's status.
 */
const SCRUB_PROBE_SCRIPT = `(() => {
  const now = () => performance.timeOrigin + performance.now();
  const painted = [];
  window.__uiBenchScrub = painted;
  const scrubber = document.querySelector('[data-testid="replay-scrubber"]');
  if (!scrubber) throw new Error('no replay scrubber');
  new MutationObserver(() => {
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => { painted.push(now()); channel.port1.close(); };
      channel.port2.postMessage(0);
    });
  }).observe(scrubber, { attributes: true, attributeFilter: ['data-at'] });
})()`;

/** Mouse moves sent to Chromium and not yet acknowledged, at most: a hand's moves do not wait for the page. */
const SCRUB_MOVES_IN_FLIGHT = 4;

/**
 * Replay scrubbing over the recording the lab kept while the memory phase ran (its last 30 minutes):
 * Replay, then a mouse drag sweeping the whole bar back and forth (a sweep every 4 s) for
 * SCRUB_SECONDS; every painted frame of a new instant counted, and the long tasks meanwhile.
 * The moves go out every 16 ms as a mouse's do (CDP Input.dispatchMouseEvent, up to
 * SCRUB_MOVES_IN_FLIGHT unanswered; Chromium coalesces them per frame as it does a real mouse's):
 * each one awaited, as before 2026-12-06 evening, a busy page answered 3–4 a second and the figure
 * measured the driver, not the page.
 */
async function scrubRows(browser: Browser, page: Page, session: CDPSession, lab: ServeProcess): Promise<Row[]> {
  const info = await lab.call<{ startedAt: number | null; endedAt: number; bytes: number; logBytes: number }>('recording.info', {});
  const heldMin = info.startedAt === null ? 0 : (info.endedAt - info.startedAt) / 60_000;
  await showView(page, 'lab');
  const entering = performance.now();
  await page.getByTestId('replay-enter').click();
  await page.locator('[data-testid="replay-scrubber"][data-mode="replay"]').waitFor({ state: 'attached', timeout: 60_000 });
  const enterMs = performance.now() - entering;
  const bar = page.getByTestId('replay-bar');
  const spanMs = await bar.evaluate((el) => Number(el.getAttribute('aria-valuemax')) - Number(el.getAttribute('aria-valuemin')));
  const box = await bar.boundingBox();
  if (!box) throw new Error('the replay bar has no box');
  await page.evaluate(SCRUB_PROBE_SCRIPT);
  const y = box.y + box.height / 2;
  const xAt = (elapsed: number) => {
    const phase = (elapsed % 4_000) / 4_000;
    const tri = phase < 0.5 ? phase * 2 : 2 - phase * 2;
    return box.x + 2 + tri * (box.width - 4);
  };
  await page.mouse.move(xAt(0), y);
  if (SCRUB_PROFILE) {
    await session.send('Profiler.enable');
    await session.send('Profiler.setSamplingInterval', { interval: 250 });
    await session.send('Profiler.start');
  }
  if (SCRUB_TRACE) await browser.startTracing(page, { categories: [...TRACE_CATEGORIES, 'disabled-by-default-devtools.timeline.invalidationTracking'] });
  await page.mouse.down();
  const startedAt = (await page.evaluate('performance.timeOrigin + performance.now()')) as number;
  const started = performance.now();
  let moves = 0;
  let skipped = 0;
  let inFlight = 0;
  const sent: Array<Promise<unknown>> = [];
  while (performance.now() - started < SCRUB_SECONDS * 1000) {
    const tick = performance.now();
    if (inFlight < SCRUB_MOVES_IN_FLIGHT) {
      inFlight++;
      moves++;
      const x = xAt(tick - started);
      sent.push(session.send('Input.dispatchMouseEvent', { type: 'mouseMoved', x, y, button: 'left', buttons: 1 }).finally(() => inFlight--));
    } else skipped++;
    await sleep(Math.max(0, 16 - (performance.now() - tick)));
  }
  await Promise.allSettled(sent);
  await page.mouse.move(xAt(performance.now() - started), y);
  await page.mouse.up();
  if (SCRUB_PROFILE) writeFileSync(SCRUB_PROFILE, JSON.stringify((await session.send('Profiler.stop')).profile));
  if (SCRUB_TRACE) writeFileSync(SCRUB_TRACE, await browser.stopTracing());
  const endedAt = (await page.evaluate('performance.timeOrigin + performance.now()')) as number;
  await sleep(500);
  const painted = ((await page.evaluate('window.__uiBenchScrub')) as number[]).filter((t) => t >= startedAt && t <= endedAt + 100);
  const gaps = painted.slice(1).map((t, i) => t - painted[i]!);
  const longTasks = (await probeOf(page, (p) => p.longTasks)).filter((t) => t.start >= startedAt && t.start <= endedAt);
  const seconds = (endedAt - startedAt) / 1000;
  await page.keyboard.press('Escape');
  await page.locator('[data-testid="replay-scrubber"][data-mode="live"]').waitFor({ state: 'attached', timeout: 30_000 });
  return [
    {
      figure: `replay: scrubbing a ${(spanMs / 60_000).toFixed(1)}-min recording of ${NODES} nodes (instants painted per second)`,
      value: `${(painted.length / seconds).toFixed(1)} frames/s`,
      target: '≥ 30 frames/s (issue 13)',
      note: `the lab held ${heldMin.toFixed(1)} min weighing ${mib(info.bytes)} (estimated as JSON; logs apart, ${mib(info.logBytes)}); Replay clicked → the recording fetched and shown in ${(enterMs / 1000).toFixed(1)} s; a ${SCRUB_SECONDS} s mouse drag over the whole bar (${moves} moves sent every 16 ms, ≤ ${SCRUB_MOVES_IN_FLIGHT} unanswered; ${skipped} ticks skipped with ${SCRUB_MOVES_IN_FLIGHT} out; a sweep every 4 s); gap between painted instants p50 ${gaps.length ? ms(percentile(gaps, 50)) : '—'}, p99 ${gaps.length ? ms(percentile(gaps, 99)) : '—'}, max ${gaps.length ? ms(Math.max(...gaps)) : '—'}; long tasks meanwhile: ${longTasks.length}${longTasks.length ? ` (longest ${ms(Math.max(...longTasks.map((t) => t.duration)))})` : ''}`,
    },
  ];
}

async function showView(page: Page, view: 'lab' | 'charts'): Promise<void> {
  await page.getByTestId(`nav-${view}`).click();
  await page.getByTestId(`view-${view}`).waitFor({ state: 'attached', timeout: 30_000 });
}

export async function run(): Promise<Row[]> {
  if (!existsSync(CHROMIUM)) return [{ figure: 'ui', value: 'skipped', note: `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or FIREDRILL_CHROMIUM)` }];
  if (!existsSync(CLI) || !existsSync(RENDERER)) return [{ figure: 'ui', value: 'skipped', note: 'build first: node scripts/build.mjs && npx vite build' }];
  const rows: Row[] = [];
  const short = MEMORY_MINUTES < 10 || TRACE_SECONDS < 60;
  const keepTraces = process.env.FIREDRILL_BENCH_UI_KEEP_TRACE ? mkdtempSync(join(tmpdir(), 'firedrill-bench-ui-traces-')) : undefined;
  const lab = await ServeProcess.start();
  const traffic = new TrafficKeeper(lab);
  let browser: Browser | undefined;
  try {
    // ---- a lab of NODES nodes with traffic through it ----
    const t0 = performance.now();
    if (NODES <= 32) await lab.call('topology.set', { kind: 'active-active', nodes: NODES }, 180_000);
    else {
      const nodes = Array.from({ length: NODES }, (_, i) => ({ id: `a${i + 1}`, kind: 'bundled', role: 'stateless' }));
      await lab.call('fleet.start', { fleet: { name: `active-active, ${NODES} stateless nodes`, nodes } }, 180_000);
    }
    const deadline = Date.now() + 120_000;
    for (;;) {
      const state = await lab.state();
      if (state.nodes.length === NODES && state.nodes.every((n) => n.status === 'ready')) break;
      if (Date.now() > deadline) throw new Error(`not all ${NODES} nodes ready: ${state.nodes.map((n) => `${n.id}=${n.status}`).join(' ')}`);
      await sleep(250);
    }
    console.error(`(ui: ${NODES} nodes ready in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    await traffic.start();

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    const page = await browser.newPage({ viewport: VIEWPORT });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const browserSession = await browser.newBrowserCDPSession();
    const session = await page.context().newCDPSession(page);
    // tsx (esbuild keepNames) may wrap functions passed to the page in __name(): give the page one.
    await page.addInitScript('globalThis.__name ??= (fn) => fn;');
    await page.addInitScript(SOCKET_PROBE_SCRIPT);
    // The build the page loads its script and stylesheet from: undefined is the page's own (out/renderer).
    let assets = OTHER_ASSETS;
    if (OTHER_ASSETS || ALTERNATE_ASSETS) {
      await page.route(
        (url) => url.pathname.startsWith('/assets/') && !url.pathname.endsWith('.map'),
        async (route) => {
          if (!assets) return route.continue();
          const ext = extname(new URL(route.request().url()).pathname);
          const file = readdirSync(join(assets, 'assets')).find((f) => f.endsWith(ext));
          if (!file) return route.continue();
          await route.fulfill({ body: readFileSync(join(assets, 'assets', file)), contentType: ext === '.css' ? 'text/css' : 'text/javascript' });
        },
      );
    }
    await page.goto(lab.url);
    await page.locator('html[data-app-state="ready"]').waitFor({ state: 'attached', timeout: 60_000 });
    await page.waitForFunction(showsNodeCards, NODES, { timeout: 60_000, polling: 250 });
    await page.evaluate(PROBE_SCRIPT);
    const clockSkew = (await page.evaluate('performance.timeOrigin + performance.now() - Date.now()')) as number;

    // ---- node event → painted on screen (Lab view) ----
    await sleep(5_000);
    const exitToScreen: number[] = [];
    const exitToRaf: number[] = [];
    const exitToFrameDone: number[] = [];
    const exitToSocket: number[] = [];
    const exitToBenchSocket: number[] = [];
    const benchSocket = await lab.watchNodeChanges();
    const socketToMutation: number[] = [];
    const readyToScreen: number[] = [];
    const shownFirst = new Map<string, number>();
    const byBuild = new Map<string, { exitToScreen: number[]; readyToScreen: number[]; loads: number[] }>();
    if (KILL_TRACE) await browser.startTracing(page, { categories: TRACE_CATEGORIES });
    for (let k = 0; k < KILLS; k++) {
      if (ALTERNATE_ASSETS && k % ALTERNATE_EVERY === 0) {
        assets = (k / ALTERNATE_EVERY) % 2 === 0 ? OTHER_ASSETS : ALTERNATE_ASSETS;
        await page.reload();
        await page.locator('html[data-app-state="ready"]').waitFor({ state: 'attached', timeout: 60_000 });
        await page.waitForFunction(showsNodeCards, NODES, { timeout: 60_000, polling: 250 });
        await page.evaluate(PROBE_SCRIPT);
        await sleep(3_000);
      }
      const build = assets ?? 'out/renderer';
      if (!byBuild.has(build)) byBuild.set(build, { exitToScreen: [], readyToScreen: [], loads: [] });
      const mine = byBuild.get(build)!;
      const state = await lab.state();
      const node = state.nodes[(k * 7) % NODES]; // spread over the grid: a1, a8, a15, …
      if (!node || node.status !== 'ready' || node.pid === null) continue;
      const since = await probeOf(page, (p) => p.changes.length);
      process.kill(node.pid, 'SIGKILL'); // a pid the lab started, read from its own state just now
      const seen = (await page
        .waitForFunction(downThenUp, [node.id, since] as const, { timeout: 30_000, polling: 100 })
        .then((handle) => handle.jsonValue())) as { down: StatusChange; up: StatusChange };
      const timeline: TimelineEvent[] = (await lab.state()).timeline.filter((e) => e.nodeId === node.id);
      const exited = timeline.find((e) => e.kind === 'node.exited' && e.detail.pid === node.pid);
      const ready = exited ? timeline.find((e) => e.kind === 'node.ready' && e.at > exited.at) : undefined;
      if (exited) {
        const arrivals = (await page.evaluate('window.__uiBenchSocket')) as Array<{ id: string; status: string; at: number }>;
        const arrived = arrivals.find((a) => a.id === node.id && a.status !== 'ready' && a.at >= exited.at - 5);
        const benchArrived = benchSocket.arrivals.find((a) => a.id === node.id && a.status !== 'ready' && a.at >= exited.at - 5);
        if (benchArrived) exitToBenchSocket.push(benchArrived.at - exited.at);
        if (arrived) {
          exitToSocket.push(arrived.at - exited.at);
          socketToMutation.push(seen.down.mutationAt - arrived.at);
        }
        exitToScreen.push(seen.down.paintedAt - exited.at);
        mine.exitToScreen.push(seen.down.paintedAt - exited.at);
        mine.loads.push(loadavg()[0] ?? Number.NaN);
        exitToRaf.push(seen.down.rafAt - exited.at);
        exitToFrameDone.push(seen.down.frameDoneAt - exited.at);
        shownFirst.set(seen.down.status, (shownFirst.get(seen.down.status) ?? 0) + 1);
      }
      if (ready) {
        readyToScreen.push(seen.up.paintedAt - ready.at);
        mine.readyToScreen.push(seen.up.paintedAt - ready.at);
      }
      await sleep(700 + Math.random() * 600); // out of step with the 10 Hz ticks
    }
    benchSocket.close();
    if (KILL_TRACE) writeFileSync(KILL_TRACE, await browser.stopTracing());
    const p = (values: number[]) => `${ms(percentile(values, 50))} / ${ms(percentile(values, 99))} / ${ms(Math.max(...values))}`;
    rows.push(
      {
        figure: `${NODES} nodes, 10 Hz: kill -9 → status painted (p50 / p99 / max)`,
        value: p(exitToScreen),
        target: 'p99 ≤ 50 ms (issue 13)',
        note: `${exitToScreen.length} kills over ${new Set(Array.from({ length: KILLS }, (_, k) => k * 7 % NODES)).size} nodes at ${TRAFFIC_RATE} req/s; engine's node.exited \`at\` → the frame after the data-status mutation (MutationObserver → rAF → message); split (p50): event → node.changed in the page's WebSocket ${ms(percentile(exitToSocket, 50))} (max ${ms(Math.max(...exitToSocket))}; in a Node WebSocket client of the bench's ${ms(percentile(exitToBenchSocket, 50))}, max ${ms(Math.max(...exitToBenchSocket))}), → DOM mutation ${ms(percentile(socketToMutation, 50))} (max ${ms(Math.max(...socketToMutation))}), → next rAF ${ms(percentile(exitToRaf, 50))} from the event; the end of the frame that laid the mutation out (ResizeObserver → message, one frame earlier than the figure when the page changes the DOM in a rAF callback) p50 ${ms(percentile(exitToFrameDone, 50))}, p99 ${ms(percentile(exitToFrameDone, 99))}; first status shown: ${[...shownFirst].map(([s, n]) => `${s} ×${n}`).join(', ')}; page clock − Date.now() ${clockSkew.toFixed(2)} ms`,
      },
      {
        figure: `${NODES} nodes, 10 Hz: node ready → status painted (p50 / p99 / max)`,
        value: p(readyToScreen),
        target: 'p99 ≤ 50 ms (issue 13)',
        note: `the same ${readyToScreen.length} restarts; engine's node.ready \`at\` → painted`,
      },
    );
    if (ALTERNATE_ASSETS) {
      for (const [build, f] of byBuild) {
        rows.push({
          figure: `A/B, build ${build}: kill -9 → status painted (p50 / p99 / max); ready → painted (p50 / p99)`,
          value: `${p(f.exitToScreen)}; ${ms(percentile(f.readyToScreen, 50))} / ${ms(percentile(f.readyToScreen, 99))}`,
          target: 'p99 ≤ 50 ms (issue 13)',
          note: `${f.exitToScreen.length} kills in blocks of ${ALTERNATE_EVERY}, the builds taking turns in the same lab; 1-min load average at its kills ${Math.min(...f.loads).toFixed(1)}–${Math.max(...f.loads).toFixed(1)}`,
        });
      }
    }
    if (ONLY_KILLS) {
      rows.push({ figure: 'context', value: `load avg ${loadavg().map((l) => l.toFixed(2)).join(' ')}`, note: 'FIREDRILL_BENCH_UI_ONLY_KILLS: the kill phase alone' });
      return rows;
    }
    if (ONLY_SCRUB) {
      console.error(`(ui: FIREDRILL_BENCH_UI_ONLY_SCRUB: ${MEMORY_MINUTES} min of recording, then the scrub)`);
      await sleep(MEMORY_MINUTES * 60_000);
      rows.push(...(await scrubRows(browser, page, session, lab)));
      rows.push({ figure: 'context', value: `load avg ${loadavg().map((l) => l.toFixed(2)).join(' ')}`, note: `FIREDRILL_BENCH_UI_ONLY_SCRUB: kills, ${MEMORY_MINUTES} min of recording, the scrub${SCRUB_PROFILE ? '; PROFILED, not the recorded figure' : SCRUB_TRACE ? '; TRACED, not the recorded figure' : ''}` });
      return rows;
    }

    // ---- long tasks: 60 s on the Lab view, then on the Charts view ----
    await sleep(3_000);
    const lab60 = await watchLongTasks(browser, page, browserSession, lab.child.pid, TRACE_SECONDS, keepTraces && join(keepTraces, 'lab.json'));
    rows.push(...longTaskRows('Lab view', lab60, TRACE_SECONDS));
    const switchAt = (await page.evaluate('performance.timeOrigin + performance.now()')) as number;
    await showView(page, 'charts');
    await page.getByTestId(`chart-node-a${NODES}`).waitFor({ state: 'attached', timeout: 30_000 });
    await sleep(3_000);
    const switchTasks = (await probeOf(page, (p) => p.longTasks)).filter((t) => t.start >= switchAt);
    const charts = await page.locator('.chart').count();
    const charts60 = await watchLongTasks(browser, page, browserSession, lab.child.pid, TRACE_SECONDS, keepTraces && join(keepTraces, 'charts.json'));
    rows.push(...longTaskRows(`Charts view (${charts} charts)`, charts60, TRACE_SECONDS));
    rows.push({
      figure: `switch Lab → Charts view: longest task`,
      value: switchTasks.length === 0 ? '< 50 ms' : ms(Math.max(...switchTasks.map((t) => t.duration))),
      note: `a user action, outside the 60 s windows; ${charts} uPlot charts built (${NODES} per-node lines in 3 of them)`,
    });
    await showView(page, 'lab');

    // ---- renderer memory over 10 minutes, Lab view, traffic flowing ----
    await session.send('HeapProfiler.enable');
    const sample = async () => {
      await session.send('HeapProfiler.collectGarbage');
      const heap = (await session.send('Runtime.getHeapUsage')) as { usedSize: number; totalSize: number };
      const dom = (await session.send('Memory.getDOMCounters')) as { nodes: number; jsEventListeners: number };
      const procs = await rendererProcesses(browserSession);
      return { at: Date.now(), used: heap.usedSize, nodes: dom.nodes, listeners: dom.jsEventListeners, rss: Math.max(...procs.map((q) => q.rss)) };
    };
    console.error(`(ui: memory: ${WARMUP_MS / 60_000} min warm-up, then ${MEMORY_MINUTES} min, a sample every ${SAMPLE_EVERY_MS / 1000} s)`);
    await sleep(WARMUP_MS);
    const samples = [await sample()];
    const memoryEnd = Date.now() + MEMORY_MINUTES * 60_000;
    while (Date.now() < memoryEnd) {
      await sleep(Math.min(SAMPLE_EVERY_MS, memoryEnd - Date.now()));
      samples.push(await sample());
    }
    const first = samples[0]!;
    const last = samples[samples.length - 1]!;
    const max = Math.max(...samples.map((s) => s.used));
    const min = Math.min(...samples.map((s) => s.used));
    const drift = ((last.used - first.used) / first.used) * 100;
    const spread = Math.max(Math.abs(max - first.used), Math.abs(min - first.used)) / first.used * 100;
    rows.push({
      figure: `renderer JS heap over ${MEMORY_MINUTES} min, Lab view (first / last / max)`,
      value: `${mib(first.used)} / ${mib(last.used)} / ${mib(max)}`,
      target: 'within ± 10 %',
      note: `drift ${drift >= 0 ? '+' : ''}${drift.toFixed(1)} %, largest deviation from the first ${spread.toFixed(1)} %; ${samples.length} samples every ${SAMPLE_EVERY_MS / 1000} s after ${WARMUP_MS / 60_000} min warm-up, each after HeapProfiler.collectGarbage (CDP Runtime.getHeapUsage); DOM nodes ${first.nodes} → ${last.nodes}, listeners ${first.listeners} → ${last.listeners}; renderer RSS ${mib(first.rss)} → ${mib(last.rss)}; ${traffic.restarts} traffic restarts${short ? '; SHORT RUN, not the recorded figure' : ''}`,
    });
    if (process.env.FIREDRILL_BENCH_UI_SAMPLES) console.error(samples.map((s) => `${((s.at - first.at) / 1000).toFixed(0)} s: ${mib(s.used)} nodes ${s.nodes} rss ${mib(s.rss)}`).join('\n'));
    rows.push(...(await scrubRows(browser, page, session, lab)));
    const errors = [...pageErrors, ...(await probeOf(page, (p) => p.errors))];
    rows.push({
      figure: 'context',
      value: `load avg ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
      note: `${OTHER_ASSETS ? `renderer assets from ${OTHER_ASSETS}; ` : ''}Chromium ${browser.version()} headless, ${VIEWPORT.width}×${VIEWPORT.height}, --disable-gpu; ${NODES} node processes + serve + Chromium on this machine${errors.length > 0 ? `; page errors: ${errors.slice(0, 3).join(' | ')}` : ''}${keepTraces ? `; traces in ${keepTraces}` : ''}`,
    });
  } finally {
    await traffic.stop();
    await browser?.close().catch(() => undefined);
    await lab.stop();
  }
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const row of await run()) console.log(`${row.figure}: ${row.value}${row.target ? ` (target ${row.target})` : ''}${row.note ? ` — ${row.note}` : ''}`);
}
