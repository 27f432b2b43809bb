import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { LabSnapshot } from '../../shared/contract/model.js';
import { sleep } from '../../shared/sleep.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(root, 'out', 'cli', 'index.js');
const START_LIMIT_MS = 30_000;
const STOP_LIMIT_MS = 15_000;
const REAP_LIMIT_MS = 5_000;

/** One `firedrill serve` process with its own run folder and port, as a test sees it. */
export class LabProcess {
  /** Node pids seen during the test; none may outlive the lab. */
  private readonly pids = new Set<number>();

  private constructor(
    private readonly child: ChildProcess & { pid: number },
    readonly url: string,
    readonly token: string,
    readonly runDir: string,
    private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
    /** The classroom's read-only link, when started with `--classroom`. */
    readonly classroom: { url: string; port: number; token: string; address: string } | null = null,
  ) {}

  /** Starts `serve --port 0 --json` and waits for its JSON line; the log goes to `logFile`; `env` adds to the lab's environment (e.g. FIREDRILL_REPORTS_DIR). */
  static async start(logFile: string, { env = {}, args = [] }: { env?: Record<string, string>; args?: string[] } = {}): Promise<LabProcess> {
    const runDir = await mkdtemp(join(tmpdir(), 'firedrill-e2e-'));
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--json', ...args], {
      cwd: root,
      // FIREDRILL_CHECK_EVENTS: the engine checks every event it emits against the contract.
      env: { ...process.env, FIREDRILL_RUN_DIR: runDir, FIREDRILL_CHECK_EVENTS: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid === undefined) throw new Error(`could not spawn ${CLI}`);
    const log = createWriteStream(logFile);
    child.stderr?.pipe(log);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });

    const lines = createInterface({ input: child.stdout! });
    const first = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve printed nothing in ${START_LIMIT_MS} ms (see ${logFile})`)), START_LIMIT_MS);
      lines.once('line', (line) => {
        clearTimeout(timer);
        resolve(line);
      });
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`serve exited (code ${code}, signal ${signal}) before printing its URL (see ${logFile})`));
      });
    }).catch(async (error: unknown) => {
      child.kill('SIGKILL');
      await rm(runDir, { recursive: true, force: true });
      throw error;
    });
    lines.on('line', (line) => log.write(`[stdout] ${line}\n`));
    const { url, token, classroom } = JSON.parse(first) as { url: string; token: string; classroom?: LabProcess['classroom'] };
    return new LabProcess(child as ChildProcess & { pid: number }, url, token, runDir, exited, classroom ?? null);
  }

  get pid(): number {
    return this.child.pid;
  }

  /** GET /api/state, as any HTTP client of the lab would. */
  async state(): Promise<LabSnapshot> {
    const response = await fetch(new URL('/api/state', this.url), { headers: { authorization: `Bearer ${this.token}` } });
    if (!response.ok) throw new Error(`GET /api/state: HTTP ${response.status} ${await response.text()}`);
    const state = (await response.json()) as LabSnapshot;
    for (const node of state.nodes) if (node.pid !== null) this.pids.add(node.pid);
    return state;
  }

  trackPid(pid: number): void {
    this.pids.add(pid);
  }

  private stopping: Promise<void> | undefined;

  /** SIGTERM by pid, wait (bounded) for a clean exit, then check no node process outlived it. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.stopOnce();
    return this.stopping;
  }

  private async stopOnce(): Promise<void> {
    await this.state().catch(() => undefined); // last look at the node pids
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), STOP_LIMIT_MS)));
    try {
      process.kill(this.pid, 'SIGTERM');
    } catch {
      // already gone; `exited` says how
    }
    const result = await Promise.race([this.exited, limit]);
    clearTimeout(timer);
    if (result === 'timeout') {
      this.child.kill('SIGKILL');
      throw new Error(`serve (pid ${this.pid}) did not exit within ${STOP_LIMIT_MS} ms of SIGTERM`);
    }
    if (result.code !== 0) throw new Error(`serve exited with code ${result.code}, signal ${result.signal} after SIGTERM`);
    const survivors = await waitUntilGone([...this.pids], REAP_LIMIT_MS);
    if (survivors.length > 0) throw new Error(`node processes outlived the lab: ${survivors.join(', ')}`);
    await rm(this.runDir, { recursive: true, force: true });
  }
}

async function waitUntilGone(pids: number[], limitMs: number): Promise<number[]> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const alive = [];
    for (const pid of pids) if (await isAlive(pid)) alive.push(pid);
    if (alive.length === 0 || Date.now() > deadline) return alive;
    await sleep(100);
  }
}

/** Alive and not a zombie (an exited child nobody has reaped yet counts as gone). */
async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat === undefined ? true : stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}
