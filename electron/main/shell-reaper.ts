import { spawn, type ChildProcess } from 'node:child_process';
import type { OrphanGuard } from '../engine/fleet/process-launcher.js';

export type { OrphanGuard };

/**
 * The orphan guard in a form that needs no Node: a POSIX shell reading the engine's pipe. Under
 * Electron with the RunAsNode fuse off there is no plain Node to run reaper-main.ts with, and a
 * utility process cannot be it: Chromium ends a utility process the moment its parent's channel
 * closes, before any script of its own could act - and a paused (SIGSTOPped) node would not end
 * at all. The shell outlives the engine; on EOF of its stdin (the engine exited, crashed or was
 * SIGKILLed: the kernel closes the pipe) or on SIGTERM/SIGHUP/SIGINT it SIGKILLs every process
 * group and process it was told of, then exits.
 *
 * Protocol, one line each: `+gPID` / `-gPID` a process group (a node spawned detached),
 * `+pPID` / `-pPID` a single process (an Electron utility process: not a group leader).
 * Anything else is ignored. It prints `ready` once its traps are set.
 */
export const SHELL_REAPER_SCRIPT = `
groups=""
pids=""
reap() {
  for g in $groups; do kill -KILL -"$g" 2>/dev/null; done
  for p in $pids; do kill -KILL "$p" 2>/dev/null; done
  exit 0
}
trap reap TERM HUP INT
echo ready
while IFS= read -r line; do
  n=\${line#??}
  case $n in ''|*[!0-9]*) continue ;; esac
  [ "$n" -gt 1 ] || continue
  case $line in
    +g*) groups="$groups $n" ;;
    +p*) pids="$pids $n" ;;
    -g*) set -- $groups; groups=""; for x do [ "$x" = "$n" ] || groups="$groups $x"; done ;;
    -p*) set -- $pids; pids=""; for x do [ "$x" = "$n" ] || pids="$pids $x"; done ;;
  esac
done
reap
`;

const READY_TIMEOUT_MS = 5_000;
const MAX_RESPAWNS = 5;

/** Starts the shell reaper and resolves once it listens; respawns it (bounded) if something kills it while it guards. */
export async function startShellReaper(shell = '/bin/sh'): Promise<OrphanGuard> {
  const reaper = new ShellReaper(shell);
  await reaper.launch();
  return reaper;
}

/** The guard: the processes registered with it, and the shell that holds them (respawned with the registry if killed). */
class ShellReaper implements OrphanGuard {
  private readonly registered = new Map<string, string>(); // key -> the line that added it
  private child: ChildProcess | null = null;
  private disposed = false;
  private respawns = 0;

  constructor(private readonly shell: string) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  add(pid: number, group: boolean): void {
    if (!Number.isInteger(pid) || pid <= 1) return;
    const line = `+${group ? 'g' : 'p'}${pid}`;
    this.registered.set(line.slice(1), line);
    // Killed while it guarded nothing: back now, with the registry (it reads it once its traps are set).
    if (!this.child && !this.disposed) this.launch().catch(() => {});
    else this.send(line);
  }

  remove(pid: number, group: boolean): void {
    const key = `${group ? 'g' : 'p'}${pid}`;
    if (this.registered.delete(key)) this.send(`-${key}`);
  }

  async dispose(timeoutMs = 1_000): Promise<void> {
    this.disposed = true;
    const reaper = this.child;
    this.child = null;
    if (!reaper || reaper.exitCode !== null || reaper.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => reaper.once('exit', () => resolve()));
    reaper.stdin?.end();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
    if ((await Promise.race([exited, late])) === 'late') reaper.kill('SIGKILL');
    clearTimeout(timer);
  }

  /** Spawns the shell, hands it the registry, and resolves once its traps are set. */
  launch(): Promise<void> {
    const reaper = spawn(this.shell, ['-c', SHELL_REAPER_SCRIPT], {
      detached: true, // its own process group: a terminal's Ctrl-C meant for the app does not reach it
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    this.child = reaper;
    reaper.on('error', () => {});
    reaper.stdin?.on('error', () => {});
    // The guard must never keep the engine alive on its own.
    reaper.unref();
    (reaper.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    const ready = readyOf(reaper, this.shell);
    reaper.once('exit', () => {
      if (this.child !== reaper) return;
      this.child = null;
      // Someone killed the guard while it guards: bring it back with everything registered.
      if (!this.disposed && this.registered.size > 0 && this.respawns++ < MAX_RESPAWNS) this.launch().catch(() => {});
    });
    // Read by the shell once its traps are set: nothing registered is ever unguarded for long.
    for (const line of this.registered.values()) this.send(line);
    return ready;
  }

  private send(line: string): void {
    const stdin = this.child?.stdin;
    // A broken pipe means the reaper is gone: it has reaped, or is being respawned with the registry.
    if (stdin && !stdin.destroyed) stdin.write(`${line}\n`);
  }
}

/** Resolves when the shell prints `ready`; rejects when it exits, fails to start, or is silent for READY_TIMEOUT_MS. */
function readyOf(reaper: ChildProcess, shell: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the shell reaper (${shell}) did not start within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    let output = '';
    reaper.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (!output.includes('ready\n')) return;
      clearTimeout(timer);
      reaper.stdout?.destroy();
      resolve();
    });
    reaper.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the shell reaper exited before it was ready (${signal ?? `code ${code}`})`));
    });
    reaper.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`the shell reaper could not start: ${error.message}`));
    });
  });
}
