// The lab's recording: everything it emits, with the engine time of each, in keyframe segments,
// bounded by age and by bytes; and the captures that keep a whole drill run for its report.
import { ContractError, type LabSnapshot, type MetricsTick, type Unsubscribe } from '../../../shared/contract/index.js';
import { packTick, type PackedTick } from '../../../shared/replay/packed-tick.js';
import { RECORDING_FORMAT, type Keyframe, type Recording, type RecordingEntry, type RecordingInfo, type RecordingRange } from '../../../shared/replay/recording.js';
import { now as clockNow, type Clock } from '../clock.js';
import type { Disposable } from '../disposables.js';
import { SizeEstimator } from './size-estimator.js';

export interface RecordingSettings {
  /** A keyframe (a whole `lab.state`) this often, and at the start (default 10 s). */
  keyframeEveryMs: number;
  /** The live recording keeps at least this much of the past, and little more (default 30 min). */
  maxAgeMs: number;
  /** ... and at most this many bytes (estimated as JSON) of keyframes and entries (default 96 MiB). */
  maxBytes: number;
  /** Log batches are capped apart: they can dominate (default 8 MiB). */
  maxLogBytes: number;
  /**
   * One `recording.get` / `report.recording` answer carries at most this much (default 4 MiB): the
   * contract host closes a WebSocket client with 8 MiB queued (DEFAULT_CONNECTION_LIMITS), so one
   * answer must stay well under that while ticks keep coming.
   */
  maxStretchBytes: number;
  /** A drill run's capture keeps every entry up to this much; past it, keyframes only (default 128 MiB). */
  maxCaptureBytes: number;
}

export const defaultRecordingSettings: RecordingSettings = {
  keyframeEveryMs: 10_000,
  maxAgeMs: 30 * 60_000,
  maxBytes: 96 * 1024 * 1024,
  maxLogBytes: 8 * 1024 * 1024,
  maxStretchBytes: 4 * 1024 * 1024,
  maxCaptureBytes: 128 * 1024 * 1024,
};

export interface LabRecordingOptions {
  /** The whole lab now (`lab.state`). */
  snapshot: () => LabSnapshot;
  /** The lab's event stream (`Lab.onEvent`'s). */
  subscribe: (listener: (name: string, payload: unknown) => void) => Unsubscribe;
  now?: Clock;
  settings?: Partial<RecordingSettings>;
  /** Take keyframes on a timer (default true; tests step the clock and call `keyframe()`). */
  timer?: boolean;
}

/** A keyframe and the entries after it, up to the next keyframe: what is dropped, whole, when the bounds are reached. */
interface Segment {
  keyframe: Keyframe;
  entries: RecordingEntry[];
  bytes: number;
}

/** Events not in `lab.state` that a replay carries from keyframe to keyframe: the latest of each. */
const CARRIED: Record<string, 'metrics' | 'drill'> = { 'metrics.tick': 'metrics', 'drill.step': 'drill', 'drill.verdict': 'drill' };
const LOG_EVENT = 'log.batch';
const TICK_EVENT = 'metrics.tick';
/** Keyframes taken for a change no event describes come at most this often. */

/** A drill run's stretch, kept whole from its start (a keyframe) until `end()`. */
export interface RunCapture {
  /** The run's recording; the capture stops (once: later calls give the same). */
  end(): Recording;
}

class Capture implements RunCapture {
  readonly keyframes: Keyframe[] = [];
  readonly entries: RecordingEntry[] = [];
  readonly logs: RecordingEntry[] = [];
  bytes = 0;
  logBytes = 0;
  droppedEntries = 0;
  droppedLogs = 0;

  constructor(
    readonly startedAt: number,
    private readonly finish: (capture: Capture) => Recording,
  ) {}

  private result: Recording | undefined;

  end(): Recording {
    this.result ??= this.finish(this);
    return this.result;
  }
}

export class LabRecording implements Disposable {
  readonly settings: RecordingSettings;
  private readonly now: Clock;
  private readonly segments: Segment[] = [];
  private readonly logs: Array<{ entry: RecordingEntry; bytes: number }> = [];
  private readonly sizes = new SizeEstimator();
  private readonly captures = new Set<Capture>();
  private readonly carried: Keyframe['carried'] = {};
  private seq = 0;
  private lastTickIds: string[] | undefined;
  private bytes = 0;
  private logBytes = 0;
  private dropped = { segments: 0, logBatches: 0 };
  private unsubscribe: Unsubscribe | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: LabRecordingOptions) {
    this.settings = { ...defaultRecordingSettings, ...options.settings };
    this.now = options.now ?? clockNow;
  }

  /** Starts recording: a keyframe now, then every event, and a keyframe every `keyframeEveryMs`. */
  start(): this {
    if (this.unsubscribe) return this;
    this.keyframe();
    this.unsubscribe = this.options.subscribe((name, payload) => this.record(name, payload));
    if (this.options.timer ?? true) {
      this.timer = setInterval(() => this.keyframe(), this.settings.keyframeEveryMs);
      this.timer.unref();
    }
    return this;
  }

  /** Records one event as it is emitted. Cheap: a push and a size estimate, sampled. */
  record(name: string, payload: unknown): void {
    const entry: RecordingEntry = { seq: ++this.seq, at: this.now(), event: name, payload: name === TICK_EVENT ? this.pack(payload as MetricsTick) : payload };
    if (name === LOG_EVENT) return this.recordLog(entry);
    const carried = CARRIED[name];
    if (carried) this.carried[carried] = payload;
    const bytes = this.sizes.estimate(name, entry.payload);
    const segment = this.segments[this.segments.length - 1];
    if (!segment) return;
    segment.entries.push(entry);
    segment.bytes += bytes;
    this.bytes += bytes;
    for (const capture of this.captures) {
      if (capture.bytes + bytes > this.settings.maxCaptureBytes) {
        capture.droppedEntries++;
        continue;
      }
      capture.entries.push(entry);
      capture.bytes += bytes;
    }
    // A new fleet (its old nodes are gone), where no event says so: a keyframe does. A failover's new routing comes as balancer.changed.
    if (name === 'fleet.changed' && (payload as { status?: string }).status === 'running') this.keyframe();
    else this.trim();
  }

  /** Takes a keyframe now: a new segment starts. */
  keyframe(): Keyframe {
    const keyframe: Keyframe = { at: this.now(), after: this.seq, state: structuredClone(this.options.snapshot()), carried: { ...this.carried } };
    const bytes = this.sizes.measure(keyframe);
    this.segments.push({ keyframe, entries: [], bytes });
    this.bytes += bytes;
    for (const capture of this.captures) {
      capture.keyframes.push(keyframe);
      capture.bytes += bytes;
    }
    this.trim();
    return keyframe;
  }

  /** The live recording from `from` to `to` (default all of it), within `maxStretchBytes`. */
  get(range: RecordingRange = {}): Recording {
    const at = this.now();
    const from = range.from ?? -Infinity;
    const to = Math.min(range.to ?? at, at);
    let first = 0;
    for (let i = 0; i < this.segments.length; i++) if (this.segments[i]!.keyframe.at <= from) first = i;
    const chosen: Segment[] = [];
    let bytes = 0;
    for (let i = first; i < this.segments.length && this.segments[i]!.keyframe.at <= to; i++) {
      chosen.push(this.segments[i]!);
      bytes += this.segments[i]!.bytes;
    }
    if (chosen.length === 0) {
      const oldest = this.segments[0]?.keyframe.at;
      throw new ContractError({ code: 'not-found', message: oldest === undefined ? 'the lab is not recording yet' : `the recording starts at ${oldest} (epoch ms): nothing before it is kept`, field: 'to' });
    }
    if (bytes > this.settings.maxStretchBytes) {
      const seconds = ((to - Math.max(from, chosen[0]!.keyframe.at)) / 1000) * (this.settings.maxStretchBytes / bytes);
      throw new ContractError({
        code: 'limit-exceeded',
        message: `that stretch of the recording holds about ${mib(bytes)} MiB, over the ${mib(this.settings.maxStretchBytes)} MiB one answer carries: ask for less (about ${Math.max(1, Math.floor(seconds))} s at a time, with from and to)`,
        field: 'to',
      });
    }
    const start = chosen[0]?.keyframe.at ?? at;
    return {
      format: RECORDING_FORMAT,
      startedAt: Math.max(start, Number.isFinite(from) ? from : start),
      endedAt: to,
      keyframes: chosen.map((s) => s.keyframe),
      entries: chosen.flatMap((s) => (s.entries.length > 0 && s.entries[s.entries.length - 1]!.at > to ? s.entries.filter((e) => e.at <= to) : s.entries)),
      logs: this.logs.filter((l) => l.entry.at >= start && l.entry.at <= to).map((l) => l.entry),
      dropped: { ...this.dropped },
    };
  }

  /** Its extent and weight, no contents (`recording.info`). */
  info(): RecordingInfo {
    return {
      startedAt: this.segments[0]?.keyframe.at ?? null,
      endedAt: this.now(),
      keyframes: this.segments.map((s) => s.keyframe.at),
      bytes: this.bytes,
      logBytes: this.logBytes,
      maxStretchBytes: this.settings.maxStretchBytes,
      dropped: { ...this.dropped },
    };
  }

  /** Starts keeping a drill run whole, from a keyframe now. */
  capture(): RunCapture {
    const capture = new Capture(this.now(), (c) => {
      this.captures.delete(c);
      return {
        format: RECORDING_FORMAT,
        startedAt: c.startedAt,
        endedAt: this.now(),
        keyframes: c.keyframes,
        entries: c.entries,
        logs: c.logs,
        dropped: { segments: 0, logBatches: c.droppedLogs, ...(c.droppedEntries > 0 ? { entries: c.droppedEntries } : {}) },
      };
    });
    this.captures.add(capture);
    const keyframe = this.keyframe();
    if (capture.keyframes.length === 0) capture.keyframes.push(keyframe);
    return capture;
  }

  /** What it holds now: for the lab's own checks and the tests. */
  stats(): { segments: number; entries: number; bytes: number; logBatches: number; logBytes: number; dropped: { segments: number; logBatches: number } } {
    return {
      segments: this.segments.length,
      entries: this.segments.reduce((n, s) => n + s.entries.length, 0),
      bytes: this.bytes,
      logBatches: this.logs.length,
      logBytes: this.logBytes,
      dropped: { ...this.dropped },
    };
  }

  dispose(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.captures.clear();
  }

  /** A metrics tick packed (a third of its weight); consecutive ticks of the same nodes share one id list. */
  private pack(tick: MetricsTick): PackedTick {
    const packed = packTick(tick, this.lastTickIds);
    this.lastTickIds = packed.ids;
    return packed;
  }

  private recordLog(entry: RecordingEntry): void {
    const bytes = SizeEstimator.logBatch(entry.payload);
    this.logs.push({ entry, bytes });
    this.logBytes += bytes;
    while (this.logBytes > this.settings.maxLogBytes && this.logs.length > 1) {
      this.logBytes -= this.logs.shift()!.bytes;
      this.dropped.logBatches++;
    }
    for (const capture of this.captures) {
      if (capture.logBytes + bytes > this.settings.maxLogBytes) {
        capture.droppedLogs++;
        continue;
      }
      capture.logs.push(entry);
      capture.logBytes += bytes;
    }
  }

  /** Drops the oldest whole segments while the next one still covers `maxAgeMs`, or while over `maxBytes` (the newest is always kept). */
  private trim(): void {
    const oldest = this.now() - this.settings.maxAgeMs;
    while (this.segments.length > 1) {
      const tooOld = this.segments[1]!.keyframe.at <= oldest;
      if (!tooOld && this.bytes <= this.settings.maxBytes) break;
      this.bytes -= this.segments.shift()!.bytes;
      this.dropped.segments++;
    }
    const start = this.segments[0]?.keyframe.at ?? 0;
    while (this.logs.length > 0 && this.logs[0]!.entry.at < start) {
      this.logBytes -= this.logs.shift()!.bytes;
      this.dropped.logBatches++;
    }
  }
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}
