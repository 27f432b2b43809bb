// The data plane on its own thread: worker-main.ts runs the balancer and the fault proxies there,
// so the engine's work (events, the contract, the UI's feed) and theirs no longer share a loop.
// Messages go in with postMessage and come out in one ordered stream, as in-process. A thread that
// dies is replaced at once: the new one takes the same ports and is told again everything the
// engine has said that still holds (settings, targets, faults, exits, failovers), then the stream
// says `restarted`. Requests in flight on the dead thread end with it: their sockets close.
import { Worker } from 'node:worker_threads';
import type { BalancerSettings } from '../../../shared/contract/model';
import { ContractError } from '../../../shared/contract/errors';
import { dataPlaneEntry } from '../app-paths';
import type { BalancerRole } from '../balancer/index';
import { clockBase, now } from '../clock';
import { deliverTo, type DataPlane, type NodePort, type PlaneListener } from './data-plane';
import type { FaultToxic, LinkProxy, PlaneIn, PlaneOut } from './messages';
import { PlaneMemory } from './plane-memory';
import type { FixedLinkPorts, FromWorker, ToWorker, WorkerCall, WorkerStart } from './worker-messages';

/** The longest a command waits for the data plane's thread to confirm what it was told. */
const SETTLE_MS = 5_000;

export interface WorkerDataPlaneOptions {
  settings?: BalancerSettings;
  flushMs?: number;
  maxBatch?: number;
  statesMs?: number;
  /** The bundled thread (default `out/data-plane/index.js`, see ../app-paths.ts). */
  entry?: string;
  /** One of several balancer workers (multi-plane.ts): the lead (default) or a follower. */
  role?: BalancerRole;
  /** Restarts allowed within `restartWindowMs` before the plane gives up (default 5 in 30 s). */
  maxRestarts?: number;
  restartWindowMs?: number;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export class WorkerDataPlane implements DataPlane {
  private worker: Worker;
  private readonly entry: string;
  private readonly options: WorkerDataPlaneOptions;
  private readonly listeners = new Set<PlaneListener>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closing: Promise<void> | null = null;
  private lastError: Error | null = null;
  private readonly restarts: number[] = [];
  private gaveUp = false;

  // What still holds of what the engine said, for a new thread to be told again.
  private readonly memory: PlaneMemory;
  private readonly toxics = new Map<string, { nodeId: string; toxic: FaultToxic }>();
  private port: number | null = null;
  private reusePort = false;
  private linkNodes: NodePort[] | null = null;
  private linkPorts: Record<string, FixedLinkPorts> = {};

  constructor(options: WorkerDataPlaneOptions = {}) {
    this.options = options;
    this.entry = options.entry ?? dataPlaneEntry();
    this.memory = new PlaneMemory(options.settings);
    this.worker = this.spawn();
  }

  /** The thread's id (a new one after each restart). */
  get threadId(): number {
    return this.worker.threadId;
  }

  send(message: PlaneIn): void {
    if (this.closing || this.gaveUp) return;
    this.memory.remember(message);
    if (message.type === 'link-toxic.reverted') this.toxics.delete(message.faultId);
    this.post({ kind: 'in', message });
  }

  subscribe(listener: PlaneListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async listen(port: number, options: { reusePort?: boolean } = {}): Promise<number> {
    const reusePort = options.reusePort === true;
    const bound = (await this.call({ name: 'listen', port, ...(reusePort ? { reusePort } : {}) })) as number;
    this.port = bound;
    this.reusePort = reusePort;
    return bound;
  }

  async ensureLinks(nodes: NodePort[]): Promise<LinkProxy[]> {
    this.linkNodes = nodes.map((n) => ({ ...n }));
    const links = (await this.call({ name: 'ensureLinks', nodes, fixed: this.fixedPorts(nodes) })) as LinkProxy[];
    this.keepLinkPorts(links);
    return links;
  }

  async applyLinkToxic(faultId: string, nodeId: string, toxic: FaultToxic): Promise<void> {
    await this.call({ name: 'applyLinkToxic', faultId, nodeId, toxic });
    this.toxics.set(faultId, { nodeId, toxic: structuredClone(toxic) });
  }

  /**
   * A round trip behind every message sent before it (one port, in order). A dead or closed plane has
   * nothing to wait for, and a thread too busy to answer in SETTLE_MS holds no command longer than that.
   */
  async settled(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.call({ name: 'settled' }).catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, SETTLE_MS)))]);
    clearTimeout(timer);
  }

  /** `drainMs`: the balancer stops taking connections and gives those in flight up to that long first. */
  close(drainMs = 0): Promise<void> {
    this.closing ??= (async () => {
      if (!this.gaveUp) {
        // The thread flushes its last outcomes, closes its sockets and answers; a hung one is ended anyway.
        await Promise.race([this.call({ name: 'close', ...(drainMs > 0 ? { drainMs } : {}) }, true).catch(() => undefined), new Promise((r) => setTimeout(r, SETTLE_MS + drainMs).unref())]);
      }
      // Bounded too: a lab's teardown must end (the contract fuzz's overran 30 s here twice, in this step).
      let timer: NodeJS.Timeout | undefined;
      const ended = await Promise.race([this.worker.terminate().then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), SETTLE_MS)))]);
      clearTimeout(timer);
      if (!ended) {
        process.emitWarning(`the data plane's thread did not end within ${SETTLE_MS} ms of terminate(); going on without waiting for it`);
        this.worker.unref();
      }
    })();
    return this.closing;
  }

  /** Ends the thread as a crash would (the tests' and the chaos drill's way to kill the data plane). */
  async crash(): Promise<void> {
    this.lastError = new Error('ended by crash()');
    await this.worker.terminate();
  }

  private spawn(): Worker {
    const start: WorkerStart = {
      settings: this.memory.settings,
      clockBase: clockBase(),
      ...(this.options.role ? { role: this.options.role } : {}),
      ...(this.options.flushMs !== undefined ? { flushMs: this.options.flushMs } : {}),
      ...(this.options.maxBatch !== undefined ? { maxBatch: this.options.maxBatch } : {}),
      ...(this.options.statesMs !== undefined ? { statesMs: this.options.statesMs } : {}),
    };
    const worker = new Worker(this.entry, { workerData: start, name: 'firedrill-data-plane' });
    worker.on('message', (data: FromWorker) => this.receive(data));
    worker.on('error', (error) => {
      this.lastError = error;
    });
    worker.on('exit', (code) => {
      if (worker !== this.worker || this.closing) return;
      void this.replace(code);
    });
    return worker;
  }

  private post(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  private call(call: WorkerCall, duringClose = false): Promise<unknown> {
    if ((this.closing && !duringClose) || this.gaveUp) return Promise.reject(new ContractError({ code: 'closed', message: 'the data plane is closed' }));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post({ kind: 'call', id, call });
    });
  }

  private receive(data: FromWorker): void {
    switch (data.kind) {
      case 'out':
        return this.deliver(data.message);
      case 'answer':
        this.pending.get(data.id)?.resolve(data.value);
        this.pending.delete(data.id);
        return;
      case 'failed':
        this.pending.get(data.id)?.reject(data.contract ? new ContractError(data.contract) : Object.assign(new Error(data.message), data.code ? { code: data.code } : {}));
        this.pending.delete(data.id);
        return;
      case 'ready':
        return;
    }
  }

  private deliver(message: PlaneOut): void {
    deliverTo(this.listeners, message);
  }

  private fixedPorts(nodes: NodePort[]): Record<string, FixedLinkPorts> | undefined {
    const fixed = Object.fromEntries(nodes.filter((n) => Object.hasOwn(this.linkPorts, n.id)).map((n) => [n.id, this.linkPorts[n.id] as FixedLinkPorts]));
    return Object.keys(fixed).length > 0 ? fixed : undefined;
  }

  private keepLinkPorts(links: LinkProxy[]): void {
    const ports: Record<string, FixedLinkPorts> = {};
    for (const l of links) {
      const pair = (ports[l.nodeId] ??= { balancer: 0, replication: 0 });
      pair[l.link] = l.port;
    }
    this.linkPorts = ports;
  }

  /** The thread died: a new one takes its ports and is told again what holds; then the stream says so. */
  private async replace(code: number): Promise<void> {
    const diedAt = now();
    const reason = this.lastError ? `${this.lastError.message}` : `the thread exited with code ${code}`;
    this.lastError = null;
    // Also on stderr: the serve log and a terminal keep it when the timeline is gone.
    process.emitWarning(`the data plane's thread ended (${reason}); starting another on its ports`);
    for (const call of this.pending.values()) call.reject(new Error(`the data plane's thread ended (${reason})`));
    this.pending.clear();

    const window = this.options.restartWindowMs ?? 30_000;
    while (this.restarts.length > 0 && diedAt - (this.restarts[0] as number) > window) this.restarts.shift();
    if (this.restarts.length >= (this.options.maxRestarts ?? 5)) {
      this.gaveUp = true;
      this.deliver({ type: 'restarted', at: diedAt, reason, downMs: null, restarts: this.restarts.length });
      return;
    }
    this.restarts.push(diedAt);
    this.worker = this.spawn();
    // Told in the order it first happened: the settings went with workerData; then what routes, what failed.
    for (const message of this.memory.replay()) this.post({ kind: 'in', message });
    try {
      if (this.linkNodes) await this.call({ name: 'ensureLinks', nodes: this.linkNodes, fixed: this.linkPorts });
      for (const [faultId, t] of this.toxics) await this.call({ name: 'applyLinkToxic', faultId, nodeId: t.nodeId, toxic: t.toxic });
      if (this.port !== null) await this.call({ name: 'listen', port: this.port, ...(this.reusePort ? { reusePort: true } : {}) });
    } catch (error) {
      // The new thread could not take everything back (a port taken meanwhile): say so; it runs with what it has.
      this.deliver({ type: 'restarted', at: now(), reason: `${reason}; taking its ports back failed: ${error instanceof Error ? error.message : String(error)}`, downMs: now() - diedAt, restarts: this.restarts.length });
      return;
    }
    this.deliver({ type: 'restarted', at: now(), reason, downMs: now() - diedAt, restarts: this.restarts.length });
  }
}
