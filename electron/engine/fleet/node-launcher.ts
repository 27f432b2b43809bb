import { execa, type ResultPromise } from 'execa';
import { reaperEntry as defaultReaperEntry } from '../app-paths';
import { now } from '../clock';
import type { LaunchRequest, LaunchedProcess, OrphanGuard, ProcessExit, ProcessLauncher } from './process-launcher';
import { ReaperClient } from './reaper-client';

export interface PlainNodeLauncherOptions {
  /** The built reaper (reaper-main.ts); default `out/reaper/index.js` (../app-paths.ts). */
  reaperEntry?: string;
  /** The engine's clock (default ../clock.ts). */
  clock?: () => number;
}

/**
 * Sends `signal` to the process group led by `pid` (or to `pid` alone if it leads none); false if
 * nothing was there. Only for a child not yet reaped, so the pid cannot belong to anyone else.
 */
function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * After the leader exited and was reaped: SIGKILL what it left in its group. The group id stays
 * reserved while the group has members, so this never reaches a stranger; the leader's pid, now
 * free for reuse, is not signalled.
 */
function killGroupRemnants(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // no member left
  }
}

function spawnFailure(result: unknown): string {
  const { originalMessage, shortMessage } = (result ?? {}) as { originalMessage?: string; shortMessage?: string };
  return originalMessage || shortMessage || 'the process could not be spawned';
}

/**
 * The fleet's launcher in plain Node (the CLI, the web host, tests), see ./process-launcher.ts:
 * every process spawned detached (it leads its own process group: a terminal's Ctrl-C reaches the
 * engine, not the fleet), stdin/stdout/stderr piped; a Node script of ours runs as
 * `process.execPath SCRIPT` with an IPC channel (the bundled server's `--watch-parent` watches it).
 * Once a leader has exited and been reaped, what it left in its group is SIGKILLed. The orphan
 * guard is the reaper (reaper-main.ts) over IPC.
 *
 * Inside Electron `process.execPath` is the Electron binary, which runs a script as Node only with
 * the RunAsNode fuse on: there a script or the reaper is refused with the reason (the desktop app
 * uses ../../main/utility-launcher.ts, which hands only programs to this launcher).
 */
export class PlainNodeLauncher implements ProcessLauncher {
  readonly runtime = 'node' as const;

  constructor(private readonly options: PlainNodeLauncherOptions = {}) {}

  async startOrphanGuard(): Promise<OrphanGuard> {
    if (process.versions.electron) throw new Error('the plain Node reaper cannot run inside Electron: use the utility process launcher (electron/main/utility-launcher.ts)');
    const reaper = new ReaperClient(this.options.reaperEntry ?? defaultReaperEntry());
    await reaper.start();
    return reaper;
  }

  launch(request: LaunchRequest): Promise<LaunchedProcess> {
    const { target, label } = request;
    if (target.kind === 'node-script' && process.versions.electron) {
      return Promise.reject(new Error(`${label} could not start: a Node script cannot run as plain Node inside Electron (use the utility process launcher)`));
    }
    let child: ResultPromise;
    try {
      child = spawnTarget(request);
    } catch (error) {
      // Bad options throw synchronously.
      return Promise.reject(new Error(`${label} could not start: ${error instanceof Error ? error.message : String(error)}`));
    }
    child.on('error', () => {}); // execa reports it through the result below
    const pid = child.pid;
    if (pid === undefined) {
      // Could not spawn (no such file, not executable): execa settles with why.
      return child.then(
        (result) => Promise.reject(new Error(spawnFailure(result))),
        (error: unknown) => Promise.reject(new Error(spawnFailure(error))),
      );
    }
    // reject: false; never let the result promise go unhandled.
    child.then(
      () => undefined,
      () => undefined,
    );
    return Promise.resolve(launchedProcess(child, pid, this.options.clock ?? now));
  }
}

/** The process in its own group (a node script with an IPC channel), its output piped, nothing buffered. */
function spawnTarget({ target, env, cwd }: LaunchRequest): ResultPromise {
  const [file, args] = target.kind === 'node-script' ? [process.execPath, [target.script, ...target.args]] : [target.file, target.args];
  return execa(file, args, {
    env,
    ...(cwd ? { cwd } : {}),
    ...(target.kind === 'node-script' ? { ipc: true } : {}),
    detached: true, // own process group: a terminal's Ctrl-C reaches the engine, not the fleet
    reject: false,
    buffer: false,
    cleanup: true,
    shell: false,
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
  });
}

/** A spawned child as the fleet sees it: its exit (timed first thing, its group's remnants killed) and its group signalled until then. */
function launchedProcess(child: ResultPromise, pid: number, clock: () => number): LaunchedProcess {
  let exit: ProcessExit | undefined;
  const listeners = new Set<(exit: ProcessExit) => void>();
  child.once('exit', (code, signal) => {
    // Ground truth for detection times: the clock first thing.
    const at = clock();
    exit = { code, signal, at };
    killGroupRemnants(pid);
    for (const listener of [...listeners]) listener(exit);
    listeners.clear();
  });
  return {
    pid,
    ownGroup: true,
    stdout: child.stdout,
    stderr: child.stderr,
    onExit(listener) {
      if (exit) {
        listener(exit);
        return () => undefined;
      }
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    signal(signal) {
      // Once the exit was seen the pid is free for reuse: never signal it again.
      if (exit) return false;
      return signalGroup(pid, signal);
    },
  };
}
