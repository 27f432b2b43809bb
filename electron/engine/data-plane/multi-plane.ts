// Several balancer workers on one port: each a data-plane thread (worker-plane.ts) with a whole
// balancer, all listening on the balancer's port with SO_REUSEPORT, so the kernel spreads client
// connections among them. The first is the lead: it alone runs the fault proxies (the others reach
// the nodes through them too), the active health checks and the end of every passive ejection. The
// others route, retry and detect passively on their own traffic. What one worker decides about a
// node (an ejection, a readmission) goes to the others as a mirror, and the engine hears it once:
// detections once per way per incident, ejections and readmissions once, the first response after a
// readmission once. Outcomes come from all of them; upstream states are merged (the worst state any
// worker holds, requests in flight summed). The number of workers follows the `workers` setting,
// live; where this Node cannot share a port, one runs and `workers` says why.
import type { UpstreamSnapshot, UpstreamState } from '../../../shared/contract/model';
import { now } from '../clock';
import { deliverTo, type DataPlane, type NodePort, type PlaneListener } from './data-plane';
import type { DetectionVia, FaultToxic, LinkProxy, PlaneIn, PlaneOut, UpstreamStates } from './messages';
import { PlaneMemory } from './plane-memory';
import { askedWorkers, reusePortMissing } from './worker-count';
import { WorkerDataPlane, type WorkerDataPlaneOptions } from './worker-plane';

/** A retired worker's requests in flight get this long to finish before its connections are cut. */
export const RETIRE_DRAIN_MS = 2_000;

/** The longest a command waits on workers joining or leaving beyond a drain (a thread that never answers holds nothing longer). */
const SETTLE_MS = 5_000;

/** `promise`, or nothing after `ms`: a wait that cannot hang. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

export interface MultiWorkerDataPlaneOptions extends Omit<WorkerDataPlaneOptions, 'role'> {
  /** Cores for `workers: auto` (default: this machine's). */
  cores?: number;
  /** Why more than one worker cannot run here, or null (default: worker-count.ts's answer for this Node). */
  reusePortMissing?: string | null;
}

type Ejected = Extract<PlaneOut, { type: 'ejected' }>;

/** Worse states win a merge: a node any worker has out is out. */
const RANK: Record<UpstreamState, number> = { 'in-rotation': 0, standby: 1, ejected: 2, down: 3 };

interface Member {
  plane: WorkerDataPlane;
  unsubscribe: () => void;
  states: UpstreamStates | null;
}

export class MultiWorkerDataPlane implements DataPlane {
  private readonly options: MultiWorkerDataPlaneOptions;
  private readonly memory: PlaneMemory;
  private readonly lead: Member;
  private followers: Member[] = [];
  private readonly listeners = new Set<PlaneListener>();
  private readonly missing: string | null;
  private port: number | null = null;
  /** Why the last attempt to add a worker failed (then no more are tried until the setting changes). */
  private failedToGrow: string | null = null;
  private resizing: Promise<void> = Promise.resolve();
  private closing: Promise<void> | null = null;

  // The engine's view, merged from every worker's reports.
  /** Nodes out of rotation, with the ejection that took them out (mirrored to workers that join or restart). */
  private readonly out = new Map<string, Ejected>();
  private readonly detected = new Map<string, Set<DetectionVia>>();
  private readonly served = new Set<string>();
  private lastMerged = '';
  private lastWorkers = '';

  constructor(options: MultiWorkerDataPlaneOptions = {}) {
    this.options = options;
    this.memory = new PlaneMemory(options.settings);
    this.missing = options.reusePortMissing !== undefined ? options.reusePortMissing : reusePortMissing();
    this.lead = this.member('lead');
  }

  /** The worker threads, the lead first (tests and the bench reach them to crash one or count them). */
  get planes(): WorkerDataPlane[] {
    return [this.lead.plane, ...this.followers.map((f) => f.plane)];
  }

  send(message: PlaneIn): void {
    if (this.closing) return;
    this.memory.remember(message);
    for (const m of this.members()) m.plane.send(message);
    if (message.type === 'settings' && message.patch.workers !== undefined) {
      this.failedToGrow = null;
      void this.resize();
    }
  }

  subscribe(listener: PlaneListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The lead listens (with SO_REUSEPORT where it can, so workers may join later); then as many as asked join it. */
  async listen(port: number): Promise<number> {
    const bound = await this.lead.plane.listen(port, this.missing === null ? { reusePort: true } : {});
    this.port = bound;
    await this.resize();
    return bound;
  }

  /** The fault proxies live in the lead alone: every worker reaches the nodes through them. */
  ensureLinks(nodes: NodePort[]): Promise<LinkProxy[]> {
    return this.lead.plane.ensureLinks(nodes);
  }

  applyLinkToxic(faultId: string, nodeId: string, toxic: FaultToxic): Promise<void> {
    return this.lead.plane.applyLinkToxic(faultId, nodeId, toxic);
  }

  /** Once the workers asked for run (a retired one may take RETIRE_DRAIN_MS) and each applied what was sent. */
  async settled(): Promise<void> {
    await within(this.resizing, RETIRE_DRAIN_MS + SETTLE_MS);
    await Promise.all(this.members().map((m) => m.plane.settled()));
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await within(this.resizing, RETIRE_DRAIN_MS + SETTLE_MS);
      const members = this.members();
      await Promise.all(members.map((m) => m.plane.close()));
      for (const m of members) m.unsubscribe();
    })();
    return this.closing;
  }

  private members(): Member[] {
    return [this.lead, ...this.followers];
  }

  private member(role: 'lead' | 'follower'): Member {
    const plane = new WorkerDataPlane({ ...this.options, settings: this.memory.settings, role });
    const m: Member = { plane, unsubscribe: () => undefined, states: null };
    m.unsubscribe = plane.subscribe((message) => this.receive(m, message));
    return m;
  }

  /** Adds or retires followers until as many workers run as the setting asks (one at a time, in order). */
  private resize(): Promise<void> {
    this.resizing = this.resizing.then(() => this.resizeNow()).catch((error: unknown) => process.emitWarning(`balancer workers: ${String(error)}`));
    return this.resizing;
  }

  private async resizeNow(): Promise<void> {
    if (this.port === null || this.closing) return;
    const asked = this.asked();
    const wanted = this.missing === null ? asked : 1;
    while (this.followers.length + 1 < wanted && this.failedToGrow === null && !this.closing) {
      const m = this.member('follower');
      // Told what holds before it takes connections: routes, exits, failovers, faults, then what the
      // others decided; one of the members from now on, so it misses nothing sent while it starts.
      for (const message of this.memory.replay()) m.plane.send(message);
      for (const e of this.out.values()) this.mirrorEjection(m, e);
      this.followers.push(m);
      try {
        await m.plane.listen(this.port, { reusePort: true });
      } catch (error) {
        this.followers = this.followers.filter((f) => f !== m);
        this.failedToGrow = `another balancer worker could not listen on port ${this.port} (${error instanceof Error ? error.message : String(error)}): running ${this.followers.length + 1}`;
        await m.plane.close();
        m.unsubscribe();
        this.mergeStates();
      }
    }
    while (this.followers.length + 1 > wanted) {
      const m = this.followers.pop() as Member;
      m.states = null;
      // Out of the merge at once; its requests in flight finish (their outcomes still count), then it ends.
      await m.plane.close(RETIRE_DRAIN_MS);
      m.unsubscribe();
      this.mergeStates();
    }
    this.tellWorkers();
  }

  private asked(): number {
    return askedWorkers(this.memory.settings.workers, this.options.cores);
  }

  private tellWorkers(): void {
    const asked = this.asked();
    const running = this.followers.length + 1;
    const note = running < asked ? (this.missing ?? this.failedToGrow) : null;
    const key = `${asked}/${running}/${note}`;
    if (key === this.lastWorkers) return;
    this.lastWorkers = key;
    this.deliver({ type: 'workers', asked, running, note });
  }

  private receive(from: Member, message: PlaneOut): void {
    switch (message.type) {
      case 'outcomes':
        return this.deliver(message);
      case 'upstreams':
        from.states = { at: message.at, upstreams: message.upstreams, retryBudget: message.retryBudget };
        return this.mergeStates();
      case 'links':
        // Only the lead has proxies (a follower's close says it has none).
        if (from === this.lead) this.deliver(message);
        return;
      case 'detected': {
        // A worker reports each way once per incident of its own; alone, it is the only one. With
        // others, passive detection is each worker's on its own traffic: the first report is the
        // incident's, the others' are dropped until the node is readmitted (so a node kept in rotation
        // by maxEjectedPercent is reported once until then, not once per episode as by one worker).
        // Active: the lead alone probes; an exit every worker is told of, and the engine reports it itself.
        if (this.followers.length === 0) return this.deliver(message);
        const ways = this.detected.get(message.nodeId) ?? new Set<DetectionVia>();
        if (ways.has(message.via)) return;
        ways.add(message.via);
        this.detected.set(message.nodeId, ways);
        return this.deliver(message);
      }
      case 'ejected':
        if (this.out.has(message.nodeId)) return;
        this.out.set(message.nodeId, message);
        // An exit every worker is told of itself; an ejection one decided, the others follow.
        if (message.via !== 'exit') for (const m of this.members()) if (m !== from) this.mirrorEjection(m, message);
        return this.deliver(message);
      case 'readmitted':
        if (!this.out.delete(message.nodeId)) return;
        this.detected.delete(message.nodeId);
        this.served.delete(message.nodeId);
        for (const m of this.members()) if (m !== from) m.plane.send({ type: 'upstream.mirror', nodeId: message.nodeId, change: 'readmitted', via: message.via, at: message.at });
        return this.deliver(message);
      case 'first-served':
        if (this.served.has(message.nodeId)) return;
        this.served.add(message.nodeId);
        return this.deliver(message);
      case 'restarted':
        // A new thread in its place: told what the others decided since (the engine's messages it was told again itself).
        for (const e of this.out.values()) this.mirrorEjection(from, e);
        return this.deliver(message);
      case 'workers':
        return;
    }
  }

  private mirrorEjection(m: Member, e: Ejected): void {
    if (e.via === 'exit') return;
    m.plane.send({ type: 'upstream.mirror', nodeId: e.nodeId, change: 'ejected', via: e.via, at: e.at, untilAt: e.untilAt, ...(e.strikes !== undefined ? { strikes: e.strikes } : {}) });
  }

  /** Every node as the worst-off worker has it (the lead's order), requests in flight and retry budgets summed. */
  private mergeStates(): void {
    const lead = this.lead.states;
    if (!lead) return;
    // A node no longer routed starts afresh if it comes back.
    for (const known of [this.out, this.detected, this.served]) for (const id of known.keys()) if (!lead.upstreams.some((u) => u.id === id)) known.delete(id);
    const all = this.members().map((m) => m.states).filter((s): s is UpstreamStates => s !== null);
    const upstreams: UpstreamSnapshot[] = lead.upstreams.map((u) => {
      let worst = u;
      let inflight = 0;
      for (const s of all) {
        const mine = s.upstreams.find((x) => x.id === u.id);
        if (!mine) continue;
        inflight += mine.inflight;
        if (RANK[mine.state] > RANK[worst.state]) worst = mine;
      }
      return { ...worst, inflight };
    });
    const retryBudget = all.reduce((sum, s) => ({ used: sum.used + s.retryBudget.used, allowed: sum.allowed + s.retryBudget.allowed }), { used: 0, allowed: 0 });
    const key = JSON.stringify([upstreams, retryBudget]);
    if (key === this.lastMerged) return;
    this.lastMerged = key;
    this.deliver({ type: 'upstreams', at: now(), upstreams, retryBudget });
  }

  private deliver(message: PlaneOut): void {
    deliverTo(this.listeners, message);
  }
}
