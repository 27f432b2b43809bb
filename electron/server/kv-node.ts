// KvNode: one server's state machine: role, restore, the write path (log, apply, replicate,
// acknowledge), the standby's apply path, snapshot install, promotion (optionally restoring from
// its own folder first), demotion, and the promotion epochs that let a primary spot a diverged standby.
import { mkdir } from 'node:fs/promises';
import { deserializeMap, encodeImage, serializeMap, verifyImage } from './checkpoint-format';
import { CheckpointStore } from './checkpoint-store';
import { Checkpointer } from './checkpointer';
import type { ReplicaAddress, ReplicationMode, Role, ServerConfig } from './config';
import { EpochHistory, type Epoch } from './epoch-history';
import { KvState } from './kv-state';
import type { EventLog } from './log';
import { RecentRecords } from './recent-records';
import type { ReplicationSource } from './replica-link';
import { ReplicationShipper, StandbyUnavailable } from './replication';
import { restore, type CheckpointInfo } from './recovery';
import { WriteAheadLog } from './wal';
import { decodeRecords, encodeRecord, recordCrc, type RecordOp } from './wal-record';

/** An answer the HTTP layer sends as JSON with this status (and these headers). */
export class NodeRefusal extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body.error));
  }
}

export interface ApplyAnswer {
  status: number;
  body: Record<string, unknown>;
}

export class KvNode implements ReplicationSource {
  role: Role;
  ready = false;
  state = new KvState();
  replicas: ReplicaAddress[];
  replicationMode: ReplicationMode;
  readonly epochs: EpochHistory;
  private wal: WriteAheadLog | null = null;
  private checkpointer: Checkpointer | null = null;
  private readonly recent = new RecentRecords();
  private readonly shipper: ReplicationShipper;
  /** The highest lsn that may have been acknowledged: ours, or (all we have at start) a predecessor's. */
  private ackedHighLsn = 0;
  /** Serializes the standby's applies, snapshot installs and role changes. */
  private serial: Promise<unknown> = Promise.resolve();

  constructor(
    readonly config: ServerConfig,
    private readonly log: EventLog,
    private readonly onFatal: (error: unknown) => void,
  ) {
    this.role = config.role;
    this.replicas = config.replicas;
    this.replicationMode = config.replication;
    this.shipper = new ReplicationShipper(this, log, { syncTimeoutMs: config.syncTimeoutMs, secret: config.nodeSecret });
    this.epochs = new EpochHistory(config.role === 'stateless' ? null : config.dataDir);
  }

  async start(): Promise<void> {
    if (this.role !== 'stateless' && this.config.dataDir !== null) {
      await this.epochs.load();
      await this.openStorage('start');
      // Every primary start is a new epoch: a standby holding records past this lsn diverged.
      if (this.role === 'primary') await this.beginEpoch();
    }
    this.ackedHighLsn = this.state.lsn;
    if (this.role === 'primary') this.shipper.configure(this.replicas, this.replicationMode);
    this.ready = true;
  }

  /** Start-up recovery from the data folder (newest valid checkpoint + log), then log and checkpointer. */
  private async openStorage(trigger: 'start' | 'promotion'): Promise<void> {
    const dataDir = this.config.dataDir as string;
    await mkdir(`${dataDir}/wal`, { recursive: true });
    const store = new CheckpointStore(`${dataDir}/checkpoints`);
    await store.init();
    const restored = await restore(store, `${dataDir}/wal`, this.log, trigger);
    this.state = restored.state;
    this.recent.clear();
    this.wal = await WriteAheadLog.open(`${dataDir}/wal`, this.config.fsync, restored.appendSegment, this.onFatal);
    this.checkpointer = new Checkpointer(
      store,
      this.wal,
      () => this.state,
      this.log,
      { intervalMs: this.config.checkpointIntervalMs, everyWrites: this.config.checkpointEveryWrites, keep: this.config.keep },
      restored.nextGeneration,
      { lastCheckpoint: restored.lastCheckpoint, replayed: restored.state.lsn - (restored.lastCheckpoint?.lsn ?? 0) },
    );
    this.checkpointer.start();
  }

  private async closeStorage(): Promise<void> {
    await this.checkpointer?.stop();
    await this.wal?.close();
    this.checkpointer = null;
    this.wal = null;
  }

  private async beginEpoch(): Promise<Epoch> {
    const epoch = await this.epochs.begin(this.config.nodeId, this.state.lsn + 1);
    this.log.emit('epoch.started', { ...epoch });
    return epoch;
  }

  get lastCheckpoint(): CheckpointInfo | null {
    return this.checkpointer?.lastCheckpoint ?? null;
  }

  get(key: string): Buffer | undefined {
    return this.state.map.get(key);
  }

  /**
   * Logs, applies and ships one write; resolves with its lsn once it may be acknowledged.
   * `onDurable`: called once it is durable here, before the wait for standbys (the caller frees its
   * admission slot: waiting for a standby is not work). Strict sync with a standby missing past the
   * timeout: NodeRefusal 503 `standby-unavailable` — the write stays applied here, never acknowledged.
   */
  async write(op: RecordOp, key: string, value: Buffer, onDurable?: () => void): Promise<number> {
    if (this.role !== 'primary' || !this.wal) throw new NodeRefusal(409, { error: 'not-primary', role: this.role });
    if (!this.ready) throw new NodeRefusal(503, { error: 'not-ready' });
    const lsn = this.state.lsn + 1;
    const record = { lsn, op, key, value };
    const bytes = encodeRecord(record);
    this.state.apply(record, recordCrc(bytes));
    this.recent.push(lsn, bytes);
    const durable = this.wal.append([{ lsn, bytes }]);
    this.shipper.published();
    this.checkpointer?.noteWrites(1);
    await durable;
    onDurable?.();
    try {
      await this.shipper.waitForReplicas(lsn);
    } catch (error) {
      if (!(error instanceof StandbyUnavailable)) throw error;
      throw new NodeRefusal(
        503,
        { error: 'standby-unavailable', detail: `not acknowledged: ${error.message} (it is applied here and reaches the standby when it is back)`, lsn, standbys: error.missing, waitedMs: error.waitedMs },
        { 'retry-after': String(Math.max(1, Math.ceil(this.config.syncTimeoutMs / 1000))) },
      );
    }
    if (lsn > this.ackedHighLsn) this.ackedHighLsn = lsn;
    return lsn;
  }

  /** Standby side of POST /replication/apply: contiguous records only, durable before answering. */
  /** `epochs`: the primary's history, adopted once its records are ours (it checked for a fork at connect). */
  applyReplicated(body: Buffer, epochs: readonly Epoch[] | null = null): Promise<ApplyAnswer> {
    return this.serialized(async () => {
      if (this.role !== 'standby' || !this.wal) return { status: 409, body: { error: 'not-standby', role: this.role, lsn: this.state.lsn } };
      const { records, problem } = decodeRecords(body);
      if (problem) return { status: 400, body: { error: 'bad-records', reason: problem, lsn: this.state.lsn } };
      const fresh = records.filter((r) => r.lsn > this.state.lsn);
      if (fresh.length === 0) {
        if (epochs) await this.epochs.adopt(epochs);
        return { status: 200, body: { lsn: this.state.lsn } };
      }
      if (fresh[0]!.lsn !== this.state.lsn + 1) return { status: 409, body: { error: 'gap', lsn: this.state.lsn, epochId: this.epochs.lastId } };
      if (fresh.some((r, i) => r.lsn !== fresh[0]!.lsn + i)) return { status: 400, body: { error: 'not-contiguous', lsn: this.state.lsn } };
      for (const record of fresh) {
        // Copy the value so the map does not pin the whole request body.
        this.state.apply({ ...record, value: Buffer.from(record.value) }, record.crc);
        this.recent.push(record.lsn, record.bytes);
      }
      await this.wal.append(fresh.map((r) => ({ lsn: r.lsn, bytes: r.bytes })));
      this.checkpointer?.noteWrites(fresh.length);
      if (epochs) await this.epochs.adopt(epochs);
      return { status: 200, body: { lsn: this.state.lsn } };
    });
  }

  /** Standby side of POST /replication/snapshot: replace the state and keep it as a checkpoint. */
  installSnapshot(image: Buffer, epochs: readonly Epoch[] | null = null): Promise<ApplyAnswer> {
    return this.serialized(async () => {
      const wal = this.wal;
      const checkpointer = this.checkpointer;
      if (this.role !== 'standby' || !wal || !checkpointer) return { status: 409, body: { error: 'not-standby', role: this.role, lsn: this.state.lsn } };
      let verified;
      try {
        verified = verifyImage(image);
      } catch (error) {
        return { status: 400, body: { error: 'bad-snapshot', detail: (error as Error).message, lsn: this.state.lsn } };
      }
      const map = deserializeMap(verified.payload);
      const from = this.state.lsn;
      await checkpointer.exclusive(async () => {
        this.state.replace(map, verified.header.lsn);
        this.recent.clear();
        // The old log may hold a diverged history; the snapshot supersedes all of it.
        await wal.reset(verified.header.lsn + 1);
        await checkpointer.takeNow('replication-snapshot');
      });
      if (epochs) await this.epochs.adopt(epochs);
      this.log.emit('replication.snapshot-installed', { fromLsn: from, lsn: this.state.lsn, keys: map.size, bytes: image.length });
      return { status: 200, body: { lsn: this.state.lsn } };
    });
  }

  /**
   * Becomes primary. `restore`: first re-run start-up recovery from this node's own folder (the
   * checkpoints shipped into it, plus its log), for a warm standby that receives no log stream.
   */
  promote(change: { replicas?: ReplicaAddress[]; replication?: ReplicationMode; restore?: boolean }): Promise<Record<string, unknown>> {
    return this.serialized(async () => {
      if (this.role === 'stateless') throw new NodeRefusal(409, { error: 'stateless-node', role: this.role });
      if (change.replicas) this.replicas = change.replicas;
      if (change.replication) this.replicationMode = change.replication;
      const from = this.role;
      let restored: Record<string, unknown> | undefined;
      if (from !== 'primary' && change.restore) {
        await this.closeStorage();
        await this.openStorage('promotion');
        restored = { generation: this.lastCheckpoint?.generation ?? null, lsn: this.state.lsn, keys: this.state.map.size };
      }
      // The epoch is durable before the first write in it can be acknowledged.
      const epoch = from !== 'primary' ? await this.beginEpoch() : this.epochs.current;
      this.role = 'primary';
      // Whatever it holds now may have been acknowledged by the primary before it.
      this.ackedHighLsn = Math.max(this.ackedHighLsn, this.state.lsn);
      this.shipper.configure(this.replicas, this.replicationMode);
      if (from !== 'primary') this.log.emit('role.changed', { from, to: 'primary', lsn: this.state.lsn, epoch: epoch?.epoch ?? null });
      return { role: this.role, lsn: this.state.lsn, changed: from !== 'primary', epoch, ...(restored ? { restored } : {}) };
    });
  }

  demote(): Promise<Record<string, unknown>> {
    return this.serialized(async () => {
      if (this.role === 'stateless') throw new NodeRefusal(409, { error: 'stateless-node', role: this.role });
      const from = this.role;
      this.role = 'standby';
      this.shipper.stop();
      if (from !== 'standby') this.log.emit('role.changed', { from, to: 'standby', lsn: this.state.lsn });
      return { role: this.role, lsn: this.state.lsn, changed: from !== 'standby' };
    });
  }

  /** Live change of the replica set or mode; a primary applies it at once. */
  reconfigureReplication(change: { replicas?: ReplicaAddress[]; replication?: ReplicationMode }): void {
    if (change.replicas) this.replicas = change.replicas;
    if (change.replication) this.replicationMode = change.replication;
    if (this.role === 'primary') this.shipper.configure(this.replicas, this.replicationMode);
  }

  async checkpointNow(): Promise<Record<string, unknown>> {
    if (!this.checkpointer) throw new NodeRefusal(409, { error: 'stateless-node', role: this.role });
    if (!this.ready) throw new NodeRefusal(503, { error: 'not-ready' });
    const written = await this.checkpointer.force();
    return { ...written };
  }

  replicationStatus(): ReturnType<ReplicationShipper['status']> {
    const status = this.shipper.status();
    return { ...status, mode: this.replicationMode };
  }

  /** Orderly stop: no new shipping or checkpoints, log flushed. */
  async close(): Promise<void> {
    this.shipper.stop();
    await this.checkpointer?.stop();
    await this.wal?.close();
  }

  /** For an exit that cannot wait for the event loop. */
  syncNowBlocking(): void {
    this.wal?.syncNowBlocking();
  }

  // ReplicationSource

  currentLsn(): number {
    return this.state.lsn;
  }

  async recordsFrom(lsn: number, maxBytes: number): Promise<Buffer[] | null> {
    const recent = this.recent.from(lsn, maxBytes);
    if (recent) return recent;
    const fromLog = await this.wal?.readFrom(lsn, maxBytes);
    return fromLog ? fromLog.map((r) => r.bytes) : null;
  }

  async recordCrcAt(lsn: number): Promise<number | null> {
    const kept = this.recent.at(lsn);
    if (kept) return recordCrc(kept);
    const fromLog = await this.wal?.readFrom(lsn, 1);
    return fromLog?.[0]?.crc ?? null;
  }

  epochHistory(): readonly Epoch[] {
    return this.epochs.entries;
  }

  historyContains(lastId: string, lsn: number): boolean {
    return this.epochs.contains(lastId, lsn);
  }

  mustHaveLsn(): number {
    return this.ackedHighLsn;
  }

  ownEpoch(epochId: string): boolean {
    return epochId.startsWith(`${this.config.nodeId}.`) && this.epochs.entries.some((e) => e.id === epochId);
  }

  snapshotImage(): { lsn: number; image: Buffer } {
    const lsn = this.state.lsn;
    return { lsn, image: encodeImage(0, lsn, serializeMap(this.state.map)) };
  }

  private serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = this.serial.then(task);
    this.serial = run.catch(() => undefined);
    return run;
  }
}
