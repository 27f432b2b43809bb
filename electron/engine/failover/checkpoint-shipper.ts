// CheckpointShipper: the lab's backup agent for warm and cold standbys. It watches the source
// node's log lines for `checkpoint.written` and copies that file into the target's checkpoints/
// folder atomically (temp file, fsync, rename, fsync folder), keeping K generations there.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { LogLine, NodeSnapshot } from '../../../shared/contract/model';
import { now } from '../clock';
import { insideRunDir, regularFileInside } from './node-data';

export interface ShipRoute {
  from: string;
  to: string;
}

export interface CheckpointShipperOptions {
  /** Every path read or written is checked to be inside this folder. */
  runDir: string;
  fleet: { node(id: string): NodeSnapshot | undefined };
  listener: { onTimeline(kind: string, nodeId: string | undefined, detail: Record<string, unknown>, at: number): void };
  /** Generations kept in the target folder (default 3). */
  keep?: number;
}

const CHECKPOINT_FILE = /^ckpt-(\d{10})\.bin$/;

interface Job {
  route: ShipRoute;
  version: number;
  file: string;
  generation: number;
}

export class CheckpointShipper {
  private current: ShipRoute | null = null;
  private version = 0;
  private chain: Promise<void> = Promise.resolve();
  private disposed = false;
  private readonly keep: number;

  constructor(private readonly options: CheckpointShipperOptions) {
    this.keep = Math.max(1, options.keep ?? 3);
  }

  get route(): ShipRoute | null {
    return this.current;
  }

  /**
   * Ships from `from` to `to` from now on (null: nothing). Copies queued for an earlier route are
   * dropped, so call `drain()` first to let them land. A new route starts by shipping the source's
   * newest checkpoint if the target does not have it.
   */
  setRoute(route: ShipRoute | null): void {
    this.version++;
    this.current = route ? { ...route } : null;
    if (route) void this.enqueue(() => this.catchUp());
  }

  /** The supervisor's log lines (all nodes): a `checkpoint.written` of the source is shipped. */
  onLogs(lines: readonly LogLine[]): void {
    const route = this.current;
    if (!route || this.disposed) return;
    for (const line of lines) {
      if (line.nodeId !== route.from || line.stream !== 'stdout' || !line.text.includes('"checkpoint.written"')) continue;
      let event: { event?: unknown; file?: unknown; generation?: unknown };
      try {
        event = JSON.parse(line.text) as typeof event;
      } catch {
        continue;
      }
      if (event.event !== 'checkpoint.written' || typeof event.file !== 'string') continue;
      const match = CHECKPOINT_FILE.exec(event.file);
      if (!match || Number(match[1]) !== event.generation) continue;
      const job: Job = { route, version: this.version, file: event.file, generation: event.generation };
      void this.enqueue(() => this.ship(job));
    }
  }

  /**
   * Lets every queued copy land, then makes sure the source's newest completed checkpoint is in
   * the target (its log line may still be on its way). The failover controller calls this before
   * a standby restores.
   */
  drain(): Promise<void> {
    return this.enqueue(() => this.catchUp());
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.current = null;
    this.version++;
    await this.chain;
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.chain.then(task);
    this.chain = run.catch(() => undefined);
    return run.catch(() => undefined);
  }

  private async catchUp(): Promise<void> {
    const route = this.current;
    if (!route || this.disposed) return;
    const version = this.version;
    const source = await this.generations(this.checkpointsDir(route.from));
    const newest = source[0];
    if (!newest) return;
    const target = this.checkpointsDir(route.to);
    const there = await fsp.stat(join(target, newest.file)).catch(() => null);
    const here = await fsp.stat(join(this.checkpointsDir(route.from), newest.file)).catch(() => null);
    if (there && here && there.size === here.size) return;
    await this.ship({ route, version, file: newest.file, generation: newest.generation });
  }

  private async ship(job: Job): Promise<void> {
    if (this.disposed || job.version !== this.version) return;
    const { from, to } = job.route;
    const started = now();
    let temp: string | null = null;
    try {
      const sourceDir = this.checkpointsDir(from);
      const targetDir = this.checkpointsDir(to);
      const source = regularFileInside(this.options.runDir, join(sourceDir, job.file));
      await fsp.mkdir(targetDir, { recursive: true });
      const target = insideRunDir(this.options.runDir, join(targetDir, job.file));
      // `*.tmp`: the server removes these at start, so a copy cut short by an engine crash is cleaned up.
      temp = `${target}.tmp`;
      await fsp.copyFile(source, temp);
      const handle = await fsp.open(temp, 'r+');
      let bytes: number;
      try {
        await handle.sync();
        bytes = (await handle.stat()).size;
      } finally {
        await handle.close();
      }
      // The route changed while we copied: this file must not land (the target may be a primary now).
      if (this.disposed || job.version !== this.version) return;
      await fsp.rename(temp, target);
      temp = null;
      await syncDir(targetDir);
      const pruned = await this.prune(targetDir);
      const at = now();
      this.emit('checkpoint.shipped', to, { from, to, generation: job.generation, file: job.file, bytes, ms: round(at - started), pruned }, at);
    } catch (error) {
      this.emit('checkpoint.ship-failed', to, { from, to, generation: job.generation, file: job.file, error: (error as Error).message }, now());
    } finally {
      if (temp) await fsp.rm(temp, { force: true }).catch(() => undefined);
    }
  }

  private async prune(dir: string): Promise<string[]> {
    const removed: string[] = [];
    for (const entry of (await this.generations(dir)).slice(this.keep)) {
      await fsp.rm(join(dir, entry.file), { force: true });
      removed.push(entry.file);
    }
    if (removed.length > 0) await syncDir(dir);
    return removed;
  }

  /** Checkpoint files in `dir`, newest generation first. */
  private async generations(dir: string): Promise<Array<{ file: string; generation: number }>> {
    const names = await fsp.readdir(dir).catch(() => [] as string[]);
    const out: Array<{ file: string; generation: number }> = [];
    for (const file of names) {
      const match = CHECKPOINT_FILE.exec(file);
      if (match) out.push({ file, generation: Number(match[1]) });
    }
    return out.sort((a, b) => b.generation - a.generation);
  }

  private checkpointsDir(nodeId: string): string {
    const node = this.options.fleet.node(nodeId);
    if (!node) throw new Error(`no node ${nodeId} in the fleet`);
    return insideRunDir(this.options.runDir, join(node.dataDir, 'checkpoints'));
  }

  private emit(kind: string, nodeId: string, detail: Record<string, unknown>, at: number): void {
    try {
      this.options.listener.onTimeline(kind, nodeId, detail, at);
    } catch (error) {
      console.error('checkpoint shipper listener failed:', error);
    }
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await fsp.open(dir, 'r').catch(() => null);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Some platforms cannot fsync a folder; the rename is still atomic.
  } finally {
    await handle.close();
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
