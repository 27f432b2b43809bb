// ReplicaLink: the primary's connection to one standby. It probes the standby's lsn, catches
// it up (from memory, the WAL files, or a full snapshot) and then ships new records in order,
// one request in flight at a time so batches grow naturally under load. It says when this standby
// process holds every write the primary may have acknowledged (`replication.synced`) and when the
// link is lost (`replication.lost`), naming the standby's pid and boot id so a line about an
// earlier process of the standby cannot be taken for one about this one.
import type http from 'node:http';
import { formatAddress, type ReplicaAddress, type ReplicationMode } from './config';
import type { Epoch } from './epoch-history';
import { describeError, type EventLog } from './log';
import { peerAgent, peerRequest } from './peer-client';
import { sleep } from '../../shared/sleep';

export interface ReplicationSource {
  currentLsn(): number;
  /** Encoded records from `lsn` on, contiguous; null when they are no longer available. */
  recordsFrom(lsn: number, maxBytes: number): Promise<Buffer[] | null>;
  /** Body CRC of our record at `lsn`, or null if we cannot tell. */
  recordCrcAt(lsn: number): Promise<number | null>;
  /** A checkpoint image of the current map (see checkpoint-format.ts). */
  snapshotImage(): { lsn: number; image: Buffer };
  /** Our promotion epochs, sent with every batch so the standby adopts them. */
  epochHistory(): readonly Epoch[];
  /** Does a standby whose history ends in `lastId` with records up to `lsn` hold only our records? */
  historyContains(lastId: string, lsn: number): boolean;
  /** The highest lsn this primary (or one before it, for all it knows) may have acknowledged. */
  mustHaveLsn(): number;
  /** Is `epochId` an epoch this node began (its records were written here)? */
  ownEpoch(epochId: string): boolean;
}

export interface ReplicaStatus {
  address: string;
  connected: boolean;
  ackedLsn: number | null;
  /** The standby's own answer to an apply: durable there. */
  confirmedLsn: number | null;
  /** It holds every write we may have acknowledged (since it connected). */
  synced: boolean;
  standbyPid: number | null;
  standbyBootId: string | null;
}

/** Who the standby is: its process, so lines about an earlier one are not believed. */
interface StandbyIdentity {
  pid: number | null;
  bootId: string | null;
}

interface Waiter {
  lsn: number;
  resolve: (confirmed: boolean) => void;
  /** Strict waiters outlive a lost link; degradable ones are released by it. */
  strict: boolean;
  timer: NodeJS.Timeout | null;
}

const RECONNECT_MS = 200;
const HEARTBEAT_MS = 500;
const PROBE_TIMEOUT_MS = 500;
const APPLY_TIMEOUT_MS = 1000;
const SNAPSHOT_TIMEOUT_MS = 30_000;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** `replication.standby-ahead` is said again this often while it lasts. */
const AHEAD_REPEAT_MS = 2_000;
/** Async mode ships in small background batches, so a primary kill can lose this window. */
const ASYNC_BATCH_MS = 5;

export class ReplicaLink {
  readonly address: string;
  private state: 'unknown' | 'connected' | 'lost' = 'unknown';
  /** Where shipping resumes: the standby's lsn as it last told us. */
  private ackedLsn: number | null = null;
  /** What the standby confirmed durable by answering an apply or a snapshot since it connected. */
  private confirmedLsn: number | null = null;
  private synced = false;
  private standby: StandbyIdentity = { pid: null, bootId: null };
  /** The standby process we last said holds records of our own epoch that we lack, and when. */
  private aheadSaid: { for: string; at: number } | null = null;
  private needSnapshot = false;
  private waiters: Waiter[] = [];
  private wakeUp: () => void = () => undefined;
  private stopped = false;
  private readonly agent: http.Agent = peerAgent();

  constructor(
    private readonly target: ReplicaAddress,
    private readonly source: ReplicationSource,
    private readonly log: EventLog,
    private readonly mode: () => ReplicationMode,
    private readonly secret: string | null = null,
  ) {
    this.address = formatAddress(target);
  }

  start(): void {
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.releaseWaiters();
    this.wakeUp();
    this.agent.destroy();
  }

  /** New records were published. */
  notify(): void {
    this.wakeUp();
  }

  /**
   * sync-degradable: resolves once the standby has `lsn`, or at once if it is not connected (we go
   * on without it). Always resolves true.
   */
  waitFor(lsn: number): Promise<boolean> {
    if (this.state !== 'connected' || (this.ackedLsn ?? 0) >= lsn) return Promise.resolve(true);
    return new Promise((resolve) => this.waiters.push({ lsn, resolve, strict: false, timer: null }));
  }

  /**
   * Strict sync: true once the standby confirmed `lsn` durable, whatever the link goes through
   * meanwhile; false after `timeoutMs` or when the link is stopped. Never true without the standby.
   */
  waitStrict(lsn: number, timeoutMs: number): Promise<boolean> {
    if (this.confirmedLsn !== null && this.confirmedLsn >= lsn) return Promise.resolve(true);
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter: Waiter = { lsn, resolve, strict: true, timer: null };
      waiter.timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(waiter);
      this.wakeUp();
    });
  }

  status(): ReplicaStatus {
    return {
      address: this.address,
      connected: this.state === 'connected',
      ackedLsn: this.ackedLsn,
      confirmedLsn: this.confirmedLsn,
      synced: this.synced,
      standbyPid: this.standby.pid,
      standbyBootId: this.standby.bootId,
    };
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (this.state !== 'connected') await this.connect();
        else if (this.needSnapshot) await this.shipSnapshot();
        else await this.shipRecords();
      } catch (error) {
        if (this.stopped) return;
        this.markLost(describeError(error));
        await sleep(RECONNECT_MS);
      }
    }
  }

  private request(method: string, path: string, body: Buffer | null, timeoutMs: number, headers: Record<string, string> = {}): ReturnType<typeof peerRequest> {
    return peerRequest(this.agent, this.target, method, path, body, timeoutMs, this.secret ? { ...headers, authorization: `Bearer ${this.secret}` } : headers);
  }

  private async connect(): Promise<void> {
    const { status, json } = await this.request('GET', '/status', null, PROBE_TIMEOUT_MS);
    if (status !== 200) throw new Error(`status answered ${status}`);
    if (json.role !== 'standby') throw new Error(`replica is ${String(json.role)}, not a standby`);
    if (json.ready !== true) throw new Error('replica not ready yet');
    const lsn = Number(json.lsn);
    this.ackedLsn = lsn;
    // A new connection may reach a new process: nothing it confirmed before counts any more.
    this.confirmedLsn = null;
    this.synced = false;
    this.standby = { pid: typeof json.pid === 'number' ? json.pid : null, bootId: typeof json.bootId === 'string' ? json.bootId : null };
    // Ahead of us, or holding records written after a promotion it never saw: a fork.
    this.needSnapshot = lsn > this.source.currentLsn() || this.forked(json.epochId, lsn);
    const theirCrc = typeof json.lastRecordCrc === 'number' ? json.lastRecordCrc : null;
    if (this.needSnapshot && this.mode() === 'sync' && (await this.holdsRecordsWeLost(json.epochId, lsn, theirCrc))) {
      // Strict: it holds records of an epoch *we* wrote that our restart did not recover (a damaged
      // log, or a tail shipped before it was durable here). Some may have been acknowledged, and it
      // may hold their only copy: never overwrite it. The lab promotes it instead.
      const now = performance.now();
      const said = `${this.standby.bootId ?? this.standby.pid}`;
      // Said again now and then while it lasts: the lab may not have been ready to act on the first.
      if (this.aheadSaid?.for !== said || now - this.aheadSaid.at >= AHEAD_REPEAT_MS) {
        this.aheadSaid = { for: said, at: now };
        this.log.emit('replication.standby-ahead', { replica: this.address, standbyLsn: lsn, lsn: this.source.currentLsn(), epochId: json.epochId, standbyPid: this.standby.pid, standbyBootId: this.standby.bootId });
      }
      throw new Error(`the standby holds records of our epoch ${String(json.epochId)} up to lsn ${lsn} that we lack: not overwriting them`);
    }
    if (!this.needSnapshot && lsn > 0 && theirCrc !== null) {
      const ourCrc = await this.source.recordCrcAt(lsn);
      // Same lsn, different record: the standby saw writes this primary never had.
      this.needSnapshot = ourCrc !== null && ourCrc !== theirCrc;
    }
    if (this.stopped) return;
    this.state = 'connected';
    this.log.emit('replication.connected', { replica: this.address, lsn, catchUp: this.needSnapshot ? 'snapshot' : 'log', standbyPid: this.standby.pid, standbyBootId: this.standby.bootId });
  }

  /** While idle, keep the connected flag honest and notice a standby that went back in time. */
  private async heartbeat(): Promise<void> {
    const { status, json } = await this.request('GET', '/status', null, PROBE_TIMEOUT_MS);
    if (status !== 200 || json.role !== 'standby') throw new Error(`heartbeat: status ${status}, role ${String(json.role)}`);
    // Another process on the standby's address, or one that lost what it confirmed: start over.
    if (typeof json.bootId === 'string' && json.bootId !== this.standby.bootId) throw new Error('heartbeat: the standby restarted');
    const lsn = Number(json.lsn);
    if (this.confirmedLsn !== null && lsn < this.confirmedLsn) throw new Error(`heartbeat: the standby went back from lsn ${this.confirmedLsn} to ${lsn}`);
    if (lsn !== this.ackedLsn || this.forked(json.epochId, lsn)) {
      this.ackedLsn = lsn;
      this.needSnapshot = lsn > this.source.currentLsn() || this.forked(json.epochId, lsn);
    }
  }

  /**
   * The standby's history forked from ours inside an epoch *we* began, and it holds records there we
   * do not: past our last lsn, or at an lsn where our record differs from its last one. A standby
   * whose last record equals ours (a stale epoch label: its records are ours) or cannot be compared
   * (restored from a checkpoint alone: the damaged copy, most likely) holds nothing we lack.
   */
  private async holdsRecordsWeLost(epochId: unknown, lsn: number, theirCrc: number | null): Promise<boolean> {
    if (typeof epochId !== 'string' || !this.source.ownEpoch(epochId)) return false;
    if (lsn > this.source.currentLsn()) return true;
    if (theirCrc === null || lsn === 0) return false;
    const ourCrc = await this.source.recordCrcAt(lsn);
    return ourCrc !== null && ourCrc !== theirCrc;
  }

  /** The standby's epoch (from /status or a gap answer) says it diverged; unknown epochs say nothing. */
  private forked(epochId: unknown, lsn: number): boolean {
    return typeof epochId === 'string' && !this.source.historyContains(epochId, lsn);
  }

  private epochHeader(): Record<string, string> {
    return { 'x-epochs': JSON.stringify(this.source.epochHistory()) };
  }

  private async shipSnapshot(): Promise<void> {
    const { lsn, image } = this.source.snapshotImage();
    const { status, json } = await this.request('POST', '/replication/snapshot', image, SNAPSHOT_TIMEOUT_MS, this.epochHeader());
    this.sameStandby(json);
    if (status !== 200) throw new Error(`snapshot answered ${status} ${String(json.error ?? '')}`);
    this.needSnapshot = false;
    this.acked(Number(json.lsn ?? lsn));
    this.log.emit('replication.snapshot-shipped', { replica: this.address, lsn, bytes: image.length });
  }

  private async shipRecords(): Promise<void> {
    const from = (this.ackedLsn ?? 0) + 1;
    if (from > this.source.currentLsn() && (this.confirmedLsn ?? -1) < (this.ackedLsn ?? 0)) {
      // Its lsn came from /status (it may count records still being written there): an empty apply
      // is answered after every apply before it, with what is durable.
      await this.apply(Buffer.alloc(0));
      return;
    }
    if (from > this.source.currentLsn()) {
      const woken = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), HEARTBEAT_MS);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      if (!woken) await this.heartbeat();
      else if (this.mode() === 'async') await sleep(ASYNC_BATCH_MS);
      return;
    }
    const records = await this.source.recordsFrom(from, MAX_BATCH_BYTES);
    if (records === null) {
      this.needSnapshot = true;
      return;
    }
    if (records.length === 0) {
      // Published but not yet readable anywhere; look again shortly.
      await sleep(1);
      return;
    }
    await this.apply(records.length === 1 ? records[0]! : Buffer.concat(records));
  }

  private async apply(body: Buffer): Promise<void> {
    const { status, json } = await this.request('POST', '/replication/apply', body, APPLY_TIMEOUT_MS, this.epochHeader());
    this.sameStandby(json);
    if (status === 200) {
      this.acked(Number(json.lsn));
    } else if (status === 409 && json.error === 'gap') {
      // The standby tells us where it really is; resend from there (or snapshot if it is ahead).
      const lsn = Number(json.lsn);
      this.ackedLsn = lsn;
      this.needSnapshot = lsn > this.source.currentLsn() || this.forked(json.epochId, lsn);
    } else {
      throw new Error(`apply answered ${status} ${String(json.error ?? '')}`);
    }
  }

  /**
   * An answer from another process than the one we connected to (a standby restarted between two
   * batches, reached on a fresh socket): what it confirms is not what the old one did. Start over.
   */
  private sameStandby(json: Record<string, unknown>): void {
    if (typeof json.bootId === 'string' && this.standby.bootId !== null && json.bootId !== this.standby.bootId) {
      throw new Error('the standby restarted (another boot id answered)');
    }
  }

  /** The standby answered an apply or a snapshot: `lsn` is durable there. */
  private acked(lsn: number): void {
    this.ackedLsn = lsn;
    this.confirmedLsn = lsn;
    if (!this.synced && this.mode() !== 'async' && lsn >= this.source.mustHaveLsn()) {
      this.synced = true;
      this.log.emit('replication.synced', { replica: this.address, lsn, standbyPid: this.standby.pid, standbyBootId: this.standby.bootId, mode: this.mode() });
    }
    if (this.waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const waiter of this.waiters) {
      if (waiter.lsn <= lsn) settle(waiter, true);
      else still.push(waiter);
    }
    this.waiters = still;
  }

  private markLost(reason: string): void {
    const was = this.state;
    this.state = 'lost';
    this.synced = false;
    // Degradable: writes waiting on a lost standby are acknowledged without it. Strict ones wait on.
    this.waiters = this.waiters.filter((w) => {
      if (w.strict) return true;
      settle(w, true);
      return false;
    });
    if (was !== 'lost') {
      this.log.emit('replication.lost', { replica: this.address, reason, ackedLsn: this.ackedLsn, standbyPid: this.standby.pid, standbyBootId: this.standby.bootId, mode: this.mode() });
    }
  }

  /** The link is gone for good: degradable waiters go on without it, strict ones fail. */
  private releaseWaiters(): void {
    for (const waiter of this.waiters) settle(waiter, !waiter.strict);
    this.waiters = [];
  }
}

function settle(waiter: Waiter, confirmed: boolean): void {
  if (waiter.timer) clearTimeout(waiter.timer);
  waiter.resolve(confirmed);
}
