// Ground truth for data safety: every acknowledged write, checked later against the primary.
import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import type { LedgerCounts } from '../../../shared/contract/model';
import { now } from '../clock';

/**
 * Values the traffic generator writes: `fd.<seq base36>.<check>.` padded with `.` to the asked
 * size (never shorter than that header, ~20 bytes). The check (FNV-1a of ledger salt, key and seq)
 * ties a value to its key and to the ledger that made it, so a misplaced, corrupt or foreign value
 * is never mistaken for one of ours, and the sequence number orders writes.
 */
export class ValueCodec {
  readonly salt: string;

  constructor(salt: string = randomBytes(4).toString('hex')) {
    this.salt = salt;
  }

  encode(key: string, seq: number, bytes: number): string {
    const head = `fd.${seq.toString(36)}.${this.check(key, seq)}.`;
    return head.length >= bytes ? head : head.padEnd(bytes, '.');
  }

  /** The sequence number of a value this codec made for `key`, else null. */
  decode(key: string, value: string): number | null {
    if (!value.startsWith('fd.')) return null;
    const dot = value.indexOf('.', 3);
    if (dot < 0 || value.length < dot + 10 || value.charCodeAt(dot + 9) !== 46 /* . */) return null;
    const seq = parseInt(value.slice(3, dot), 36);
    if (!Number.isSafeInteger(seq) || seq < 0 || seq.toString(36) !== value.slice(3, dot)) return null;
    if (value.slice(dot + 1, dot + 9) !== this.check(key, seq)) return null;
    for (let i = dot + 10; i < value.length; i++) if (value.charCodeAt(i) !== 46) return null;
    return seq;
  }

  private check(key: string, seq: number): string {
    let h = 0x811c9dc5;
    const text = `${this.salt}|${key}|${seq}`;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    return (h >>> 0).toString(16).padStart(8, '0');
  }
}

/** What the ledger knows of one key: O(1) apart from the writes in flight to it. */
class KeyRecord {
  /** Highest sequence number ever sent to this key. */
  sentMax = -1;
  /** The latest acknowledged write (highest sequence number acknowledged); -1 when none. */
  seq = -1;
  lsn = -1;
  ackAt = 0;
  /** Writes that were in flight to this key when `seq` was sent: any of them may legitimately be last. */
  concurrent: number[] | null = null;
  /** Writes in flight now (ascending), and for each the writes in flight when it was sent. */
  inflight: number[] | null = null;
  inflightConcurrent: Array<number[] | null> | null = null;
}

export type LedgerFinding = 'missing' | 'invalid' | 'older' | 'unknown';

export interface LedgerExample {
  key: string;
  /** Sequence number of the latest acknowledged write. */
  expectedSeq: number;
  /** Sequence number of the value found, null when missing or not one of ours. */
  foundSeq: number | null;
  finding: LedgerFinding;
}

export interface LedgerCheck extends LedgerCounts {
  /** Keys skipped because a write to them was acknowledged while the dump was being read. */
  skipped: number;
  examples: { lost: LedgerExample[]; stale: LedgerExample[] };
}

export interface StateSource {
  /** The primary's whole state: key → value (utf8). */
  dump(): Promise<Record<string, string>>;
}

export interface WriteLedgerOptions {
  /** Examples kept per finding by `verify`; default 10. */
  examples?: number;
  codec?: ValueCodec;
}

/**
 * Records every write the traffic generator sends and every acknowledgement, keeping per key
 * only the latest acknowledged write (memory grows with keys, not with writes). `verify` reads
 * a primary's state and counts, per key with an acknowledged write:
 * - lost: the latest acknowledged write is not there — the key is missing, holds a value that is
 *   not ours, or holds an older write that was not in flight together with it;
 * - stale (a subset of lost): the key holds an older write of ours (a read returns outdated data).
 * A write whose outcome is unknown (failed, timed out) may be found applied: that is never a loss,
 * and a value written later than the latest acknowledged one is accepted for that reason.
 */
export class WriteLedger {
  readonly codec: ValueCodec;
  private readonly maxExamples: number;
  private readonly records = new Map<string, KeyRecord>();
  private nextSeq = 0;
  private ackedCount = 0;
  private unknownCount = 0;
  private last: LedgerCheck | null = null;

  constructor(options: WriteLedgerOptions = {}) {
    this.codec = options.codec ?? new ValueCodec();
    this.maxExamples = options.examples ?? 10;
  }

  /** Writes acknowledged so far. */
  get acked(): number {
    return this.ackedCount;
  }

  /** Writes sent whose outcome is unknown (failed or timed out). */
  get unknown(): number {
    return this.unknownCount;
  }

  /** Keys with at least one acknowledged write. */
  get ackedKeys(): number {
    let n = 0;
    for (const r of this.records.values()) if (r.seq >= 0) n++;
    return n;
  }

  /** Makes the value of a new write to `key` and records it as in flight. */
  prepare(key: string, bytes: number): string {
    const seq = this.nextSeq++;
    const record = this.recordOf(key);
    record.sentMax = seq;
    if (record.inflight === null || record.inflightConcurrent === null) {
      record.inflight = [seq];
      record.inflightConcurrent = [null];
    } else {
      record.inflightConcurrent.push(record.inflight.slice());
      record.inflight.push(seq);
    }
    return this.codec.encode(key, seq, bytes);
  }

  /** The write of `value` to `key` was acknowledged with `lsn`. */
  acknowledge(key: string, value: string, lsn: number, ackAt: number = now()): void {
    const seq = this.seqOf(key, value);
    const record = this.recordOf(key);
    const concurrent = this.settle(record, seq);
    this.ackedCount++;
    if (seq > record.seq) {
      record.seq = seq;
      record.lsn = lsn;
      record.ackAt = ackAt;
      record.concurrent = concurrent;
    }
  }

  /** The write of `value` to `key` failed or timed out: it may or may not have been applied. */
  unknownOutcome(key: string, value: string): void {
    const seq = this.seqOf(key, value);
    this.settle(this.recordOf(key), seq);
    this.unknownCount++;
  }

  /** The latest acknowledged write of `key`, or null. */
  latest(key: string): { seq: number; lsn: number; ackAt: number; value: (bytes: number) => string; concurrent: readonly number[] } | null {
    const r = this.records.get(key);
    if (!r || r.seq < 0) return null;
    const seq = r.seq;
    return { seq, lsn: r.lsn, ackAt: r.ackAt, value: (bytes) => this.codec.encode(key, seq, bytes), concurrent: r.concurrent ?? [] };
  }

  /** Counts of the last `verify` (zeros before the first), with the acknowledged total of now. */
  counts(): LedgerCounts {
    const last = this.last;
    return { acked: this.ackedCount, checked: last?.checked ?? 0, lost: last?.lost ?? 0, stale: last?.stale ?? 0, checkedAt: last?.checkedAt ?? null };
  }

  /** The last `verify` result, or null. */
  lastCheck(): LedgerCheck | null {
    return this.last;
  }

  /**
   * Checks every key with an acknowledged write against a primary's state: a `StateSource`, or
   * a base URL whose `GET /dump` answers `{lsn, entries}`. Keys acknowledged after the dump was
   * asked for are skipped (the dump may predate them).
   */
  async verify(source: StateSource | string, options: { timeoutMs?: number; nodeSecret?: string | null } = {}): Promise<LedgerCheck> {
    const askedAt = now();
    const entries = typeof source === 'string' ? await fetchDump(source, options.timeoutMs ?? 10_000, options.nodeSecret ?? null) : await source.dump();
    let checked = 0;
    let lost = 0;
    let stale = 0;
    let skipped = 0;
    const examples: LedgerCheck['examples'] = { lost: [], stale: [] };
    for (const [key, r] of this.records) {
      if (r.seq < 0) continue;
      if (r.ackAt >= askedAt) {
        skipped++;
        continue;
      }
      checked++;
      const finding = this.judge(key, r, Object.hasOwn(entries, key) ? entries[key] : undefined);
      if (finding === null) continue;
      lost++;
      const example: LedgerExample = { key, expectedSeq: r.seq, foundSeq: finding.seq, finding: finding.finding };
      if (examples.lost.length < this.maxExamples) examples.lost.push(example);
      if (finding.finding === 'older') {
        stale++;
        if (examples.stale.length < this.maxExamples) examples.stale.push(example);
      }
    }
    this.last = { acked: this.ackedCount, checked, lost, stale, checkedAt: now(), skipped, examples };
    return this.last;
  }

  /** null when the key is fine, else what was found. */
  private judge(key: string, r: KeyRecord, value: string | undefined): { finding: LedgerFinding; seq: number | null } | null {
    if (value === undefined) return { finding: 'missing', seq: null };
    const seq = this.codec.decode(key, value);
    if (seq === null) return { finding: 'invalid', seq: null };
    if (seq === r.seq) return null;
    // Sent after the latest acknowledged write: its outcome is unknown or still pending.
    if (seq > r.seq) return seq <= r.sentMax ? null : { finding: 'unknown', seq };
    // Older, but in flight together with it: the server may have ordered it last.
    if (r.concurrent?.includes(seq)) return null;
    return { finding: 'older', seq };
  }

  private recordOf(key: string): KeyRecord {
    let r = this.records.get(key);
    if (!r) {
      r = new KeyRecord();
      this.records.set(key, r);
    }
    return r;
  }

  private seqOf(key: string, value: string): number {
    const seq = this.codec.decode(key, value);
    if (seq === null) throw new Error(`write ledger: ${JSON.stringify(value.slice(0, 40))} is not a value this ledger made for ${key}`);
    return seq;
  }

  /** Removes a write from the in-flight list; returns the writes that were in flight when it was sent. */
  private settle(r: KeyRecord, seq: number): number[] | null {
    const inflight = r.inflight;
    const concurrentOf = r.inflightConcurrent;
    if (inflight === null || concurrentOf === null) return null;
    const i = inflight.indexOf(seq);
    if (i < 0) return null;
    const concurrent = concurrentOf[i] ?? null;
    inflight.splice(i, 1);
    concurrentOf.splice(i, 1);
    if (inflight.length === 0) {
      r.inflight = null;
      r.inflightConcurrent = null;
    }
    return concurrent;
  }
}

/** `GET /dump` reads everything a node holds: a bundled node answers it only with the lab's node secret. */
async function fetchDump(baseUrl: string, timeoutMs: number, nodeSecret: string | null): Promise<Record<string, string>> {
  const url = `${baseUrl.replace(/\/+$/, '')}/dump`;
  const res = await request(url, { signal: AbortSignal.timeout(timeoutMs), ...(nodeSecret ? { headers: { authorization: `Bearer ${nodeSecret}` } } : {}) });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`write ledger: GET ${url} answered ${res.statusCode}: ${text.slice(0, 200)}`);
  const parsed = JSON.parse(text) as { entries?: Record<string, string>; encoding?: string };
  if (!parsed.entries || typeof parsed.entries !== 'object') throw new Error(`write ledger: GET ${url} has no entries`);
  if (parsed.encoding !== undefined && parsed.encoding !== 'utf8') throw new Error(`write ledger: GET ${url} is ${parsed.encoding}-encoded`);
  return parsed.entries;
}
