// FaultRegistry: injects, reverts, expires and halts faults on the lab's own nodes, and keeps the
// revert journal so that nothing a fault did outlives the engine (see README.md here).
import { randomUUID } from 'node:crypto';
import { ContractError } from '../../../shared/contract/errors';
import { faultKindOf, type FaultRecord, type FaultSpec, type FaultType } from '../../../shared/contract/model';
import { serverEntry as defaultServerEntry } from '../app-paths';
import { now } from '../clock';
import type { AppliedFault, FaultContext, FaultHandle, FaultUnit } from './fault-unit';
import { faultUnits } from './fault-units';
import { settleJournalEntry } from './journal-recovery';
import type { FaultListener, FleetPort, HttpFaultPort, NetworkFaultPort } from './fault-ports';
import { isGone, procStat } from './process/process-identity';
import { journalKey, RevertJournal, type AppliedLine, type EngineRef } from './revert-journal';
import { labRandom } from '../random';

export interface FaultRegistryOptions {
  /** The lab's run folder: node data folders are inside it, the journal is `faults.journal` in it. */
  runDir: string;
  fleet: FleetPort;
  network: NetworkFaultPort;
  http: HttpFaultPort;
  listener: FaultListener;
  /** Source of randomness for file damage (bit positions, garbage); default Math.random. */
  random?: () => number;
  /** The bundled server's entry script, to recognise our processes in the journal; default the app's. */
  serverEntry?: string;
  /** Default process.platform (tests pass another to see the refusals). */
  platform?: NodeJS.Platform;
  /** Finished faults kept for `list()`; default 100. */
  historyLimit?: number;
}

/** How a fault ended, as `fault.reverted` says it (`process-exited`: the process it held is gone). */
export type RevertHow = 'revert' | 'halt' | 'expired' | 'journal' | 'process-exited';

interface ActiveFault {
  record: FaultRecord;
  applied: AppliedFault;
  journaled: boolean;
  timer: NodeJS.Timeout | null;
  reverting: Promise<FaultRecord> | null;
}

export class FaultRegistry {
  private readonly units: Map<FaultType, FaultUnit>;
  private readonly journal: RevertJournal;
  private readonly active = new Map<string, ActiveFault>();
  private readonly history: FaultRecord[] = [];
  private readonly inFlight = new Set<Promise<FaultRecord>>();
  /** Timers one-shot faults still hold (a SIGTERM kill waiting to escalate), cleared at dispose. */
  private readonly oneShotDisposers = new Map<string, () => void>();
  /** Journal entries of earlier runs this one has settled (dropped at the next compaction). */
  private readonly settled = new Set<string>();
  private seq = 0;
  private disposing: Promise<void> | null = null;
  private readonly serverEntry: string | null;

  constructor(private readonly options: FaultRegistryOptions) {
    this.serverEntry = options.serverEntry ?? safeServerEntry();
    this.units = faultUnits({ serverEntry: this.serverEntry });
    const engine = { pid: process.pid, startTime: procStat(process.pid)?.startTime ?? null };
    this.journal = new RevertJournal(options.runDir, `${process.pid}-${randomUUID().slice(0, 8)}`, engine);
  }

  /**
   * Checks what no schema can (the fleet runs, the target is in it; the unit's own preconditions), changing nothing
   * when it refuses; then journals what undoing needs and applies. `spec` was parsed by the contract
   * (FaultSpec): it is not parsed again here.
   */
  async inject(spec: FaultSpec): Promise<FaultRecord> {
    this.assertOpen();
    const { fleet } = this.options;
    if (fleet.status !== 'running') throw new ContractError({ code: 'conflict', message: `the fleet is ${fleet.status}`, field: 'target' });
    const node = fleet.node(spec.target);
    if (!node) throw new ContractError({ code: 'not-found', field: 'target', message: `target: no node ${spec.target} in the fleet` });
    const unit = this.units.get(spec.type) as FaultUnit;
    const context: FaultContext = {
      type: spec.type,
      node,
      attributes: spec.attributes,
      spec: { type: spec.type, stream: spec.stream, toxicity: spec.toxicity, attributes: { ...spec.attributes }, links: spec.links, ...(spec.name !== undefined ? { name: spec.name } : {}) },
      activeOnTarget: [...this.active.values()].filter((a) => a.record.target === node.id).map((a) => a.record),
      runDir: this.options.runDir,
      random: this.options.random ?? labRandom,
      platform: this.options.platform ?? process.platform,
      fleet: this.options.fleet,
      network: this.options.network,
      http: this.options.http,
    };
    const task = this.planAndApply(unit, context, spec.durationMs);
    this.inFlight.add(task);
    try {
      return await task;
    } finally {
      this.inFlight.delete(task);
    }
  }

  /** Takes an active fault back. A finished one (one-shot, already reverted, expired) is returned as it is. */
  revert(id: string): Promise<FaultRecord> {
    return this.revertWith(id, 'revert');
  }

  /** Reverts every active fault, all at once (and any being injected right now, once applied). */
  async halt(): Promise<{ reverted: number; ms: number }> {
    const started = performance.now();
    const results = await Promise.all([
      ...[...this.active.keys()].map((id) => this.revertWith(id, 'halt')),
      ...[...this.inFlight].map((task) =>
        task.then(
          (record) => (this.active.has(record.id) ? this.revertWith(record.id, 'halt') : null),
          () => null,
        ),
      ),
    ]);
    const reverted = new Set(results.filter((r): r is FaultRecord => r !== null && r.status === 'reverted').map((r) => r.id)).size;
    return { reverted, ms: performance.now() - started };
  }

  /** Active faults (in injection order), then finished ones, newest first. */
  list(): FaultRecord[] {
    return [...[...this.active.values()].map((a) => copy(a.record)), ...this.history.map(copy)];
  }

  /** The supervisor spawned a new process for a node (the lab forwards `node.starting`). */
  onNodeStarting(id: string, pid: number): void {
    for (const fault of this.active.values()) {
      if (fault.record.target !== id || !fault.applied.onNodeStarting) continue;
      try {
        fault.applied.onNodeStarting(pid);
      } catch (error) {
        console.error(`fault ${fault.record.id}: onNodeStarting failed:`, error);
      }
    }
  }

  /**
   * The supervisor saw a node's process exit (the lab forwards `node.exited`): a pause held that
   * very process, so it ends with it instead of showing as active on a process that is gone.
   */
  onNodeExited(id: string, pid: number): void {
    // After the exit event has run its course: by then the supervisor no longer names that (reaped) pid.
    queueMicrotask(() => {
      for (const fault of [...this.active.values()]) {
        const { record } = fault;
        if (record.target !== id || record.type !== 'pause' || record.effect.pid !== pid) continue;
        this.revertWith(record.id, 'process-exited').catch((error: unknown) => console.error(`fault ${record.id}: ending it failed:`, error));
      }
    });
  }

  /**
   * Call at lab start: settles every fault an earlier engine on this run folder applied and never
   * reverted (a pause is thawed if its process is still alive and provably ours), then compacts
   * the journal. Returns one line per thing it found, for the CLI to print.
   */
  async recoverJournal(): Promise<string[]> {
    const { lines, unreadable } = this.journal.read();
    const out: string[] = [];
    if (unreadable > 0) out.push(`fault journal: ${unreadable} unreadable line(s) skipped (a write torn by a crash)`);
    const reverted = new Set(lines.filter((l) => l.op === 'reverted').map(journalKey));
    const orphans = lines.filter((l): l is AppliedLine => l.op === 'applied' && l.session !== this.journal.session && !reverted.has(journalKey(l)));
    let settledNow = 0;
    for (const entry of orphans) {
      if (engineAlive(entry.engine)) {
        // Another engine on this run folder, still running: its faults are its own to revert.
        out.push(`${entry.id} ${entry.type} of ${entry.target}: still held by a running engine (pid ${entry.engine?.pid}); left alone`);
        continue;
      }
      const line = settleJournalEntry(entry, { runDir: this.options.runDir, serverEntry: this.serverEntry }, this.options.platform ?? process.platform);
      this.settled.add(journalKey(entry));
      settledNow++;
      out.push(line);
      this.emit('fault.reverted', entry.target, { faultId: entry.id, type: entry.type, how: 'journal' satisfies RevertHow, outcome: line, session: entry.session });
    }
    const { dropped } = this.journal.compact(this.settled);
    if (out.length > 0 || dropped > 0) out.push(`fault journal: ${settledNow} fault(s) left by an earlier engine settled; ${dropped} line(s) compacted away`);
    return out;
  }

  /** Halt, clear every timer, compact the journal. Idempotent. */
  dispose(): Promise<void> {
    this.disposing ??= (async () => {
      // Wait for an injection under way: it may still be planning, and must be reverted once applied.
      await this.halt();
      for (const stop of this.oneShotDisposers.values()) stop();
      this.oneShotDisposers.clear();
      try {
        this.journal.compact(this.settled);
      } catch (error) {
        console.error('fault journal: compaction failed:', error);
      }
      this.journal.close();
    })();
    return this.disposing;
  }

  private async planAndApply(unit: FaultUnit, context: FaultContext, durationMs: number | undefined): Promise<FaultRecord> {
    const plan = await unit.plan(context); // refusals are thrown from here: nothing has changed yet
    this.assertOpen();
    const id = `f-${++this.seq}`;
    const kind = faultKindOf(context.type);
    const record: FaultRecord = {
      id,
      type: context.type,
      kind,
      target: context.node.id,
      attributes: context.spec.attributes,
      toxicity: context.spec.toxicity,
      stream: context.spec.stream,
      links: context.spec.links,
      name: context.spec.name ?? null,
      status: 'active',
      injectedAt: now(),
      expiresAt: null,
      revertedAt: null,
      effect: {},
      error: null,
    };
    if (plan.journal) {
      try {
        this.journal.applied({ id, type: record.type, kind, target: record.target, at: record.injectedAt, undo: plan.journal });
      } catch (error) {
        throw new ContractError({ code: 'internal', message: `cannot write the fault journal (${this.journal.path}), so ${record.type} was not applied: ${messageOf(error)}` });
      }
    }
    let applied: AppliedFault;
    const handle = this.handleFor(record);
    try {
      record.injectedAt = now();
      applied = await plan.apply(handle.handle);
    } catch (error) {
      const message = messageOf(error);
      record.status = 'failed';
      record.error = message;
      if (plan.journal) this.journalReverted(id, 'failed');
      this.remember(record);
      this.emit('fault.failed', record.target, { faultId: id, type: record.type, stage: 'apply', error: message });
      this.changed(record);
      throw error instanceof ContractError ? error : new ContractError({ code: 'internal', message: `${record.type} of ${record.target} failed: ${message}` });
    }
    record.effect = { ...applied.effect, ...record.effect };
    handle.live();
    if (applied.once) {
      record.status = record.status === 'failed' ? 'failed' : 'applied-once';
      if (applied.dispose) this.oneShotDisposers.set(id, applied.dispose);
      this.remember(record);
    } else {
      const fault: ActiveFault = { record, applied, journaled: plan.journal !== null, timer: null, reverting: null };
      this.active.set(id, fault);
      if (durationMs !== undefined) {
        record.expiresAt = record.injectedAt + durationMs;
        fault.timer = setTimeout(() => void this.revertWith(id, 'expired'), Math.max(0, record.expiresAt - now()));
        fault.timer.unref();
      }
    }
    this.emit(
      'fault.injected',
      record.target,
      { faultId: id, type: record.type, kind, attributes: record.attributes, effect: record.effect, ...(record.expiresAt !== null ? { durationMs } : {}), once: applied.once === true },
      record.injectedAt,
    );
    this.changed(record);
    return copy(record);
  }

  private revertWith(id: string, how: Exclude<RevertHow, 'journal'>): Promise<FaultRecord> {
    const fault = this.active.get(id);
    if (!fault) {
      const past = this.history.find((r) => r.id === id);
      if (past) return Promise.resolve(copy(past));
      return Promise.reject(new ContractError({ code: 'not-found', field: 'id', message: `id: no fault ${id}` }));
    }
    fault.reverting ??= (async () => {
      if (fault.timer) clearTimeout(fault.timer);
      fault.timer = null;
      const { record } = fault;
      let patch: Record<string, unknown> | void = undefined;
      let failure: string | null = null;
      try {
        patch = await fault.applied.revert?.();
      } catch (error) {
        failure = messageOf(error);
      }
      const at = now();
      this.active.delete(id);
      record.revertedAt = at;
      if (patch) record.effect = { ...record.effect, ...patch };
      if (failure !== null) {
        // The journal line stays: the next engine on this run folder tries again.
        record.status = 'failed';
        record.error = `revert failed: ${failure}`;
        this.emit('fault.failed', record.target, { faultId: id, type: record.type, stage: 'revert', how, error: failure }, at);
      } else {
        record.status = how === 'expired' ? 'expired' : 'reverted';
        if (fault.journaled) this.journalReverted(id, how, at);
        this.emit('fault.reverted', record.target, { faultId: id, type: record.type, how, ...(patch ? { effect: patch } : {}) }, at);
      }
      this.remember(record);
      this.changed(record);
      return copy(record);
    })();
    return fault.reverting;
  }

  /** Until `live()`, changes are only recorded: the listener first hears of the fault from `fault.injected`. */
  private handleFor(record: FaultRecord): { handle: FaultHandle; live: () => void } {
    let live = false;
    const handle: FaultHandle = {
      id: record.id,
      timeline: (kind, detail, at) => this.emit(kind, record.target, detail, at),
      updateEffect: (patch) => {
        record.effect = { ...record.effect, ...patch };
        if (live) this.changed(record);
      },
      failed: (message) => {
        record.status = 'failed';
        record.error = message;
        if (!live) return;
        this.emit('fault.failed', record.target, { faultId: record.id, type: record.type, stage: 'follow-up', error: message });
        this.changed(record);
      },
    };
    return { handle, live: () => (live = true) };
  }

  private journalReverted(id: string, how: string, at: number = now()): void {
    try {
      this.journal.reverted(id, how, at);
    } catch (error) {
      console.error(`fault journal: cannot record that ${id} was reverted:`, error);
    }
  }

  private remember(record: FaultRecord): void {
    if (this.history.includes(record)) return;
    this.history.unshift(record);
    const limit = this.options.historyLimit ?? 100;
    for (const dropped of this.history.splice(limit)) this.oneShotDisposers.delete(dropped.id);
  }

  private emit(kind: string, nodeId: string, detail: Record<string, unknown>, at: number = now()): void {
    try {
      this.options.listener.onTimeline(kind, nodeId, detail, at);
    } catch (error) {
      console.error('fault listener failed:', error);
    }
  }

  private changed(record: FaultRecord): void {
    try {
      this.options.listener.onChanged(copy(record));
    } catch (error) {
      console.error('fault listener failed:', error);
    }
  }

  private assertOpen(): void {
    if (this.disposing) throw new ContractError({ code: 'closed', message: 'the fault registry is disposed' });
  }
}

/** The engine that wrote a journal line is still running (Linux: same pid and start time; elsewhere unknown, so no). */
function engineAlive(engine: EngineRef | undefined): boolean {
  if (!engine || typeof engine.pid !== 'number' || typeof engine.startTime !== 'string') return false;
  const stat = procStat(engine.pid);
  return !isGone(stat) && stat?.startTime === engine.startTime;
}

function copy(record: FaultRecord): FaultRecord {
  return { ...record, attributes: { ...record.attributes }, effect: { ...record.effect } };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function safeServerEntry(): string | null {
  try {
    return defaultServerEntry();
  } catch {
    return null;
  }
}
