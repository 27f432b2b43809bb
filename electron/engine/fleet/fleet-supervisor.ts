import { mkdirSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { ContractError, fromZodError } from '../../../shared/contract/errors';
import {
  BundledServerOptions,
  FleetSpec,
  RestartSettings,
  type LogLine,
  type NodeRole,
  type NodeSnapshot,
  type NodeSpec,
} from '../../../shared/contract/model';
import { serverEntry as defaultServerEntry } from '../app-paths';
import { now } from '../clock';
import { LogCollector } from './log-buffer';
import { bundledPlan, commandPlan, type BundledNode, type LaunchPlan } from './node-launch';
import { PlainNodeLauncher } from './node-launcher';
import { NodeProcess, type NodeHooks } from './node-process';
import { portIsFree, reservePorts } from './free-ports';
import type { OrphanGuard, ProcessLauncher } from './process-launcher';

export interface FleetListener {
  onNodeChanged(node: NodeSnapshot): void;
  onTimeline(event: { at: number; kind: string; nodeId?: string; detail?: Record<string, unknown> }): void;
  /** Batched every `logFlushMs`; `dropped` = lines evicted from the per-node buffers since the last batch. */
  onLogs(lines: LogLine[], dropped: number): void;
}

export interface FleetSupervisorOptions {
  runDir: string;
  listener: FleetListener;
  serverEntry?: string;
  /** How the fleet's processes and its orphan guard start; default plain Node (`PlainNodeLauncher`). */
  launcher?: ProcessLauncher;
  /** The plain Node reaper's script, for the default launcher only. */
  reaperEntry?: string;
  logFlushMs?: number;
  logLinesPerNode?: number;
  /**
   * Called once the nodes' ports are known and before any is spawned: the lab puts its fault
   * proxies in front of them here.
   */
  beforeSpawn?: (ports: ReadonlyMap<string, number>) => Promise<void>;
  /** The port a replica is reached on (default: the node's own). The lab routes replication through a fault proxy. */
  replicaPort?: (id: string) => number | undefined;
}

export type FleetStatus = 'stopped' | 'starting' | 'running' | 'stopping';

/** What `reconfigureNode` may change for a bundled node's next (re)start. */
export interface NodeReconfiguration {
  role?: 'primary' | 'standby' | 'stateless';
  /** Merged over the node's server options; a key set to undefined is removed. Replicas are node ids. */
  server?: Partial<BundledServerOptions>;
}

const DEFAULT_GRACE_MS = 2000;
const DEFAULT_RESTART = RestartSettings.parse({});

/** Starts, watches and restarts a fleet of local server processes (see README.md here). */
export class FleetSupervisor {
  private statusValue: FleetStatus = 'stopped';
  private procs = new Map<string, NodeProcess>();
  /** Nodes of an earlier start that still had a process when it was replaced: a stop ends them too. */
  private retired: NodeProcess[] = [];
  /** Changes at every start and stop: a start that was overtaken while it awaited goes no further. */
  private generation = 0;
  private portMoves: Promise<unknown> = Promise.resolve();
  private specs = new Map<string, NodeSpec>();
  private portById = new Map<string, number>();
  private readonly logBuffers: LogCollector;
  private readonly launcher: ProcessLauncher;
  /** Started at the first fleet start, ended at dispose. */
  private guard: Promise<OrphanGuard> | null = null;
  private guardNow: OrphanGuard | undefined;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 4 });
  private readonly hooks: NodeHooks;
  private stopping: Promise<void> | null = null;
  private disposing: Promise<void> | null = null;

  constructor(private readonly options: FleetSupervisorOptions) {
    const { listener } = options;
    this.logBuffers = new LogCollector({
      capacity: options.logLinesPerNode ?? 2000,
      flushMs: options.logFlushMs ?? 100,
      onFlush: (lines, dropped) => guard(() => listener.onLogs(lines, dropped)),
    });
    this.launcher = options.launcher ?? new PlainNodeLauncher(options.reaperEntry ? { reaperEntry: options.reaperEntry } : {});
    this.hooks = {
      timeline: (kind, nodeId, detail, at) => guard(() => listener.onTimeline({ at, kind, nodeId, detail })),
      changed: (snapshot) => guard(() => listener.onNodeChanged(snapshot)),
      log: (nodeId, stream, text, at) => this.logBuffers.append(nodeId, stream, text, at),
      // Every node spawns after the guard has started (at fleet start), so it is there to tell.
      track: (pid, group) => this.guardNow?.add(pid, group),
      untrack: (pid, group) => this.guardNow?.remove(pid, group),
      preparePort: (id, port) => this.preparePort(id, port),
    };
  }

  get status(): FleetStatus {
    return this.statusValue;
  }

  /** The orphan guard's pid while it runs (for tests and diagnostics). */
  get reaperPid(): number | undefined {
    return this.guardNow?.pid;
  }

  /** Which world the fleet's processes start in. */
  get runtime(): ProcessLauncher['runtime'] {
    return this.launcher.runtime;
  }

  /** Starts the orphan guard once; a guard that failed to start is tried again at the next fleet start. */
  private startGuard(): Promise<OrphanGuard> {
    if (!this.guard) {
      const starting = this.launcher.startOrphanGuard().then((guard) => {
        this.guardNow = guard;
        return guard;
      });
      starting.catch(() => {
        if (this.guard === starting) this.guard = null;
      });
      this.guard = starting;
    }
    return this.guard;
  }

  /** Allocates ports and starts every node; resolves when each is ready or has failed. */
  async start(input: FleetSpec): Promise<NodeSnapshot[]> {
    this.assertOpen();
    if (this.statusValue !== 'stopped') {
      throw new ContractError({ code: 'conflict', message: `the fleet is ${this.statusValue}` });
    }
    const spec = checkFleet(input);

    this.statusValue = 'starting';
    const generation = ++this.generation;
    const overtaken = (): boolean => this.statusValue !== 'starting' || this.generation !== generation;
    const startedAt = now();
    try {
      await this.startGuard();
      // Held until the proxies have their own ports (they listen on port 0 and could be given ours).
      const reservation = await reservePorts(spec.nodes.length);
      try {
        if (overtaken()) return this.nodes(); // stopped while ports were found
        const portById = new Map(spec.nodes.map((node, i) => [node.id, reservation.ports[i] as number]));
        this.portById = portById;
        await this.options.beforeSpawn?.(portById);
      } finally {
        await reservation.release();
      }
      if (overtaken()) return this.nodes();
      const portById = this.portById;
      this.logBuffers.reset();
      this.retired.push(...[...this.procs.values()].filter((proc) => proc.hasProcess));
      this.procs = new Map();
      this.specs = new Map(spec.nodes.map((node) => [node.id, node]));
      for (const node of spec.nodes) {
        const port = portById.get(node.id) as number;
        const dataDir = join(this.options.runDir, 'nodes', node.id);
        mkdirSync(dataDir, { recursive: true });
        const plan = node.kind === 'bundled' ? this.bundledPlanOf(node, port, dataDir) : commandPlan(node, port, dataDir);
        const restart = { ...DEFAULT_RESTART, ...spec.restart, ...node.restart };
        this.procs.set(node.id, new NodeProcess({ spec: node, port, dataDir, restart, plan, launcher: this.launcher, agent: this.agent, hooks: this.hooks }));
      }
    } catch (error) {
      if (!overtaken()) this.statusValue = 'stopped';
      throw error;
    }

    // A node with autostart false (a cold standby) has its port and folder but stays stopped.
    const snapshots = await Promise.all(
      [...this.procs.values()].map((proc) => (this.specs.get(proc.id)?.autostart === false ? proc.snapshot() : proc.start())),
    );
    if (!overtaken()) {
      this.statusValue = 'running';
      const ready = snapshots.filter((s) => s.status === 'ready').length;
      const stopped = snapshots.filter((s) => s.status === 'stopped').length;
      this.emitFleet('fleet.started', { nodes: snapshots.length, ready, stopped, startMs: now() - startedAt });
    }
    return this.nodes();
  }

  /**
   * Stops every node: SIGTERM, then SIGKILL after `graceMs`. Resolves once every process this
   * supervisor spawned has exited and been reaped (a restart under way is cancelled, not finished).
   */
  stop(graceMs = DEFAULT_GRACE_MS): Promise<void> {
    if (this.stopping) return this.stopping;
    if (this.statusValue === 'stopped') return Promise.resolve();
    this.statusValue = 'stopping';
    this.generation++;
    this.stopping = (async () => {
      try {
        const retired = this.retired.splice(0).filter((proc) => proc.hasProcess);
        await Promise.all([...this.procs.values(), ...retired].map((proc) => proc.stop(graceMs)));
        this.logBuffers.flush();
      } finally {
        this.statusValue = 'stopped';
        this.stopping = null;
        this.emitFleet('fleet.stopped', {});
      }
    })();
    return this.stopping;
  }

  async startNode(id: string): Promise<NodeSnapshot> {
    const proc = this.proc(id);
    this.assertRunning();
    return proc.start();
  }

  async stopNode(id: string, graceMs = DEFAULT_GRACE_MS): Promise<NodeSnapshot> {
    return this.proc(id).stop(graceMs);
  }

  async restartNode(id: string, graceMs = DEFAULT_GRACE_MS): Promise<NodeSnapshot> {
    const proc = this.proc(id);
    this.assertRunning();
    return proc.restart(graceMs);
  }

  /**
   * Changes a bundled node's role and server options for its NEXT (re)start (a running process is
   * untouched; a node with no process shows the new role at once). Replicas are node ids, resolved
   * to ports as at start. Call it before a restart is spawned, e.g. from the `node.exited` event.
   */
  reconfigureNode(id: string, patch: NodeReconfiguration): NodeSnapshot {
    const proc = this.proc(id);
    const spec = this.specs.get(id) as NodeSpec;
    if (spec.kind !== 'bundled') {
      throw new ContractError({ code: 'invalid-params', message: `node ${id} is a command node: only bundled nodes can be reconfigured`, field: 'id' });
    }
    const merged = Object.fromEntries(Object.entries({ ...spec.server, ...patch.server }).filter(([, value]) => value !== undefined));
    const parsed = BundledServerOptions.safeParse(merged);
    if (!parsed.success) throw fromZodError(parsed.error, 'invalid-params', 'server');
    const next: BundledNode = { ...spec, role: patch.role ?? spec.role, server: parsed.data };
    checkReplicas({ nodes: [...this.specs.values()].map((n) => (n.id === id ? next : n)) });
    const { port, dataDir } = proc.snapshot();
    proc.reconfigure(next, this.bundledPlanOf(next, port, dataDir));
    this.specs.set(id, next);
    guard(() => this.options.listener.onTimeline({ at: now(), kind: 'node.reconfigured', nodeId: id, detail: { role: next.role, server: next.server } }));
    return proc.snapshot();
  }

  /** The role a running node has now, when it changed without a restart (a promotion over HTTP). */
  setLiveRole(id: string, role: NodeRole): NodeSnapshot {
    const proc = this.proc(id);
    proc.setLiveRole(role);
    return proc.snapshot();
  }

  nodes(): NodeSnapshot[] {
    return [...this.procs.values()].map((proc) => proc.snapshot());
  }

  node(id: string): NodeSnapshot | undefined {
    return this.procs.get(id)?.snapshot();
  }

  logs(id: string): LogLine[] {
    this.proc(id);
    return this.logBuffers.lines(id);
  }

  /** Stops everything this supervisor started (nodes, reaper, timers, sockets). Idempotent. */
  dispose(graceMs = DEFAULT_GRACE_MS): Promise<void> {
    this.disposing ??= (async () => {
      try {
        await this.stop(graceMs);
      } finally {
        const guard = await this.guard?.catch(() => undefined);
        this.guard = null;
        this.guardNow = undefined;
        await guard?.dispose();
        this.logBuffers.dispose();
        this.agent.destroy();
      }
    })();
    return this.disposing;
  }

  /**
   * Before a node's process is spawned: if another process took its port since it was allocated
   * (any listen on port 0 on this machine may be given a port just released), the node moves to
   * a fresh one — its fault proxies follow, the timeline says so — rather than fail to bind, or
   * worse, take the other listener's answers for its own readiness.
   */
  private async preparePort(id: string, port: number): Promise<{ port: number; plan: LaunchPlan } | null> {
    if (await portIsFree(port)) return null;
    // One move at a time: each hands the proxies the whole map of ports.
    const move = this.portMoves.then(() => this.movePort(id, port));
    this.portMoves = move.catch(() => undefined);
    return move;
  }

  private async movePort(id: string, port: number): Promise<{ port: number; plan: LaunchPlan } | null> {
    const spec = this.specs.get(id);
    if (!spec) return null;
    const reservation = await reservePorts(1);
    try {
      const next = reservation.ports[0] as number;
      const ports = new Map(this.portById).set(id, next);
      await this.options.beforeSpawn?.(ports);
      this.portById = ports;
      const dataDir = join(this.options.runDir, 'nodes', id);
      const plan = spec.kind === 'bundled' ? this.bundledPlanOf(spec, next, dataDir) : commandPlan(spec, next, dataDir);
      // Without replication proxies, peers name this node by its port: their next spawn gets the new one.
      if (!this.options.replicaPort) {
        for (const [peerId, proc] of this.procs) {
          const peer = this.specs.get(peerId);
          if (peerId !== id && peer?.kind === 'bundled' && (peer.server?.replicas ?? []).includes(id)) {
            const snapshot = proc.snapshot();
            proc.reconfigure(peer, this.bundledPlanOf(peer, snapshot.port, snapshot.dataDir));
          }
        }
      }
      guard(() => this.options.listener.onTimeline({ at: now(), kind: 'node.port-moved', nodeId: id, detail: { from: port, to: next, reason: `port ${port} was taken by another process` } }));
      return { port: next, plan };
    } finally {
      await reservation.release();
    }
  }

  private bundledPlanOf(node: BundledNode, port: number, dataDir: string): ReturnType<typeof bundledPlan> {
    const replicaPort = this.options.replicaPort;
    return bundledPlan(node, port, dataDir, this.options.serverEntry ?? defaultServerEntry(), (id) => replicaPort?.(id) ?? this.portById.get(id));
  }

  private proc(id: string): NodeProcess {
    const proc = this.procs.get(id);
    if (!proc) throw new ContractError({ code: 'not-found', message: `no node ${id} in the fleet`, field: 'id' });
    return proc;
  }

  private assertOpen(): void {
    if (this.disposing) throw new ContractError({ code: 'closed', message: 'the fleet supervisor is disposed' });
  }

  private assertRunning(): void {
    this.assertOpen();
    if (this.statusValue === 'stopped' || this.statusValue === 'stopping') {
      throw new ContractError({ code: 'conflict', message: `the fleet is ${this.statusValue}` });
    }
  }

  private emitFleet(kind: string, detail: Record<string, unknown>): void {
    guard(() => this.options.listener.onTimeline({ at: now(), kind, detail }));
  }
}

/** What `start` accepts: the schema, and replicas that name other bundled nodes. Throws a ContractError naming the field. */
export function checkFleet(input: FleetSpec): FleetSpec {
  const parsed = FleetSpec.safeParse(input);
  if (!parsed.success) throw fromZodError(parsed.error, 'invalid-params', 'fleet');
  checkReplicas(parsed.data);
  return parsed.data;
}

/** Replica ids must name other bundled nodes of the same fleet. */
function checkReplicas(spec: Pick<FleetSpec, 'nodes'>): void {
  const bundled = new Set(spec.nodes.filter((n) => n.kind === 'bundled').map((n) => n.id));
  spec.nodes.forEach((node, i) => {
    if (node.kind !== 'bundled') return;
    (node.server?.replicas ?? []).forEach((id, j) => {
      if (id === node.id || !bundled.has(id)) {
        const field = `fleet.nodes.${i}.server.replicas.${j}`;
        const message = id === node.id ? `node ${id} cannot replicate to itself` : `replica ${id} is not a bundled node of this fleet`;
        throw new ContractError({ code: 'invalid-params', message: `${field}: ${message}`, field });
      }
    });
  });
}

/** A listener's exception must never break supervision. */
function guard(fn: () => void): void {
  try {
    fn();
  } catch (error) {
    console.error('fleet listener failed:', error);
  }
}
