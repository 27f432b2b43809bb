// Checkpointer: takes a checkpoint every T ms and every N writes (whichever first, only when
// something changed), keeps K generations and prunes the WAL behind the oldest kept one.
import { serializeMap } from './checkpoint-format';
import type { CheckpointStore, WrittenCheckpoint } from './checkpoint-store';
import type { KvState } from './kv-state';
import { describeError, type EventLog } from './log';
import type { CheckpointInfo } from './recovery';
import type { WriteAheadLog } from './wal';

export interface CheckpointPolicy {
  intervalMs: number;
  everyWrites: number;
  keep: number;
}

export class Checkpointer {
  lastCheckpoint: CheckpointInfo | null;
  private writesSince: number;
  private chain: Promise<unknown> = Promise.resolve();
  private running = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: CheckpointStore,
    private readonly wal: WriteAheadLog,
    private readonly state: () => KvState,
    private readonly log: EventLog,
    private readonly policy: CheckpointPolicy,
    private nextGeneration: number,
    restored: { lastCheckpoint: CheckpointInfo | null; replayed: number },
  ) {
    this.lastCheckpoint = restored.lastCheckpoint;
    this.writesSince = restored.replayed;
  }

  start(): void {
    if (this.policy.intervalMs > 0) {
      this.timer = setInterval(() => this.maybeCheckpoint(), this.policy.intervalMs);
      this.timer.unref();
    }
    // A restore that replayed the log is worth a fresh checkpoint, unless checkpoints are off.
    if (this.policy.intervalMs > 0 || this.policy.everyWrites > 0) this.maybeCheckpoint();
  }

  /** No new checkpoints; waits for one in flight so no temp file is left behind. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.policy.intervalMs = 0;
    this.policy.everyWrites = 0;
    await this.chain;
  }

  noteWrites(count: number): void {
    this.writesSince += count;
    if (this.policy.everyWrites > 0 && this.writesSince >= this.policy.everyWrites) this.maybeCheckpoint();
  }

  /** Runs `task` with no checkpoint in flight (used to install a replication snapshot). */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** A checkpoint now (after any in flight), even if nothing changed. */
  force(reason = 'forced'): Promise<WrittenCheckpoint> {
    return this.exclusive(() => this.takeNow(reason));
  }

  /** Takes a checkpoint of the current state; call only inside exclusive(). */
  async takeNow(reason: string): Promise<WrittenCheckpoint> {
    this.running = true;
    const writesAtSnapshot = this.writesSince;
    try {
      const state = this.state();
      const lsn = state.lsn;
      // Serializing is the consistent snapshot; everything after it runs off the hot path.
      const payload = serializeMap(state.map);
      this.writesSince = 0;
      this.wal.requestRotation();
      // The log must hold everything up to lsn before a checkpoint claims it.
      await this.wal.flush();
      const written = await this.store.write(this.nextGeneration, lsn, payload);
      this.nextGeneration++;
      this.lastCheckpoint = { generation: written.generation, lsn, at: written.at, file: written.file };
      this.log.emit('checkpoint.written', { ...written, keys: state.map.size, reason });
      const { deleted, oldestKeptLsn } = await this.store.prune(this.policy.keep);
      const walDeleted = oldestKeptLsn === null ? [] : await this.wal.pruneThrough(oldestKeptLsn);
      if (deleted.length + walDeleted.length > 0) this.log.emit('checkpoint.pruned', { checkpoints: deleted, walSegments: walDeleted, oldestKeptLsn });
      return written;
    } catch (error) {
      this.writesSince += writesAtSnapshot;
      this.log.emit('checkpoint.failed', { reason, detail: describeError(error) });
      throw error;
    } finally {
      this.running = false;
    }
  }

  private maybeCheckpoint(): void {
    if (this.running || this.writesSince === 0) return;
    const reason = this.policy.everyWrites > 0 && this.writesSince >= this.policy.everyWrites ? 'writes' : 'interval';
    this.running = true;
    this.exclusive(() => this.takeNow(reason)).catch(() => undefined);
  }
}
