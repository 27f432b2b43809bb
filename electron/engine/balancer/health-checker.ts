// Active detection: every `intervalMs` each upstream gets `GET <its health path>` (its own, else
// the settings' `health.path`) on a connection of its own (probes never queue behind traffic),
// answered within `timeoutMs` with a 2xx/3xx to pass. An upstream with no path (null) is not
// probed; one whose path cannot be sent fails every probe, with the reason. Probes run on a fixed cadence even when the previous one is still out, so a frozen node
// is seen after about interval + timeout + (fall-1) × interval. `fall` failures in a row: detected
// ('active') and ejected; `rise` passes in a row put back a node that is out — not before a
// passive ejection ran its time, and not a node whose process exited until `nodeStarted`.
import { Pool } from 'undici';
import type { HealthCheckSettings } from '../../../shared/contract/model';
import { now } from '../clock';
import { quotePath, requestPath } from '../fleet/health-path';
import type { Upstream, UpstreamPool } from './upstream-pool';

const PROBE_HEADERS = { 'user-agent': 'firedrill-health' };

export class HealthChecker {
  private readonly clients = new Map<Upstream, Pool>();
  private timer: NodeJS.Timeout | null = null;
  private settings: HealthCheckSettings | null = null;
  /**
   * Bumped by every `configure` and `close`: a probe sent before judges nothing. Turning checks off
   * destroys the probes' pools, and a probe still out then failed with UND_ERR_DESTROYED, counted
   * against a healthy node and, with checks off, nothing ever put it back (its lab answered 503 to
   * every request: seen in the lab's tests and a drill walked by hand, 1 run in 12 here).
   */
  private generation = 0;

  constructor(private readonly pool: UpstreamPool) {}

  /** (Re)starts probing with these settings; stops when they say disabled. */
  configure(settings: HealthCheckSettings): void {
    this.generation++;
    this.stopTimer();
    this.settings = settings;
    if (!settings.enabled) {
      void this.closeClients();
      return;
    }
    this.timer = setInterval(this.tick, settings.intervalMs);
    this.timer.unref();
    this.tick();
  }

  /** Probes now (the lab calls this after upstreams change, so new nodes are checked at once). */
  readonly tick = (): void => {
    const settings = this.settings;
    if (!settings?.enabled) return;
    for (const [u, client] of this.clients) {
      if (u.removed) {
        this.clients.delete(u);
        client.destroy().catch(() => undefined);
      }
    }
    for (const u of this.pool.all) {
      // Nothing a probe does may throw out of this timer: it would end the engine.
      try {
        this.probe(u, settings);
      } catch (error) {
        this.fail(u, now(), `the probe could not be sent: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };

  /** False for an upstream with no health path of its own and none to inherit: only exits and traffic judge it. */
  probes(u: Upstream): boolean {
    return u.healthPath !== null;
  }

  async close(): Promise<void> {
    this.generation++;
    this.stopTimer();
    this.settings = null;
    await this.closeClients();
  }

  private probe(u: Upstream, settings: HealthCheckSettings): void {
    if (!this.probes(u)) return;
    const wanted = u.healthPath ?? settings.path;
    const request = requestPath(wanted);
    if (!request.ok) {
      this.fail(u, now(), `health path ${quotePath(wanted)} cannot be sent: ${request.reason}`);
      return;
    }
    const path = request.path;
    let client = this.clients.get(u);
    if (!client) {
      // Enough connections for the probes that can overlap (a frozen node holds each until its timeout).
      const connections = Math.min(8, Math.ceil(settings.timeoutMs / settings.intervalMs) + 1);
      client = new Pool(`http://127.0.0.1:${u.port}`, { connections, pipelining: 1, keepAliveTimeout: 2_000, headersTimeout: 0, bodyTimeout: 0 });
      this.clients.set(u, client);
    }
    const epoch = u.healthEpoch;
    const generation = this.generation;
    const abort = new AbortController();
    let timedOutAt = 0;
    let settled = false;
    let check: NodeJS.Immediate | undefined;
    const dueAt = now() + settings.timeoutMs;
    let extended = false;
    const expire = (): void => {
      // After a stall of the engine itself (GC, a busy machine), timers run before the loop reads the
      // sockets: an answer that came in time may be waiting unread. Judge after the I/O phase.
      check = setImmediate(() => {
        if (settled) return;
        const lateBy = now() - dueAt;
        // Stalled for more than half the timeout, the engine may not even have sent the probe in
        // time: give it the timeout once more rather than blame the node for the engine's pause.
        if (lateBy > settings.timeoutMs / 2 && !extended) {
          extended = true;
          timer = setTimeout(expire, settings.timeoutMs);
          return;
        }
        timedOutAt = now();
        abort.abort();
      });
    };
    let timer = setTimeout(expire, settings.timeoutMs);
    client
      .request({ path, method: 'GET', headers: PROBE_HEADERS, signal: abort.signal })
      .then(
        (res) => {
          const at = now();
          settled = true;
          clearTimeout(timer);
          if (check) clearImmediate(check);
          res.body.dump().catch(() => undefined);
          if (u.healthEpoch !== epoch || generation !== this.generation) return;
          if (timedOutAt !== 0) return this.fail(u, timedOutAt, `no answer to ${path} within ${settings.timeoutMs} ms`);
          if (res.statusCode >= 200 && res.statusCode < 400) this.pass(u, at);
          else this.fail(u, at, `${path} answered ${res.statusCode}`);
        },
        (error: unknown) => {
          const at = timedOutAt || now();
          settled = true;
          clearTimeout(timer);
          if (check) clearImmediate(check);
          if (u.healthEpoch !== epoch || generation !== this.generation) return;
          const code = (error as { code?: string }).code ?? String(error);
          this.fail(u, at, timedOutAt ? `no answer to ${path} within ${settings.timeoutMs} ms` : `${path}: ${code}`);
        },
      );
  }

  private pass(u: Upstream, at: number): void {
    const settings = this.settings;
    if (!settings || u.removed) return;
    u.healthFails = 0;
    u.healthPasses++;
    this.pool.clearDetected(u, 'active');
    if (u.state === 'in-rotation' || u.healthPasses < settings.rise) return;
    if (u.state === 'down' && !u.running) return;
    if (u.state === 'ejected' && u.ejectedVia === 'passive' && u.ejectedUntil !== null && at < u.ejectedUntil) return;
    if (u.state === 'standby') return;
    this.pool.readmit(u, 'active', at);
  }

  private fail(u: Upstream, at: number, reason: string): void {
    const settings = this.settings;
    if (!settings || u.removed) return;
    u.healthPasses = 0;
    u.healthFails++;
    if (u.healthFails < settings.fall) return;
    this.pool.detect(u, 'active', at, reason);
    if (u.state === 'in-rotation') this.pool.eject(u, 'active', at, null);
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async closeClients(): Promise<void> {
    const clients = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(clients.map((c) => c.destroy().catch(() => undefined)));
  }
}
