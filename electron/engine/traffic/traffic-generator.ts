// Open-loop client traffic toward the balancer: requests leave on schedule whatever the latency.
import { Pool } from 'undici';
import type { z } from 'zod';
import { TrafficSettings, type LatencySummary, type TrafficStats } from '../../../shared/contract/model';
import { now } from '../clock';
import { LatencyHistogram } from '../metrics/latency-histogram';
import { OperationPlan, type OperationKind } from './operation-plan';
import { ValueCodec, type WriteLedger } from './write-ledger';

/** The timer wakes at most this far apart (it wakes earlier for the next due request). */
const WAKE_MS = 4;
/** Connections to the target at most; requests past it wait in the pool (and it shows in latency). */
const MAX_CONNECTIONS = 512;

export type TrafficSettingsInput = z.input<typeof TrafficSettings>;
/** A live change: any setting but the seed (the operation stream is fixed at the start). */
export type TrafficSettingsPatch = Partial<Omit<TrafficSettings, 'seed'>>;

/** One request as the client saw it. */
export interface TrafficOutcome {
  /** When the request was scheduled to leave (epoch ms); latency is measured from here. */
  at: number;
  latencyMs: number;
  kind: OperationKind;
  key: string;
  ok: boolean;
  /** HTTP status; 0 when there was no answer. */
  status: number;
  nodeId: string | null;
  tries: number;
  error?: string;
  /** Writes: the value sent. */
  value?: string;
  /** Acknowledged writes: the server's log sequence number. */
  lsn?: number;
}

export type TrafficOutcomeListener = (outcome: TrafficOutcome) => void;

/** How well the schedule was kept. */
export interface ScheduleStats {
  /** Requests whose time came (sent + dropped). */
  intended: number;
  sent: number;
  dropped: number;
  inFlight: number;
  /** Send time minus intended time, ms. */
  lag: LatencySummary;
}

export interface TrafficGeneratorOptions {
  /** The balancer's base URL (or a server's): requests go to `{baseUrl}/kv/{key}`. */
  baseUrl: string;
  /** Validated and completed with the contract's defaults. */
  settings: TrafficSettingsInput;
  ledger?: WriteLedger;
  /** Called once when the run has ended (duration elapsed or `stop()`) and every request settled. */
  onDone?(): void;
}

/** One request in flight. */
class Pending {
  done = false;
  timedOut = false;
  readonly controller = new AbortController();

  constructor(
    readonly intendedAt: number,
    readonly deadline: number,
    readonly kind: OperationKind,
    readonly key: string,
    readonly value: string | undefined,
  ) {}
}

class NodeTally {
  ok = 0;
  failed = 0;
  readonly latency = new LatencyHistogram(3);
}

/**
 * Sends `rate` requests per second for `durationMs`, open-loop: one timer wakes every few ms and
 * sends every request whose time has come, and latency is measured from each request's intended
 * send time, so a stall shows in every request scheduled during it (no coordinated omission).
 * Past `maxInFlight` a due request is dropped and counted, never delayed. The operation stream
 * (read/write, key) is a function of `seed` alone.
 */
export class TrafficGenerator {
  private settings: TrafficSettings;
  private readonly plan: OperationPlan;
  private readonly ledger: WriteLedger | undefined;
  private readonly codec: ValueCodec;
  private readonly onDone: (() => void) | undefined;
  private readonly origin: string;
  private readonly pathPrefix: string;
  private pool: Pool | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<TrafficOutcomeListener>();

  private state: 'idle' | 'sending' | 'draining' | 'done' = 'idle';
  private startedAt = 0;
  private endAt = 0;
  /** The schedule: request i leaves at anchorAt + (i - anchorIndex) * intervalMs. */
  private anchorAt = 0;
  private anchorIndex = 0;
  private intervalMs = 0;
  private index = 0;
  private nextAt = 0;
  private localSeq = 0;
  private finished: Promise<void> | null = null;
  private resolveFinished: (() => void) | null = null;

  /** In flight, in send order; timeouts are swept from the head. */
  private queue: Pending[] = [];
  private queueHead = 0;
  private inFlight = 0;

  private sent = 0;
  private ok = 0;
  private failed = 0;
  private dropped = 0;
  private retried = 0;
  private readsSent = 0;
  private readsFailed = 0;
  private writesSent = 0;
  private writesFailed = 0;
  private readonly latency = new LatencyHistogram(3);
  private readonly lag = new LatencyHistogram(3);
  private readonly perNode = new Map<string, NodeTally>();

  constructor(options: TrafficGeneratorOptions) {
    this.settings = TrafficSettings.parse(options.settings);
    this.plan = new OperationPlan(this.settings);
    this.ledger = options.ledger;
    this.codec = options.ledger?.codec ?? new ValueCodec();
    this.onDone = options.onDone;
    const url = new URL(options.baseUrl);
    if (url.protocol !== 'http:') throw new Error(`traffic: ${options.baseUrl} is not an http:// URL`);
    this.origin = url.origin;
    this.pathPrefix = url.pathname.replace(/\/+$/, '');
  }

  /** True from `start()` until the run has ended and every request has settled. */
  get running(): boolean {
    return this.state === 'sending' || this.state === 'draining';
  }

  /** Starts sending; returns `stop`. A generator runs once. */
  start(): () => Promise<void> {
    if (this.state !== 'idle') throw new Error('traffic: a generator runs once; make a new one');
    this.pool = new Pool(this.origin, {
      connections: Math.min(this.settings.maxInFlight, MAX_CONNECTIONS),
      pipelining: 1,
      // The client timeout is ours (swept below); these only guard against a leak.
      headersTimeout: this.settings.timeoutMs + 5_000,
      bodyTimeout: this.settings.timeoutMs + 5_000,
    });
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    this.state = 'sending';
    this.startedAt = now();
    this.endAt = this.startedAt + this.settings.durationMs;
    this.intervalMs = 1000 / this.settings.rate;
    this.anchorAt = this.startedAt;
    this.anchorIndex = 0;
    this.index = 0;
    this.nextAt = this.startedAt;
    this.pump();
    return () => this.stop();
  }

  /** Stops sending and waits for the requests in flight (each ends by its timeout at the latest). */
  async stop(): Promise<void> {
    if (this.state === 'idle') {
      this.state = 'done';
      return;
    }
    if (this.state === 'sending') this.state = 'draining';
    this.pump();
    await this.finished;
  }

  /** Live change: rate (the schedule re-anchors now), mix, keys, sizes, timeout, cap, duration. */
  update(patch: TrafficSettingsPatch): void {
    const change = stripUndefined(patch as Partial<TrafficSettings>);
    if (change.seed !== undefined && change.seed !== this.settings.seed) throw new Error('traffic: the seed cannot change during a run');
    // Validated as a whole (the contract's schema), so a bad patch changes nothing.
    const next = TrafficSettings.parse({ ...this.settings, ...change });
    const rateChanged = next.rate !== this.settings.rate;
    this.settings = next;
    this.plan.update({ readShare: next.readShare, keys: change.keys, distribution: change.distribution });
    if (this.state !== 'sending') return;
    // Requests already due leave at the old rate; the new rate counts from now.
    if (rateChanged) this.pump();
    if (this.state !== 'sending') return;
    this.endAt = this.startedAt + next.durationMs;
    if (rateChanged) {
      const interval = 1000 / next.rate;
      this.anchorAt = Math.min(this.nextAt, now() + interval);
      this.anchorIndex = this.index;
      this.intervalMs = interval;
      this.nextAt = this.anchorAt;
    }
    this.rearm();
  }

  /** Subscribes to client-side outcomes; returns the unsubscribe function. */
  onOutcome(listener: TrafficOutcomeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stats(): TrafficStats {
    const perNode: TrafficStats['perNode'] = {};
    for (const [id, tally] of this.perNode) perNode[id] = { ok: tally.ok, failed: tally.failed, latency: tally.latency.summary() };
    return {
      sent: this.sent,
      ok: this.ok,
      failed: this.failed,
      dropped: this.dropped,
      retried: this.retried,
      reads: { sent: this.readsSent, failed: this.readsFailed },
      writes: { sent: this.writesSent, failed: this.writesFailed },
      latency: this.latency.summary(),
      perNode,
    };
  }

  schedule(): ScheduleStats {
    return { intended: this.sent + this.dropped, sent: this.sent, dropped: this.dropped, inFlight: this.inFlight, lag: this.lag.summary() };
  }

  /** Resolves when the run has ended and every request has settled. */
  done(): Promise<void> {
    return this.finished ?? Promise.resolve();
  }

  private readonly pump = (): void => {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const t = now();
    this.sweep(t);
    if (this.state === 'sending') {
      while (this.nextAt <= t) {
        if (this.nextAt >= this.endAt) break;
        this.fire(this.nextAt, t);
        this.index++;
        this.nextAt = this.anchorAt + (this.index - this.anchorIndex) * this.intervalMs;
      }
      if (this.nextAt >= this.endAt) this.state = 'draining';
    }
    if (this.state === 'draining' && this.inFlight === 0) {
      void this.finish();
      return;
    }
    this.rearm();
  };

  private rearm(): void {
    if (this.state !== 'sending' && this.state !== 'draining') return;
    if (this.timer !== null) clearTimeout(this.timer);
    let delay = WAKE_MS;
    if (this.state === 'sending') delay = Math.min(delay, Math.max(0, Math.min(this.nextAt, this.endAt) - now()));
    this.timer = setTimeout(this.pump, Math.max(1, Math.floor(delay)));
  }

  /** The request scheduled at `intendedAt` is due: send it, or drop it past the cap. */
  private fire(intendedAt: number, t: number): void {
    // Drawn even when dropped: the operation stream never depends on timing.
    const op = this.plan.next();
    if (this.inFlight >= this.settings.maxInFlight) {
      this.dropped++;
      return;
    }
    const key = this.plan.keyName(op.keyIndex);
    const write = op.kind === 'write';
    let value: string | undefined;
    if (write) value = this.ledger ? this.ledger.prepare(key, this.settings.valueBytes) : this.codec.encode(key, this.localSeq++, this.settings.valueBytes);
    const pending = new Pending(intendedAt, t + this.settings.timeoutMs, op.kind, key, value);
    this.queue.push(pending);
    this.inFlight++;
    this.sent++;
    if (write) this.writesSent++;
    else this.readsSent++;
    this.lag.record(t - intendedAt);
    void this.send(pending);
  }

  private async send(p: Pending): Promise<void> {
    let status = 0;
    let nodeId: string | null = null;
    let tries = 1;
    let lsn: number | undefined;
    try {
      const res = await this.pool!.request({
        path: `${this.pathPrefix}/kv/${p.key}`,
        method: p.kind === 'write' ? 'PUT' : 'GET',
        body: p.value ?? null,
        signal: p.controller.signal,
      });
      status = res.statusCode;
      nodeId = firstHeader(res.headers['x-firedrill-node']);
      tries = Number(firstHeader(res.headers['x-firedrill-tries'])) || 1;
      if (p.kind === 'write' && status === 200) {
        const body = (await res.body.json()) as { lsn?: unknown };
        lsn = typeof body.lsn === 'number' ? body.lsn : -1;
      } else {
        await res.body.dump();
      }
      const ok = status === 200 || (p.kind === 'read' && status === 404);
      this.settle(p, ok, status, nodeId, tries, ok ? undefined : `http ${status}`, lsn);
    } catch (error) {
      // A write whose answer was 200 but whose body broke is still of unknown outcome.
      this.settle(p, false, status, nodeId, tries, p.timedOut ? 'timeout' : describe(error), undefined);
    }
  }

  private settle(p: Pending, ok: boolean, status: number, nodeId: string | null, tries: number, error: string | undefined, lsn: number | undefined): void {
    if (p.done) return;
    p.done = true;
    this.inFlight--;
    const at = now();
    const latencyMs = at - p.intendedAt;
    this.latency.record(latencyMs);
    if (ok) this.ok++;
    else {
      this.failed++;
      if (p.kind === 'write') this.writesFailed++;
      else this.readsFailed++;
    }
    if (tries > 1) this.retried++;
    if (nodeId !== null) {
      let tally = this.perNode.get(nodeId);
      if (!tally) this.perNode.set(nodeId, (tally = new NodeTally()));
      if (ok) tally.ok++;
      else tally.failed++;
      tally.latency.record(latencyMs);
    }
    if (this.ledger && p.value !== undefined) {
      if (ok) this.ledger.acknowledge(p.key, p.value, lsn ?? -1, at);
      else this.ledger.unknownOutcome(p.key, p.value);
    }
    if (this.listeners.size > 0) {
      const outcome: TrafficOutcome = { at: p.intendedAt, latencyMs, kind: p.kind, key: p.key, ok, status, nodeId, tries };
      if (error !== undefined) outcome.error = error;
      if (p.value !== undefined) outcome.value = p.value;
      if (lsn !== undefined) outcome.lsn = lsn;
      for (const listener of this.listeners) {
        try {
          listener(outcome);
        } catch (err) {
          console.error('traffic outcome listener failed', err);
        }
      }
    }
    if (this.inFlight === 0 && this.state === 'draining') void this.finish();
  }

  /** Aborts requests past their deadline; the queue is in send order, so mostly in deadline order. */
  private sweep(t: number): void {
    const queue = this.queue;
    while (this.queueHead < queue.length) {
      const p = queue[this.queueHead]!;
      if (!p.done) {
        if (p.deadline > t) break;
        p.timedOut = true;
        p.controller.abort();
      }
      this.queueHead++;
    }
    // A slow request at the head holds finished ones behind it: drop those now and then, so the
    // queue stays near the number in flight (amortised O(1) per request).
    if (queue.length - this.queueHead > 2 * this.inFlight + 1024) {
      this.queue = queue.slice(this.queueHead).filter((p) => !p.done);
      this.queueHead = 0;
    } else if (this.queueHead > 1024 && this.queueHead * 2 > queue.length) {
      this.queue = queue.slice(this.queueHead);
      this.queueHead = 0;
    }
  }

  private async finish(): Promise<void> {
    if (this.state === 'done') return;
    this.state = 'done';
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
    this.queueHead = 0;
    const pool = this.pool;
    this.pool = null;
    try {
      await pool?.close();
    } catch {
      await pool?.destroy().catch(() => undefined);
    }
    this.resolveFinished?.();
    try {
      this.onDone?.();
    } catch (error) {
      console.error('traffic onDone failed', error);
    }
  }
}

function firstHeader(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

function describe(error: unknown): string {
  if (error && typeof error === 'object') {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  }
  return String(error);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
