import type { Details, ForkOptions, UtilityProcess } from 'electron';
import { constants } from 'node:os';
import { now } from '../engine/clock.js';
import type { LaunchRequest, LaunchedProcess, OrphanGuard, ProcessExit, ProcessLauncher } from '../engine/fleet/process-launcher.js';
import { startShellReaper } from './shell-reaper.js';

/** What Chromium says about a child that is gone (app's `child-process-gone`), as far as this file reads it. */
export type GoneDetails = Pick<Details, 'type' | 'reason' | 'exitCode' | 'serviceName'>;

export interface UtilityLauncherOptions {
  /** `utilityProcess.fork`. */
  fork: (modulePath: string, args: string[], options: ForkOptions) => UtilityProcess;
  /** Subscribes to app's `child-process-gone`; returns the unsubscribe. */
  onChildProcessGone: (listener: (details: GoneDetails) => void) => () => void;
  /** How other programs (command nodes) start: the plain Node launcher (child_process needs no RunAsNode). */
  programs: ProcessLauncher;
  /** The orphan guard; default the POSIX shell reaper. */
  startOrphanGuard?: () => Promise<OrphanGuard>;
  /** The engine's clock (default ../engine/clock.ts). */
  clock?: () => number;
  /** How long an exit with a non-zero number waits for Chromium's account of it (signal or code?). */
  goneWaitMs?: number;
  kill?: (pid: number, signal: NodeJS.Signals) => void;
}

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(Object.entries(constants.signals).map(([name, number]) => [number, name as NodeJS.Signals]));

/**
 * Electron's `exit` event carries one number: an exit code, or (from waitpid) the number of the
 * signal that ended the process. Chromium's `child-process-gone` reason tells which: `killed`,
 * `crashed` and `oom` are signals; `clean-exit` and `abnormal-exit` are codes. Without a reason,
 * a number that is a signal this launcher itself sent is taken as that signal.
 */
export function utilityExit(code: number, reason: GoneDetails['reason'] | undefined, sent: ReadonlySet<NodeJS.Signals>): Pick<ProcessExit, 'code' | 'signal'> {
  const signal = SIGNAL_NAMES.get(code);
  if (reason === 'killed' || reason === 'crashed' || reason === 'oom') return signal ? { code: null, signal } : { code, signal: null };
  if (reason === 'clean-exit' || reason === 'abnormal-exit') return { code, signal: null };
  if (signal && sent.has(signal)) return { code: null, signal };
  return { code, signal: null };
}

/**
 * The fleet's launcher in the desktop app: Firedrill's own Node scripts (the bundled server) run
 * as Electron utility processes, so the packaged app needs no RunAsNode fuse; programs go to the
 * plain launcher; the orphan guard is the shell reaper. See ../engine/fleet/process-launcher.ts.
 */
export class UtilityProcessLauncher implements ProcessLauncher {
  readonly runtime = 'electron' as const;
  private launches = 0;
  private readonly gone = new Map<string, GoneDetails>();
  private readonly waiting = new Map<string, (details: GoneDetails) => void>();
  private readonly stopListening: () => void;

  constructor(private readonly options: UtilityLauncherOptions) {
    this.stopListening = options.onChildProcessGone((details) => {
      if (details.type !== 'Utility' || !details.serviceName) return;
      const waiter = this.waiting.get(details.serviceName);
      if (waiter) waiter(details);
      else this.gone.set(details.serviceName, details);
    });
  }

  startOrphanGuard(): Promise<OrphanGuard> {
    return (this.options.startOrphanGuard ?? (() => startShellReaper()))();
  }

  launch(request: LaunchRequest): Promise<LaunchedProcess> {
    if (request.target.kind === 'program') return this.options.programs.launch(request);
    const { script, args } = request.target;
    // A name of its own per launch: how Chromium's account of its end is matched to it.
    const serviceName = `${request.label} #${++this.launches}`;
    const clock = this.options.clock ?? now;
    let child: UtilityProcess;
    try {
      child = this.options.fork(script, args, {
        env: { ...process.env, ...request.env } as ForkOptions['env'],
        ...(request.cwd ? { cwd: request.cwd } : {}),
        stdio: 'pipe',
        serviceName,
      });
    } catch (error) {
      return Promise.reject(new Error(`${request.label} could not start: ${(error as Error).message}`));
    }

    // Emitted on a fatal V8 error, before the exit: with no listener an EventEmitter throws it in the main process.
    child.on('error', () => undefined);
    const tracked = new UtilityChild(child, this.options.kill ?? ((pid: number, signal: NodeJS.Signals) => process.kill(pid, signal)));
    return new Promise<LaunchedProcess>((resolve, reject) => {
      child.once('spawn', () => {
        const launched = tracked.spawned();
        if (launched) resolve(launched);
      });
      child.once('exit', (code) => {
        const at = clock(); // first thing: the ground truth for detection times
        if (tracked.pid === undefined) {
          reject(new Error(`${request.label} did not start (utility process exit code ${code})`));
          return;
        }
        this.reasonFor(serviceName, code, (reason) => tracked.exited(at, code, reason));
      });
    });
  }

  /**
   * Chromium's reason for the end of `serviceName`, handed to `then`: at once when it told already (or the
   * exit code is 0); otherwise it is waited for briefly, since Chromium tells observers in an order of its own.
   */
  private reasonFor(serviceName: string, code: number, then: (reason: GoneDetails['reason'] | undefined) => void): void {
    const done = (reason: GoneDetails['reason'] | undefined): void => {
      this.waiting.delete(serviceName);
      this.gone.delete(serviceName);
      then(reason);
    };
    const known = this.gone.get(serviceName);
    if (code === 0 || known) return done(known?.reason);
    const timer = setTimeout(() => done(undefined), this.options.goneWaitMs ?? 100);
    this.waiting.set(serviceName, (details) => {
      clearTimeout(timer);
      done(details.reason);
    });
  }

  /** Stops listening to Chromium's accounts (the processes themselves are the fleet's to stop). */
  dispose(): void {
    this.stopListening();
    this.waiting.clear();
    this.gone.clear();
  }
}

/** One utility process as the fleet sees it once it has spawned: its pid, its exit, the signals sent to it. */
class UtilityChild {
  pid: number | undefined;
  private exit: ProcessExit | undefined;
  private readonly sent = new Set<NodeJS.Signals>();
  private readonly listeners = new Set<(exit: ProcessExit) => void>();

  constructor(
    private readonly child: UtilityProcess,
    private readonly kill: (pid: number, signal: NodeJS.Signals) => void,
  ) {}

  /** The launched process, once Electron says it spawned with a pid (undefined without one). */
  spawned(): LaunchedProcess | undefined {
    this.pid = this.child.pid;
    if (this.pid === undefined) return undefined;
    return {
      pid: this.pid,
      ownGroup: false,
      stdout: this.child.stdout,
      stderr: this.child.stderr,
      onExit: (listener) => {
        if (this.exit) {
          listener(this.exit);
          return () => undefined;
        }
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
      },
      signal: (signal) => this.signal(signal),
    };
  }

  /** Its exit, `code` read as a code or a signal by Chromium's `reason` (utilityExit), told to every listener. */
  exited(at: number, code: number, reason: GoneDetails['reason'] | undefined): void {
    const exit = { ...utilityExit(code, reason, this.sent), at };
    this.exit = exit;
    for (const listener of [...this.listeners]) listener(exit);
    this.listeners.clear();
  }

  private signal(signal: NodeJS.Signals): boolean {
    if (this.exit || this.pid === undefined) return false;
    try {
      this.sent.add(signal);
      this.kill(this.pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}
