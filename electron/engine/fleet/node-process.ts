import { readFileSync } from 'node:fs';
import type { Agent } from 'node:http';
import { ContractError } from '../../../shared/contract/errors';
import type { NodeExit, NodeRole, NodeSnapshot, NodeSpec, NodeStatus, RestartSettings } from '../../../shared/contract/model';
import { now } from '../clock';
import { LineSplitter } from './log-buffer';
import { quotePath, requestPath } from './health-path';
import type { LaunchPlan } from './node-launch';
import type { LaunchedProcess, ProcessLauncher } from './process-launcher';
import { ReadyProbe } from './ready-probe';

const READY_POLL_MS = 15;
const DEFAULT_READY_TIMEOUT_MS = 15_000;

/** What a supervised node reports to its fleet. */
export interface NodeHooks {
  timeline(kind: string, nodeId: string, detail: Record<string, unknown>, at: number): void;
  changed(snapshot: NodeSnapshot): void;
  log(nodeId: string, stream: 'stdout' | 'stderr' | 'lab', text: string, at: number): void;
  /** A process (`group`: the group it leads) now exists, the orphan guard must know it / its exit was seen. */
  track(pid: number, group: boolean): void;
  untrack(pid: number, group: boolean): void;
  /**
   * Called before every spawn: resolves null when the node's port is free to bind, else with the
   * port (and command line) it moves to, because another process took the old one meanwhile.
   */
  preparePort(nodeId: string, port: number): Promise<{ port: number; plan: LaunchPlan } | null>;
}

export interface NodeProcessOptions {
  spec: NodeSpec;
  port: number;
  dataDir: string;
  restart: RestartSettings;
  plan: LaunchPlan;
  /** How its processes start (plain Node, or Electron's utility processes). */
  launcher: ProcessLauncher;
  agent: Agent;
  hooks: NodeHooks;
}

/** One spawned process of a node; a node has at most one at a time. */
interface Run {
  proc: LaunchedProcess;
  pid: number;
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
  /** What the process said last about why it ends: the bundled server's `server.exit`, else its last stderr line. */
  lastWords: string | null;
  /** Resolves once its stdout and stderr have ended (its last words are in). */
  drained: Promise<void>;
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

function roleOf(spec: NodeSpec): NodeRole {
  return spec.kind === 'bundled' ? spec.role : 'custom';
}

/** The bundled server's last event, `{"event":"server.exit","reason":...,"detail":...}`, in a few words. */
function serverExitWords(line: string): string | null {
  try {
    const event = JSON.parse(line) as { event?: unknown; reason?: unknown; detail?: unknown };
    if (event.event !== 'server.exit' || typeof event.reason !== 'string') return null;
    return typeof event.detail === 'string' ? `${event.reason}: ${event.detail}` : event.reason;
  } catch {
    return null;
  }
}

function describeExit(exit: NodeExit | null): string {
  if (!exit) return 'it did not start';
  if (exit.signal) return `killed by ${exit.signal}`;
  return exit.code === null ? 'it could not be spawned' : `exited with code ${exit.code}`;
}

const LAST_WORDS_MAX = 300;
/** How long a failed start waits for the process's last output before it reports. */
const LAST_WORDS_WAIT_MS = 200;

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
  /**
   * A start under way before its process has a pid: waiting for its port check (a stop cancels
   * it), or for the launcher (`spawning`: a stop waits for the pid, then stops the process).
   */
  private launching: { cancelled: boolean; spawning: boolean; stopGraceMs?: number } | null = null;
  /** Until when a lab start waits through failed attempts (the node's ready timeout); null when none waits. */
  private launchDeadline: number | null = null;
  /** The last run that ended (or launch that failed): its last words explain a start that failed. */
  private lastRun: Pick<Run, 'lastWords' | 'drained'> | null = null;
  /** Counts the lab's stops: a restart starts again only if no other stop came after its own. */
  private stopTicket = 0;

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

  /** True while a process of this node runs, is being spawned or is scheduled to be: a fleet stop must end it. */
  get hasProcess(): boolean {
    return this.run !== null || this.launching !== null || this.restartTimer !== null;
  }

  /**
   * A start asked by the lab: resets the crash-loop counters; resolves once ready, or once it has
   * failed for good (exited, crash-loop), or still failing when its ready timeout is over — a
   * failed first attempt is retried by the restart policy, and the start waits for that.
   */
  async start(): Promise<NodeSnapshot> {
    if (this.run || this.launching) {
      throw new ContractError({ code: 'conflict', message: `node ${this.id} is ${this.statusValue}`, field: 'id' });
    }
    this.clearRestartTimer();
    this.quickFailures = 0;
    this.backoffMs = this.options.restart.backoffInitialMs;
    this.attempt = 0;
    this.lastRun = null;
    this.launchDeadline = now() + (this.options.spec.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
    const settled = new Promise<NodeSnapshot>((resolve) => this.launchWaiters.push(resolve));
    this.launch();
    return settled;
  }

  /**
   * SIGCONT and SIGTERM to the group (a stopped process handles SIGTERM only once continued),
   * SIGKILL after `graceMs`; no restart follows, and a restart under way does not start it again.
   */
  stop(graceMs = 2000): Promise<NodeSnapshot> {
    this.stopTicket++;
    this.clearRestartTimer();
    if (this.launching?.spawning) {
      // The launcher is starting its process: stopped as soon as it has a pid (or has failed).
      const launching = this.launching;
      launching.stopGraceMs = Math.min(launching.stopGraceMs ?? graceMs, graceMs);
      if (this.statusValue !== 'stopping') this.setStatus('stopping');
      return new Promise<NodeSnapshot>((resolve) => this.stopWaiters.push(resolve));
    }
    if (this.launching) {
      this.launching.cancelled = true;
      this.launching = null;
    }
    const run = this.run;
    if (!run) {
      if (this.statusValue !== 'stopped') {
        this.setStatus('stopped');
        this.emit('node.stopped', { reason: 'lab' });
      }
      this.settleLaunch();
      return Promise.resolve(this.snapshot());
    }
    const stopped = new Promise<NodeSnapshot>((resolve) => this.stopWaiters.push(resolve));
    if (!run.stopRequested) this.stopRun(run, graceMs);
    return stopped;
  }

  /** SIGCONT and SIGTERM, SIGKILL after `graceMs` (at once if it is 0); the exit then finishes the stop. */
  private stopRun(run: Run, graceMs: number): void {
    run.stopRequested = true;
    this.stopProbe(run);
    // Asked from a `node.exited` listener: the process is gone (its pid may be reused); no restart follows.
    if (run.ended) return;
    this.setStatus('stopping');
    run.diedBeforeStop = isDeadUnreaped(run.pid);
    if (graceMs <= 0) run.proc.signal('SIGKILL');
    else {
      // A paused (SIGSTOP) node would sit on its SIGTERM for the whole grace period.
      run.proc.signal('SIGCONT');
      run.proc.signal('SIGTERM');
      run.killTimer = setTimeout(() => run.proc.signal('SIGKILL'), graceMs);
    }
  }

  /** Stop, then start; refused (conflict) when another stop (node.stop, a fleet stop) came meanwhile. */
  async restart(graceMs = 2000): Promise<NodeSnapshot> {
    const stopped = this.stop(graceMs);
    const ticket = this.stopTicket;
    await stopped;
    if (ticket !== this.stopTicket) {
      throw new ContractError({ code: 'conflict', message: `node ${this.id} was stopped while it restarted: not started again`, field: 'id' });
    }
    return this.start();
  }

  /** Checks the port, then spawns; a stop in between cancels the spawn. */
  private launch(): void {
    const ticket = { cancelled: false, spawning: false };
    this.launching = ticket;
    const proceed = (): void => {
      if (ticket.cancelled) return;
      this.launching = null;
      this.spawn();
    };
    this.options.hooks.preparePort(this.id, this.options.port).then(
      (moved) => {
        if (moved && !ticket.cancelled) {
          this.options.port = moved.port;
          this.options.plan = moved.plan;
        }
        proceed();
      },
      // The check is advice: without it the spawn still tries the port it has.
      () => proceed(),
    );
  }

  private spawn(): void {
    const { plan, port } = this.options;
    this.attempt++;
    this.nextStartAt = null;
    const readyPath = plan.readyPath === null ? null : requestPath(plan.readyPath);
    if (readyPath && !readyPath.ok) {
      // Its readiness could never be asked: starting it would only end in a ready timeout.
      this.refuseToStart(`its health path ${quotePath(plan.readyPath as string)} cannot be sent in a request: ${readyPath.reason}`);
      return;
    }
    this.liveRole = roleOf(this.options.spec);
    const startedAt = now();
    const ticket = { cancelled: false, spawning: true } as NonNullable<NodeProcess['launching']>;
    this.launching = ticket;
    let launched: Promise<LaunchedProcess>;
    try {
      launched = this.options.launcher.launch({ target: plan.target, env: plan.env, label: `firedrill node ${this.id}` });
    } catch (error) {
      launched = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    launched.then(
      (proc) => this.onLaunched(ticket, proc, { plan, port, startedAt, readyPath: readyPath?.ok ? readyPath.path : null }),
      (error: unknown) => this.onLaunchFailed(ticket, error instanceof Error ? error.message : String(error)),
    );
  }

  /** The launcher has started the process: the orphan guard learns it first, then its output, exit and readiness are watched. */
  private onLaunched(
    ticket: NonNullable<NodeProcess['launching']>,
    proc: LaunchedProcess,
    { plan, port, startedAt, readyPath }: { plan: LaunchPlan; port: number; startedAt: number; readyPath: string | null },
  ): void {
    if (this.launching === ticket) this.launching = null;
    const { hooks } = this.options;
    const run: Run = {
      proc,
      pid: proc.pid,
      startedAt,
      readyAt: null,
      stopRequested: false,
      diedBeforeStop: false,
      readyTimedOut: false,
      ended: false,
      probe: null,
      readyTimer: null,
      killTimer: null,
      lastWords: null,
      drained: Promise.resolve(),
    };
    this.run = run;
    const pid = run.pid;
    hooks.track(pid, proc.ownGroup);
    this.setStatus('starting');
    this.emit('node.starting', { pid, attempt: this.attempt, port }, startedAt);
    run.drained = Promise.all([this.pipeLines(run, 'stdout'), this.pipeLines(run, 'stderr')]).then(() => undefined);
    // Called at once if it has already exited.
    proc.onExit((exit) => this.onExit(run, exit.code, exit.signal, exit.at));
    if (run.ended) return;
    if (ticket.stopGraceMs !== undefined) {
      this.stopRun(run, ticket.stopGraceMs);
      return;
    }

    if (!plan.readyPath && !plan.readyLogEvent) {
      this.markReady(run);
      return;
    }
    const readyTimeoutMs = this.options.spec.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    run.readyTimer = setTimeout(() => this.onReadyTimeout(run, readyTimeoutMs), readyTimeoutMs);
    if (readyPath !== null) {
      run.probe = new ReadyProbe({
        port,
        path: readyPath,
        agent: this.options.agent,
        intervalMs: READY_POLL_MS,
        onReady: () => this.markReady(run),
      });
      run.probe.start();
    }
  }

  /** Resolves when the stream has ended (or failed). */
  private pipeLines(run: Run, stream: 'stdout' | 'stderr'): Promise<void> {
    const readable = run.proc[stream];
    if (!readable) return Promise.resolve();
    const { hooks, plan } = this.options;
    const watchReady = stream === 'stdout' && plan.readyLogEvent;
    const splitter = new LineSplitter((text, at) => {
      // The only parsing done on output: a cheap look for the bundled server's ready and exit lines.
      if (text.charCodeAt(0) === 123) {
        if (watchReady && run.readyAt === null && text.includes('"server.ready"')) this.markReady(run);
        else if (stream === 'stdout' && text.includes('"server.exit"')) run.lastWords = serverExitWords(text) ?? run.lastWords;
      }
      if (stream === 'stderr' && text.trim() !== '') run.lastWords = text.trim().slice(0, LAST_WORDS_MAX);
      hooks.log(this.id, stream, text, at);
    });
    readable.setEncoding('utf8');
    readable.on('data', (chunk: string) => splitter.push(chunk));
    return new Promise<void>((resolve) => {
      readable.on('end', () => {
        splitter.end();
        resolve();
      });
      readable.on('close', () => resolve());
      readable.on('error', () => resolve());
    });
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
    run.proc.signal('SIGKILL');
  }

  private onExit(run: Run, code: number | null, signal: NodeJS.Signals | null, at: number): void {
    if (run.ended) return;
    run.ended = true;
    const pid = run.pid;
    // First: the pid is free for reuse now, and the guard must never kill a stranger.
    this.options.hooks.untrack(pid, run.proc.ownGroup);
    this.lastRun = run;
    const byLab = run.stopRequested && !run.diedBeforeStop;
    const uptimeMs = at - run.startedAt;
    this.emit('node.exited', { code, signal, pid, byLab, uptimeMs }, at);
    this.endRun(run);
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

  /** The launcher could not start the process (no such program, not executable, ...). */
  private onLaunchFailed(ticket: NonNullable<NodeProcess['launching']>, message: string): void {
    const at = now();
    if (this.launching === ticket) this.launching = null;
    this.lastRun = { lastWords: message, drained: Promise.resolve() };
    this.spawnFailed(message, at, ticket.stopGraceMs !== undefined);
  }

  private spawnFailed(message: string, at: number, byLab: boolean): void {
    this.lastExit = { code: null, signal: null, at, byLab };
    this.emit('node.spawn-failed', { error: message, attempt: this.attempt }, at);
    this.options.hooks.log(this.id, 'lab', `could not start: ${message}`, at);
    if (byLab) this.finishStop();
    else this.afterUnaskedEnd(at, true, true);
  }

  /** A node that cannot work as configured: no process, no retry, and the reason on its timeline. */
  private refuseToStart(reason: string): void {
    const at = now();
    this.lastExit = { code: null, signal: null, at, byLab: false };
    this.emit('node.spawn-failed', { error: reason, attempt: this.attempt }, at);
    this.options.hooks.log(this.id, 'lab', `not started: ${reason}`, at);
    this.setStatus('exited');
    this.settleLaunch(reason);
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
      this.launch();
    }, delayMs);
    // A lab start waits for the retry while its ready timeout lasts: one failed attempt is not a failed start.
    if (this.launchDeadline === null || at + delayMs > this.launchDeadline) this.settleLaunch();
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

  /**
   * Resolves the lab's start. One that ends without the node ready (and not stopped by the lab)
   * puts `node.start-failed` on the timeline first, with why: how it ended and its last words.
   */
  private settleLaunch(reason?: string): void {
    this.launchDeadline = null;
    if (this.launchWaiters.length === 0) return;
    const waiters = this.launchWaiters.splice(0);
    const snapshot = this.snapshot();
    const failed = snapshot.status !== 'ready' && snapshot.status !== 'stopped' && snapshot.status !== 'stopping';
    if (!failed) {
      for (const resolve of waiters) resolve(snapshot);
      return;
    }
    const run = this.lastRun;
    // The process's last lines may still be in its pipes when it has exited: wait for them, briefly.
    const drained = run ? Promise.race([run.drained, new Promise<void>((r) => setTimeout(r, LAST_WORDS_WAIT_MS).unref())]) : Promise.resolve();
    void drained.then(() => {
      const why = reason ?? `${describeExit(this.lastExit)}${snapshot.readyAt === null ? ' before it was ready' : ''}${run?.lastWords ? ` (${run.lastWords})` : ''}`;
      this.emit('node.start-failed', { status: snapshot.status, reason: why, attempts: this.attempt });
      for (const resolve of waiters) resolve(snapshot);
    });
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
