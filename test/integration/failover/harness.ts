// A lab in miniature for failover tests: a real FleetSupervisor running the real bundled server,
// the real FailoverController, CheckpointShipper and IncidentTracker, wired the way the lab wires
// them, and a balancer stand-in that only records what it is told.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import type { NodeSnapshot, TopologySpec } from '../../../shared/contract/model';
import { FleetSupervisor } from '../../../electron/engine/fleet/index';
import { CheckpointShipper } from '../../../electron/engine/failover/checkpoint-shipper';
import { FailoverController, type BalancerPort, type Detection, type FailedOver } from '../../../electron/engine/failover/failover-controller';
import { fleetForTopology, type UpstreamTarget } from '../../../electron/engine/failover/topology';
import { labNodeSecret } from '../../../electron/engine/fleet/node-launch';
import { httpRequest } from '../../../electron/engine/http-request';
import { IncidentTracker } from '../../../electron/engine/incidents/incident-tracker';
import { killLeftovers, Recorder, refOf, type ProcessRef } from '../fleet/helpers';
import { sleep } from '../../../shared/sleep';

/** Records every call; on `nodeExited` it reports a detection via exit, as the real balancer does. */
export class RecordingBalancer implements BalancerPort {
  readonly calls: Array<{ op: 'setUpstreams'; targets: UpstreamTarget[] } | { op: 'nodeExited' | 'nodeStarted'; id: string }> = [];
  onDetected: (e: Detection) => void = () => {};

  setUpstreams(targets: UpstreamTarget[]): void {
    this.calls.push({ op: 'setUpstreams', targets: targets.map((t) => ({ ...t })) });
  }

  nodeExited(id: string, at: number): void {
    this.calls.push({ op: 'nodeExited', id });
    this.onDetected({ nodeId: id, via: 'exit', at, reason: 'process exited' });
  }

  nodeStarted(id: string): void {
    this.calls.push({ op: 'nodeStarted', id });
  }

  upstreamSets(): string[][] {
    return this.calls.flatMap((c) => (c.op === 'setUpstreams' ? [c.targets.map((t) => t.id)] : []));
  }
}

export class FailoverLab {
  readonly recorder = new Recorder();
  readonly runDir = mkdtempSync(join(tmpdir(), 'firedrill-failover-'));
  readonly balancer = new RecordingBalancer();
  readonly tracker = new IncidentTracker();
  readonly failedOver: FailedOver[] = [];
  readonly fleet: FleetSupervisor;
  readonly shipper: CheckpointShipper;
  readonly controller: FailoverController;
  private readonly started: ProcessRef[] = [];
  private readonly agent = new Agent({ connections: 16 });
  /** The secret the lab's nodes were started with (the supervisor passes it in their environment). */
  readonly nodeSecret = labNodeSecret(this.runDir);

  constructor(readonly topology: TopologySpec) {
    const { recorder, started, tracker } = this;
    const timeline = (kind: string, nodeId: string | undefined, detail: Record<string, unknown>, at: number): void => {
      recorder.onTimeline({ at, kind, nodeId, detail });
      tracker.timelineEvent({ kind, nodeId, at, detail });
    };
    this.fleet = new FleetSupervisor({
      runDir: this.runDir,
      logFlushMs: 50,
      listener: {
        onNodeChanged: (n) => recorder.onNodeChanged(n),
        onLogs: (lines, dropped) => {
          this.shipper.onLogs(lines);
          this.controller.onLogs(lines);
          tracker.logLines(lines);
          recorder.onLogs(lines, dropped);
        },
        onTimeline: (e) => {
          // Emitted synchronously right after the spawn: the pid is certainly our child here.
          const ref = e.kind === 'node.starting' && typeof e.detail?.pid === 'number' ? refOf(e.detail.pid) : undefined;
          if (ref) started.push(ref);
          timeline(e.kind, e.nodeId, e.detail ?? {}, e.at);
          // As the lab does: exits and readiness go to the controller at once (a restart may be pending).
          if (e.kind === 'node.exited' && e.nodeId) this.controller.nodeExited(e.nodeId, e.at, { byLab: e.detail?.byLab === true });
          if (e.kind === 'node.ready' && e.nodeId) this.controller.nodeReady(e.nodeId);
        },
      },
    });
    this.shipper = new CheckpointShipper({ runDir: this.runDir, fleet: this.fleet, listener: { onTimeline: timeline } });
    this.controller = new FailoverController({
      topology,
      fleet: this.fleet,
      balancer: this.balancer,
      shipper: this.shipper,
      runDir: this.runDir,
      nodeSecret: this.nodeSecret,
      listener: {
        onTimeline: timeline,
        onFailedOver: (e) => {
          this.failedOver.push(e);
          tracker.failedOver(e);
        },
      },
    });
    this.balancer.onDetected = (e) => {
      tracker.detected(e);
      this.controller.detected(e);
    };
  }

  async start(): Promise<NodeSnapshot[]> {
    const nodes = await this.fleet.start(fleetForTopology(this.topology));
    this.controller.start();
    return nodes;
  }

  node(id: string): NodeSnapshot {
    const node = this.fleet.node(id);
    if (!node) throw new Error(`no node ${id}`);
    return node;
  }

  events(kind: string, nodeId?: string): Array<{ at: number; kind: string; nodeId?: string; detail?: Record<string, unknown> }> {
    return this.recorder.events(kind, nodeId);
  }

  /** Parsed JSON log events of one node so far. */
  logEvents(nodeId: string, event: string): Array<Record<string, unknown>> {
    const out: Array<Record<string, unknown>> = [];
    for (const batch of this.recorder.logBatches) {
      for (const line of batch.lines) {
        if (line.nodeId !== nodeId || line.stream !== 'stdout' || !line.text.includes(`"${event}"`)) continue;
        const parsed = JSON.parse(line.text) as Record<string, unknown>;
        if (parsed.event === event) out.push(parsed);
      }
    }
    return out;
  }

  waitFor<T>(predicate: () => T | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
    return this.recorder.waitFor(predicate, timeoutMs, what);
  }

  /** Polls an async condition (HTTP state) until true. */
  async until(check: () => Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (await check().catch(() => false)) return;
      await sleep(20);
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  }

  async request(port: number, method: string, path: string, body?: string, timeoutMs = 5_000): Promise<{ status: number; text: string }> {
    const { status, text } = await httpRequest(port, { method, path, body, timeoutMs, headers: { authorization: `Bearer ${this.nodeSecret}` }, dispatcher: this.agent });
    return { status, text };
  }

  /** An acknowledged PUT: its lsn; throws on anything else. */
  async put(port: number, key: string, value: string): Promise<number> {
    const answer = await this.request(port, 'PUT', `/kv/${encodeURIComponent(key)}`, value);
    if (answer.status !== 200) throw new Error(`PUT ${key} answered ${answer.status}: ${answer.text}`);
    return (JSON.parse(answer.text) as { lsn: number }).lsn;
  }

  async dump(port: number): Promise<{ lsn: number; entries: Record<string, string> }> {
    const answer = await this.request(port, 'GET', '/dump');
    if (answer.status !== 200) throw new Error(`dump answered ${answer.status}: ${answer.text}`);
    return JSON.parse(answer.text) as { lsn: number; entries: Record<string, string> };
  }

  async status(port: number): Promise<Record<string, unknown> & { lsn: number; role: string }> {
    return JSON.parse((await this.request(port, 'GET', '/status')).text) as Record<string, unknown> & { lsn: number; role: string };
  }

  /**
   * Writers PUT unique keys to `nodeId` until it is killed (by PID, with SIGKILL, from here: as a
   * terminal would) once `killAfterAcks` writes were acknowledged, or `beforeKill` says so.
   * Returns the acknowledged writes with their lsns and the kill time.
   */
  async streamAndKill(nodeId: string, killAfterAcks: number, ready: () => boolean = () => true): Promise<{ acked: Map<string, { value: string; lsn: number }>; killedAt: number }> {
    const { port, pid } = this.node(nodeId);
    const acked = new Map<string, { value: string; lsn: number }>();
    let next = 0;
    let killed = false;
    let killedAt = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (!killed) {
          const i = next++;
          const key = `k${String(i).padStart(6, '0')}`;
          const value = `v${i}`;
          let lsn: number;
          try {
            lsn = await this.put(port, key, value);
          } catch {
            return;
          }
          acked.set(key, { value, lsn });
          if (!killed && acked.size >= killAfterAcks && ready()) {
            killed = true;
            killedAt = performance.timeOrigin + performance.now();
            process.kill(pid as number, 'SIGKILL');
          }
        }
      }),
    );
    return { acked, killedAt };
  }

  async cleanup(): Promise<number[]> {
    this.controller.dispose();
    const reaperPid = this.fleet.reaperPid;
    const reaper = reaperPid === undefined ? undefined : refOf(reaperPid);
    if (reaper) this.started.push(reaper);
    await this.shipper.dispose();
    await this.fleet.dispose(500).catch(() => {});
    await this.agent.destroy();
    const leftovers = killLeftovers(this.started);
    rmSync(this.runDir, { recursive: true, force: true });
    return leftovers;
  }
}

/** Acknowledged writes missing (or different) in `entries`. */
export function missing(acked: ReadonlyMap<string, { value: string }>, entries: Record<string, string>): string[] {
  return [...acked].filter(([key, { value }]) => entries[key] !== value).map(([key]) => key);
}
