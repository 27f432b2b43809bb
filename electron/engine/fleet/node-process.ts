import { readFileSync } from 'node:fs';
import type { Agent } from 'node:http';
import { execa, type ResultPromise } from 'execa';
import { ContractError } from '../../../shared/contract/errors';
import type { NodeExit, NodeRole, NodeSnapshot, NodeSpec, NodeStatus, RestartSettings } from '../../../shared/contract/model';
import { now } from '../clock';
import { LineSplitter } from './log-buffer';
import type { LaunchPlan } from './node-launch';
import { ReadyProbe } from './ready-probe';

const READY_POLL_MS = 15;
const DEFAULT_READY_TIMEOUT_MS = 15_000;

/** What a supervised node reports to its fleet. */
export interface NodeHooks {
  timeline(kind: string, nodeId: string, detail: Record<string, unknown>, at: number): void;
  changed(snapshot: NodeSnapshot): void;
  log(nodeId: string, stream: 'stdout' | 'stderr' | 'lab', text: string, at: number): void;
  /** A process group now exists (the reaper must know it) / is gone. */
  track(pid: number): void;
  untrack(pid: number): void;
}

export interface NodeProcessOptions {
  spec: NodeSpec;
  port: number;
  dataDir: string;
  restart: RestartSettings;
  plan: LaunchPlan;
  agent: Agent;
  hooks: NodeHooks;
}

/** One spawned process of a node; a node has at most one at a time. */
interface Run {
  child: ResultPromise;
  pid: number | null;
  startedAt: number;
  readyAt: number | null;
  stopRequested: boolean;
  /** The process had already died (unreaped) when the lab asked it to stop: the exit is not the lab's doing. */
  diedBeforeStop: boolean;
  readyTimedOut: boolean;
  ended: boolean;
  probe: ReadyProbe | null;
  readyTimer: NodeJS.Timeout | null;
  killTimer: NodeJS.Timeout | null;
}

/**
 * Sends `signal` to the process group led by `pid` (or to `pid` alone if it has no group);
 * never throws. Only for a child not yet reaped, so the pid cannot belong to anyone else.
 */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * True when our child has already died but its exit is not processed yet (a zombie). Linux only
 * (/proc); elsewhere it answers false. A failover that fences a primary the balancer saw failing
 * must not take credit for a death that happened before it.
 */
export function isDeadUnreaped(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'Z' || state === 'X';
  } catch {
    return false;
  }
}

/**
 * After the leader exited and was reaped: SIGKILL what it left in its group. The group id stays
 * reserved while the group has members, so this never reaches a stranger; the leader's pid,
 * now free for reuse, is not signalled.
 */
function killGroupRemnants(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // no member left
  }
}

function roleOf(spec: NodeSpec): NodeRole {
  return spec.kind === 'bundled' ? spec.role : 'custom';
}

function spawnFailure(result: unknown): string {
  const { originalMessage, shortMessage } = (result ?? {}) as { originalMessage?: string; shortMessage?: string };
  return originalMessage || shortMessage || 'the process could not be spawned';
}

/**
 * One supervised node: spawn, readiness, exit, and the restart state machine
 * stopped → starting → ready → (exit) → backoff → starting … | exited | crash-loop.
 */
export class NodeProcess {
  readonly id: string;
  private statusValue: NodeStatus = 'stopped';
  /** The role shown in snapshots: the spec's at each spawn, or what the lab says it became since. */
  private liveRole: NodeRole;
  private restarts = 0;
  private run: Run | null = null;
  private lastExit: NodeExit | null = null;
  private nextStartAt: number | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private quickFailures = 0;
  private backoffMs: number;
  private attempt = 0;
  private launchWaiters: Array<(snapshot: NodeSnapshot) => void> = [];
  private stopWaiters: Array<(snapshot: NodeSnapshot) => void> = [];

  constructor(private readonly options: NodeProcessOptions) {
    this.id = options.spec.id;
    this.backoffMs = options.restart.backoffInitialMs;
    this.liveRole = roleOf(options.spec);
  }

  /** The spec and command line of the next spawn; a node with no process shows the new role at once. */
  reconfigure(spec: NodeSpec, plan: LaunchPlan): void {
    this.options.spec = spec;
    this.options.plan = plan;
    if (!this.run || this.run.ended) this.setLiveRole(roleOf(spec));
  }

  /** The role the running process has now (e.g. promoted over HTTP), until its next spawn. */
  setLiveRole(role: NodeRole): void {
    if (role === this.liveRole) return;
    this.liveRole = role;
    this.options.hooks.changed(this.snapshot());
  }

  get status(): NodeStatus {
    return this.statusValue;
  }

  get pid(): number | null {
    return this.run?.pid ?? null;
  }

  snapshot(): NodeSnapshot {
    const { spec, port, dataDir, restart } = this.options;
    return {
      id: spec.id,
      kind: spec.kind,
      role: this.liveRole,
      pid: this.run?.pid ?? null,
      port,
      status: this.statusValue,
      restarts: this.restarts,
      dataDir,
      restartPolicy: restart.policy,
      startedAt: this.run?.startedAt ?? null,
      readyAt: this.run?.readyAt ?? null,
      lastExit: this.lastExit,
      nextStartAt: this.statusValue === 'backoff' ? this.nextStartAt : null,
    };
  }

  /** A start asked by the lab: resets the crash-loop counters; resolves once ready or failed. */
  async start(): Promise<NodeSnapshot> {
    if (this.run) {
      throw new ContractError({ code: 'conflict', message: `node ${this.id} is ${this.statusValue}`, field: 'id' });
    }
    this.clearRestartTimer();
    this.quickFailures = 0;
    this.backoffMs = this.options.restart.backoffInitialMs;
    this.attempt = 0;
    const settled = new Promise<NodeSnapshot>((resolve) => this.launchWaiters.push(resolve));
    this.spawn();
    return settled;
  }

  /** SIGTERM to the group, SIGKILL after `graceMs`; no restart follows. */
  stop(graceMs = 2000): Promise<NodeSnapshot> {
    this.clearRestartTimer();
    const run = this.run;
    if (!run) {
      if (this.statusValue !== 'stopped') {
        this.setStatus('stopped');
        this.emit('node.stopped', { reason: 'lab' });
      }
      return Promise.resolve(this.snapshot());
    }
    const stopped = new Promise<NodeSnapshot>((resolve) => this.stopWaiters.push(resolve));
    if (!run.stopRequested) {
      run.stopRequested = true;
      this.stopProbe(run);
      // Asked from a `node.exited` listener: the process is gone (its pid may be reused); no restart follows.
      if (run.ended) return stopped;
      this.setStatus('stopping');
      if (run.pid !== null) {
        const pid = run.pid;
        run.diedBeforeStop = isDeadUnreaped(pid);
        if (graceMs <= 0) signalGroup(pid, 'SIGKILL');
        else {
          signalGroup(pid, 'SIGTERM');
          run.killTimer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
        }
      }
    }
    return stopped;
  }

  async restart(graceMs = 2000): Promise<NodeSnapshot> {
    await this.stop(graceMs);
    return this.start();
  }

  private spawn(): void {
    const { plan, port, hooks } = this.options;
    this.attempt++;
    this.nextStartAt = null;
    this.liveRole = roleOf(this.options.spec);
    const startedAt = now();
    let child: ResultPromise;
    try {
      child = execa(plan.file, plan.args, {
        env: plan.env,
        ...(plan.ipc ? { ipc: true } : {}),
        detached: true, // own process group: a terminal's Ctrl-C reaches the engine, not the fleet
        reject: false,
        buffer: false,
        cleanup: true,
        shell: false,
        stdin: 'pipe',
        stdout: 'pipe',
        stderr: 'pipe',
      });
    } catch (error) {
      // Bad options throw synchronously; treat them like a spawn that failed (this may run in a timer).
      this.spawnFailed(error instanceof Error ? error.message : String(error), startedAt, false);
      return;
    }
    const run: Run = {
      child,
      pid: child.pid ?? null,
      startedAt,
      readyAt: null,
      stopRequested: false,
      diedBeforeStop: false,
      readyTimedOut: false,
      ended: false,
      probe: null,
      readyTimer: null,
      killTimer: null,
    };
    this.run = run;
    // Ground truth for detection times: read the clock first thing in the exit listener.
    child.once('exit', (code, signal) => this.onExit(run, code, signal, now()));
    child.on('error', () => {}); // execa reports it through the result below
    child.then(
      (result) => {
        if (run.pid === null) this.onSpawnError(run, spawnFailure(result), now());
      },
      () => {}, // reject: false; never let the result promise go unhandled
    );
    if (run.pid === null) return; // could not spawn: handled once execa settles
    this.pipeLines(run, 'stdout');
    this.pipeLines(run, 'stderr');
    const pid = run.pid;
    hooks.track(pid);
    this.setStatus('starting');
    this.emit('node.starting', { pid, attempt: this.attempt, port }, startedAt);

    if (!plan.readyPath && !plan.readyLogEvent) {
      this.markReady(run);
      return;
    }
    const readyTimeoutMs = this.options.spec.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    run.readyTimer = setTimeout(() => this.onReadyTimeout(run, readyTimeoutMs), readyTimeoutMs);
    if (plan.readyPath) {
      run.probe = new ReadyProbe({
        port,
        path: plan.readyPath,
        agent: this.options.agent,
        intervalMs: READY_POLL_MS,
        onReady: () => this.markReady(run),
      });
      run.probe.start();
    }
  }

  private pipeLines(run: Run, stream: 'stdout' | 'stderr'): void {
    const readable = run.child[stream];
    if (!readable) return;
    const { hooks, plan } = this.options;
    const watchReady = stream === 'stdout' && plan.readyLogEvent;
    const splitter = new LineSplitter((text, at) => {
      // The only parsing done on output: a cheap look for the bundled server's ready line.
      if (watchReady && run.readyAt === null && text.charCodeAt(0) === 123 && text.includes('"server.ready"')) {
        this.markReady(run);
      }
      hooks.log(this.id, stream, text, at);
    });
    readable.setEncoding('utf8');
    readable.on('data', (chunk: string) => splitter.push(chunk));
    readable.on('end', () => splitter.end());
    readable.on('error', () => {});
  }

  private markReady(run: Run): void {
    if (run !== this.run || run.readyAt !== null || run.stopRequested || run.readyTimedOut || run.ended) return;
    run.readyAt = now();
    this.stopProbe(run);
    this.setStatus('ready');
    this.emit('node.ready', { pid: run.pid, startMs: run.readyAt - run.startedAt }, run.readyAt);
    this.settleLaunch();
  }

  private onReadyTimeout(run: Run, timeoutMs: number): void {
    run.readyTimer = null;
    if (run !== this.run || run.readyAt !== null || run.stopRequested || run.ended) return;
    run.readyTimedOut = true;
    this.stopProbe(run);
    this.emit('node.ready-timeout', { pid: run.pid, timeoutMs });
    this.options.hooks.log(this.id, 'lab', `not ready after ${timeoutMs} ms: killing pid ${run.pid}`, now());
    if (run.pid !== null) signalGroup(run.pid, 'SIGKILL');
  }

  private onExit(run: Run, code: number | null, signal: NodeJS.Signals | null, at: number): void {
    if (run.ended) return;
    run.ended = true;
    const byLab = run.stopRequested && !run.diedBeforeStop;
    const pid = run.pid;
    const uptimeMs = at - run.startedAt;
    this.emit('node.exited', { code, signal, pid, byLab, uptimeMs }, at);
    this.endRun(run);
    if (pid !== null) {
      killGroupRemnants(pid);
      this.options.hooks.untrack(pid);
    }
    this.lastExit = { code, signal, at, byLab };
    this.options.hooks.log(this.id, 'lab', `pid ${pid} exited (${signal ?? `code ${code}`})${byLab ? ' as asked' : ''}`, at);
    // A listener of `node.exited` may have stopped the node: then no restart either.
    if (run.stopRequested) {
      this.finishStop();
      return;
    }
    const failed = run.readyTimedOut || code !== 0 || signal !== null;
    const quick = run.readyAt === null || uptimeMs < this.options.restart.quickFailureMs;
    this.afterUnaskedEnd(at, failed, quick);
  }

  private onSpawnError(run: Run, message: string, at: number): void {
    if (run.ended) return;
    run.ended = true;
    this.endRun(run);
    this.spawnFailed(message, at, run.stopRequested);
  }

  private spawnFailed(message: string, at: number, byLab: boolean): void {
    this.lastExit = { code: null, signal: null, at, byLab };
    this.emit('node.spawn-failed', { error: message, attempt: this.attempt }, at);
    this.options.hooks.log(this.id, 'lab', `could not start: ${message}`, at);
    if (byLab) this.finishStop();
    else this.afterUnaskedEnd(at, true, true);
  }

  /** The restart policy, applied to an end the lab did not ask for. */
  private afterUnaskedEnd(at: number, failed: boolean, quick: boolean): void {
    const settings = this.options.restart;
    if (!quick) {
      this.quickFailures = 0;
      this.backoffMs = settings.backoffInitialMs;
    }
    const wanted = settings.policy === 'always' || (settings.policy === 'on-failure' && failed);
    if (!wanted) {
      this.setStatus('exited');
      this.settleLaunch();
      return;
    }
    if (quick) this.quickFailures++;
    if (this.quickFailures >= settings.crashLoopAfter) {
      this.setStatus('crash-loop');
      this.emit('node.crash-loop', { failures: this.quickFailures, quickFailureMs: settings.quickFailureMs });
      this.settleLaunch();
      return;
    }
    const delayMs = Math.min(this.backoffMs, settings.backoffMaxMs);
    this.backoffMs = Math.min(Math.max(delayMs * 2, 1), settings.backoffMaxMs);
    this.nextStartAt = at + delayMs;
    this.setStatus('backoff');
    this.emit('node.restart-scheduled', { delayMs, attempt: this.attempt + 1 });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.restarts++;
      this.spawn();
    }, delayMs);
    this.settleLaunch();
  }

  private finishStop(): void {
    this.setStatus('stopped');
    this.emit('node.stopped', { reason: 'lab' });
    const snapshot = this.snapshot();
    for (const resolve of this.stopWaiters.splice(0)) resolve(snapshot);
    this.settleLaunch();
  }

  private endRun(run: Run): void {
    this.stopProbe(run);
    if (run.killTimer) clearTimeout(run.killTimer);
    run.killTimer = null;
    if (this.run === run) this.run = null;
  }

  private stopProbe(run: Run): void {
    run.probe?.stop();
    run.probe = null;
    if (run.readyTimer) clearTimeout(run.readyTimer);
    run.readyTimer = null;
  }

  private settleLaunch(): void {
    if (this.launchWaiters.length === 0) return;
    const snapshot = this.snapshot();
    for (const resolve of this.launchWaiters.splice(0)) resolve(snapshot);
  }

  private clearRestartTimer(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.nextStartAt = null;
  }

  private setStatus(status: NodeStatus): void {
    this.statusValue = status;
    this.options.hooks.changed(this.snapshot());
  }

  private emit(kind: string, detail: Record<string, unknown>, at: number = now()): void {
    this.options.hooks.timeline(kind, this.id, detail, at);
  }
}
