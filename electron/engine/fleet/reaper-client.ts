import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { OrphanGuard } from './process-launcher';

const MAX_RESPAWNS = 5;
const READY_TIMEOUT_MS = 10_000;

/**
 * The engine's side of the reaper (reaper-main.ts), the plain Node orphan guard: keeps it running
 * and tells it which process groups to kill should the engine die. Plain child_process, not execa:
 * the reaper has no output to read and must not be tied to the engine's own exit handling.
 * The reaper kills `-pid` and `pid` alike, so `add`'s `group` changes nothing (a pid that leads no
 * group names no group either).
 */
export class ReaperClient implements OrphanGuard {
  private child: ChildProcess | null = null;
  /**
   * The child once it said it listens. Registrations go out only then: the reaper is an ES module,
   * and messages that arrive while it loads are emitted before its listener exists, and lost.
   */
  private listening: ChildProcess | null = null;
  private ready: Promise<void> | null = null;
  private readonly pids = new Set<number>();
  private respawns = 0;
  private closed = false;

  constructor(private readonly entry: string) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the reaper if it is not running and resolves once it listens; rejects if it cannot. */
  start(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the reaper client is disposed'));
    if (this.child && this.ready) return this.ready;
    if (!existsSync(this.entry)) {
      return Promise.reject(new Error(`the reaper is not built: ${this.entry} is missing (run node scripts/build.mjs)`));
    }
    if (process.versions.electron) return Promise.reject(new Error('the reaper runs in plain Node only: inside Electron the orphan guard is the shell reaper'));
    const child = spawn(process.execPath, [this.entry], {
      detached: true, // its own process group: a Ctrl-C meant for the engine does not reach it
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      serialization: 'json',
    });
    this.child = child;
    child.on('error', () => {});
    // The reaper must never keep the engine alive on its own.
    child.unref();
    (child.channel as { unref?: () => void } | undefined)?.unref?.();
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the reaper did not start within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
      child.on('message', (message: unknown) => {
        if (message && typeof message === 'object' && 'ready' in message) {
          clearTimeout(timer);
          // Everything registered now, even while it is being disposed (it reaps what it knows).
          if (this.child === child || this.closed) {
            if (this.child === child) this.listening = child;
            for (const pid of this.pids) if (child.connected) child.send({ add: pid }, () => {});
          }
          resolve();
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the reaper exited (${signal ?? `code ${code}`})`));
      });
    });
    ready.catch(() => {});
    this.ready = ready;
    child.once('exit', () => {
      if (this.listening === child) this.listening = null;
      if (this.child !== child) return;
      this.child = null;
      this.ready = null;
      // Someone killed the reaper while nodes run: bring it back, a bounded number of times.
      if (!this.closed && this.pids.size > 0 && this.respawns++ < MAX_RESPAWNS) this.start().catch(() => {});
    });
    return ready;
  }

  /** Registers a process (group); a reaper that is gone (killed while nothing was registered) is started again with it. */
  add(pid: number, _group = true): void {
    this.pids.add(pid);
    if (!this.child && !this.closed) this.start().catch(() => {}); // told everything registered once it listens
    else this.send({ add: pid });
  }

  remove(pid: number, _group = true): void {
    if (this.pids.delete(pid)) this.send({ remove: pid });
  }

  /** Disconnects the reaper (it kills whatever is still registered, then exits) and waits for it. */
  async dispose(timeoutMs = 1000): Promise<void> {
    this.closed = true;
    const child = this.child;
    const ready = this.ready;
    this.child = null;
    this.ready = null;
    this.listening = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (ready && this.pids.size > 0) {
      // Still booting: let it learn what it must reap before its channel closes (bounded).
      let wait: NodeJS.Timeout | undefined;
      await Promise.race([ready.catch(() => undefined), new Promise<void>((resolve) => (wait = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(wait);
    }
    if (child.connected) child.disconnect();
    else child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
    if ((await Promise.race([exited, late])) === 'late') child.kill('SIGKILL');
    clearTimeout(timer);
  }

  private send(message: { add: number } | { remove: number }): void {
    const child = this.listening;
    if (!child?.connected) return;
    // An error here means the channel is closing, and the reaper reaps on disconnect anyway.
    child.send(message, () => {});
  }
}
