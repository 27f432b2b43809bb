/**
 * How the fleet starts its processes, and what it may do with them afterwards - so the fleet
 * runs the same in plain Node and in Electron with the RunAsNode fuse off.
 *
 * - Plain Node (the CLI, the web host, tests; ./node-launcher.ts, the default): a Node script of
 *   ours is `process.execPath SCRIPT`, spawned detached (its own process group) with
 *   stdin/stdout/stderr piped and an IPC channel; a program is spawned the same way, detached, no
 *   IPC. Once a group's leader has exited and been reaped, what it left in its group is SIGKILLed.
 *   Inside Electron it refuses a script and the Node reaper (they would need RunAsNode).
 * - Electron (electron/main/utility-launcher.ts): a Node script of ours is an Electron utility
 *   process (`utilityProcess.fork`), which needs no RunAsNode; a program is spawned by the plain
 *   Node launcher (child_process works in Electron's main process without RunAsNode).
 *
 * What differs, and what a caller must not assume:
 * - A utility process leads no process group (`ownGroup: false`): signals reach it alone. A
 *   bundled server has no children, so nothing is lost.
 * - A utility process has no stdin and no `process.send`: `--watch-parent` finds nothing to watch
 *   there, and needs nothing - Chromium ends a utility process as soon as the main process's
 *   channel closes, however the main process died. A node that is paused (SIGSTOP) at that moment
 *   cannot end itself in either world: the orphan guard SIGKILLs it (`startOrphanGuard`).
 * - `pid` is known only once the OS has started the process: `launch` resolves then.
 * - An exit carries a signal name when the process died of a signal, in both worlds (Electron's
 *   `exit` event gives only a number; the launcher works the signal out).
 */

/** What to start. */
export type LaunchTarget =
  /** One of Firedrill's own Node bundles (the bundled server): never a user's file. */
  | { kind: 'node-script'; script: string; args: string[] }
  /** Any other program (a `command` node), started as is, no shell. */
  | { kind: 'program'; file: string; args: string[] };

export interface LaunchRequest {
  target: LaunchTarget;
  /** Added to the engine's own environment. */
  env: Record<string, string>;
  cwd?: string;
  /** A short label for process listings and diagnostics, e.g. `firedrill node p1`. */
  label: string;
}

export interface ProcessExit {
  /** The exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The engine clock's reading (../clock.ts `now()`) taken first thing when the exit was seen: the ground truth for detection times. */
  at: number;
}

/** One started process: the only handle the fleet keeps on it. */
export interface LaunchedProcess {
  readonly pid: number;
  /** True when `pid` leads its own process group, so signals reach its children too. */
  readonly ownGroup: boolean;
  /** Its output, piped (null if not). */
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  /** Calls `listener` once, when the process has exited and been reaped (at once if it already has). Returns a function that removes it. */
  onExit(listener: (exit: ProcessExit) => void): () => void;
  /**
   * Sends `signal` (SIGTERM, SIGKILL, SIGSTOP, SIGCONT, ...) to the process, or its whole group
   * when it leads one; false when it is already gone. Never throws, and never signals a pid after
   * its exit was seen (the pid may belong to someone else by then).
   */
  signal(signal: NodeJS.Signals): boolean;
}

/** Kills what it was told of should the engine die, however it dies (see fleet/README.md). */
export interface OrphanGuard {
  readonly pid: number | undefined;
  /** `group`: the whole process group led by `pid`. Call it as soon as a process has a pid. */
  add(pid: number, group: boolean): void;
  /** Call it once the process's exit was seen, before anything else can reuse the pid. */
  remove(pid: number, group: boolean): void;
  /** Ends the guard: it SIGKILLs whatever is still registered, then exits. */
  dispose(timeoutMs?: number): Promise<void>;
}

export interface ProcessLauncher {
  /** Which world it launches in: for logs and the lab's version line. */
  readonly runtime: 'node' | 'electron';
  /** Starts the process; resolves once it has a pid, rejects with a one-line reason if it cannot start. */
  launch(request: LaunchRequest): Promise<LaunchedProcess>;
  /** Starts the orphan guard that outlives the engine (plain Node: reaper-main.ts over IPC; Electron: a POSIX shell). */
  startOrphanGuard(): Promise<OrphanGuard>;
}
