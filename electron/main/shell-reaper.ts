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
  const registered = new Map<string, string>(); // key -> the line that added it
  let child: ChildProcess | null = null;
  let disposed = false;
  let respawns = 0;

  const send = (line: string): void => {
    const stdin = child?.stdin;
    // A broken pipe means the reaper is gone: it has reaped, or is being respawned with the registry.
    if (stdin && !stdin.destroyed) stdin.write(`${line}\n`);
  };

  const launch = (): Promise<void> => {
    const reaper = spawn(shell, ['-c', SHELL_REAPER_SCRIPT], {
      detached: true, // its own process group: a terminal's Ctrl-C meant for the app does not reach it
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    child = reaper;
    reaper.on('error', () => {});
    reaper.stdin?.on('error', () => {});
    // The guard must never keep the engine alive on its own.
    reaper.unref();
    (reaper.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    const ready = new Promise<void>((resolve, reject) => {
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
    reaper.once('exit', () => {
      if (child !== reaper) return;
      child = null;
      // Someone killed the guard while it guards: bring it back with everything registered.
      if (!disposed && registered.size > 0 && respawns++ < MAX_RESPAWNS) launch().catch(() => {});
    });
    // Read by the shell once its traps are set: nothing registered is ever unguarded for long.
    for (const line of registered.values()) send(line);
    return ready;
  };

  await launch();

  return {
    get pid() {
      return child?.pid;
    },
    add(pid, group) {
      if (!Number.isInteger(pid) || pid <= 1) return;
      const line = `+${group ? 'g' : 'p'}${pid}`;
      registered.set(line.slice(1), line);
      // Killed while it guarded nothing: back now, with the registry (it reads it once its traps are set).
      if (!child && !disposed) launch().catch(() => {});
      else send(line);
    },
    remove(pid, group) {
      const key = `${group ? 'g' : 'p'}${pid}`;
      if (registered.delete(key)) send(`-${key}`);
    },
    async dispose(timeoutMs = 1_000) {
      disposed = true;
      const reaper = child;
      child = null;
      if (!reaper || reaper.exitCode !== null || reaper.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => reaper.once('exit', () => resolve()));
      reaper.stdin?.end();
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
      if ((await Promise.race([exited, late])) === 'late') reaper.kill('SIGKILL');
      clearTimeout(timer);
    },
  };
}
