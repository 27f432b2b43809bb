// Shared pieces of the balancer tests: an event recorder, a keep-alive HTTP client, and a
// bounded open-loop load (requests on schedule, whatever the latency). 127.0.0.1 only.
import http from 'node:http';
import { afterEach } from 'vitest';
import { Balancer, type BalancerListener, type DetectionVia, type RequestOutcome } from '../../../electron/engine/balancer/index';
import type { BalancerSettingsPatch } from '../../../shared/contract/model';
import { BalancerSettings } from '../../../shared/contract/model';
import { EchoUpstream, type EchoUpstreamOptions } from '../../support/echo-upstream';

export type BalancerEvent =
  | { kind: 'detected'; nodeId: string; via: DetectionVia; at: number; reason: string }
  | { kind: 'ejected'; nodeId: string; via: DetectionVia; at: number; untilAt: number | null }
  | { kind: 'readmitted'; nodeId: string; at: number; via: 'active' | 'timer' | 'lab' }
  | { kind: 'firstServed'; nodeId: string; at: number };

export class EventRecorder implements BalancerListener {
  readonly events: BalancerEvent[] = [];
  private waiters = new Set<() => void>();

  onDetected(e: { nodeId: string; via: DetectionVia; at: number; reason: string }): void {
    this.push({ kind: 'detected', ...e });
  }
  onEjected(e: { nodeId: string; via: DetectionVia; at: number; untilAt: number | null }): void {
    this.push({ kind: 'ejected', ...e });
  }
  onReadmitted(e: { nodeId: string; at: number; via: 'active' | 'timer' | 'lab' }): void {
    this.push({ kind: 'readmitted', ...e });
  }
  onFirstServed(e: { nodeId: string; at: number }): void {
    this.push({ kind: 'firstServed', ...e });
  }

  of<K extends BalancerEvent['kind']>(kind: K, nodeId?: string): Array<Extract<BalancerEvent, { kind: K }>> {
    return this.events.filter((e): e is Extract<BalancerEvent, { kind: K }> => e.kind === kind && (nodeId === undefined || e.nodeId === nodeId));
  }

  /** Resolves with the first event matching, now or later; rejects after timeoutMs. */
  waitFor<K extends BalancerEvent['kind']>(kind: K, nodeId: string, timeoutMs = 5_000, after = 0): Promise<Extract<BalancerEvent, { kind: K }>> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.of(kind, nodeId).find((e) => e.at >= after);
        if (!found) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no ${kind} for ${nodeId} within ${timeoutMs} ms; events: ${JSON.stringify(this.events)}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  private push(e: BalancerEvent): void {
    this.events.push(e);
    for (const w of [...this.waiters]) w();
  }
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

export function request(url: string, options: { method?: string; path?: string; headers?: http.OutgoingHttpHeaders; body?: Buffer | string; timeoutMs?: number } = {}): Promise<Answer> {
  const target = new URL(options.path ?? '/', url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: target.hostname, port: target.port, path: target.pathname + target.search, method: options.method ?? 'GET', headers: options.headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) });
        });
      },
    );
    const timer = setTimeout(() => req.destroy(new Error('client timeout')), options.timeoutMs ?? 10_000);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(options.body);
  });
}

export interface LoadResult {
  sent: number;
  ok: number;
  failed: Array<{ at: number; status: number; error?: string; node?: string }>;
  byNode: Map<string, number>;
  retried: number;
}

/**
 * Sends `rate` requests per second for `durationMs`, open-loop (on schedule, not waiting for
 * answers), and resolves when every answer is in. A request fails on a status ≥ 500, a
 * connection error, or no answer within timeoutMs.
 */
export async function openLoop(url: string, options: { rate: number; durationMs: number; path?: string; method?: string; timeoutMs?: number; onTick?: (sent: number) => void }): Promise<LoadResult> {
  const result: LoadResult = { sent: 0, ok: 0, failed: [], byNode: new Map(), retried: 0 };
  const pending: Array<Promise<void>> = [];
  const started = performance.now();
  const total = Math.round((options.rate * options.durationMs) / 1000);
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - started) * options.rate) / 1000));
      while (result.sent < due) {
        result.sent++;
        options.onTick?.(result.sent);
        const at = performance.now();
        pending.push(
          request(url, { method: options.method ?? 'GET', path: options.path ?? '/kv/k', timeoutMs: options.timeoutMs ?? 5_000 }).then(
            (answer) => {
              const node = answer.headers['x-firedrill-node'] as string | undefined;
              if (Number(answer.headers['x-firedrill-tries'] ?? 1) > 1) result.retried++;
              if (answer.status >= 500) result.failed.push({ at, status: answer.status, node, error: answer.body.toString() });
              else {
                result.ok++;
                if (node) result.byNode.set(node, (result.byNode.get(node) ?? 0) + 1);
              }
            },
            (error: Error) => void result.failed.push({ at, status: 0, error: error.message }),
          ),
        );
      }
      if (result.sent >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 2);
  });
  await Promise.all(pending);
  return result;
}

/** Runs `count` requests with `concurrency` in flight (closed loop); returns the answering node of each. */
export async function closedLoop(url: string, count: number, concurrency: number, path = '/'): Promise<string[]> {
  const nodes: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        const answer = await request(url, { path });
        if (answer.status !== 200) throw new Error(`status ${answer.status}: ${answer.body.toString()}`);
        nodes.push(answer.headers['x-firedrill-node'] as string);
      }
    }),
  );
  return nodes;
}

export function countBy(values: readonly string[]): Record<string, number> {
  const out = Object.create(null) as Record<string, number>; // node ids like `constructor` are keys too
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

/** Settings for tests: the contract's defaults with a patch on top. */
export function settings(patch: BalancerSettingsPatch = {}): BalancerSettings {
  const d = BalancerSettings.parse({});
  return BalancerSettings.parse({ ...d, ...patch, health: { ...d.health, ...patch.health }, passive: { ...d.passive, ...patch.passive }, retry: { ...d.retry, ...patch.retry } });
}

/** Balancers and echo upstreams for one test file, closed after each test. */
export function useLab(): {
  balancer: (patch?: BalancerSettingsPatch) => Promise<{ balancer: Balancer; events: EventRecorder; outcomes: RequestOutcome[] }>;
  echo: (options: EchoUpstreamOptions) => Promise<EchoUpstream>;
} {
  const balancers: Balancer[] = [];
  const echoes: EchoUpstream[] = [];
  afterEach(async () => {
    await Promise.all(balancers.splice(0).map((b) => b.close()));
    await Promise.all(echoes.splice(0).map((e) => e.stop()));
  });
  return {
    balancer: async (patch = {}) => {
      const events = new EventRecorder();
      const balancer = new Balancer({ settings: settings(patch), listener: events });
      balancers.push(balancer);
      await balancer.listen(0);
      const outcomes: RequestOutcome[] = [];
      balancer.onOutcome((o) => outcomes.push(o));
      return { balancer, events, outcomes };
    },
    echo: async (options) => {
      const upstream = await EchoUpstream.start(options);
      echoes.push(upstream);
      return upstream;
    },
  };
}

