// RecentRecords: the newest encoded log records kept in memory, so shipping to standbys
// rarely has to read the WAL files back.

const MAX_BYTES = 32 * 1024 * 1024;
const MAX_RECORDS = 200_000;

export class RecentRecords {
  private records: Buffer[] = [];
  private head = 0;
  private firstLsn = 1;
  private bytes = 0;

  /** Adds the record at `lsn`; a jump in lsn (after a snapshot install) starts over. */
  push(lsn: number, encoded: Buffer): void {
    if (this.count() > 0 && lsn !== this.firstLsn + this.count()) this.clear();
    if (this.count() === 0) this.firstLsn = lsn;
    this.records.push(encoded);
    this.bytes += encoded.length;
    while (this.count() > 1 && (this.bytes > MAX_BYTES || this.count() > MAX_RECORDS)) {
      this.bytes -= this.records[this.head]!.length;
      this.records[this.head++] = EMPTY;
      this.firstLsn++;
    }
    if (this.head > 4096 && this.head * 2 > this.records.length) {
      this.records = this.records.slice(this.head);
      this.head = 0;
    }
  }

  clear(): void {
    this.records = [];
    this.head = 0;
    this.bytes = 0;
  }

  /** Records from `lsn` on (about `maxBytes`); null if `lsn` is older than what is kept. */
  from(lsn: number, maxBytes: number): Buffer[] | null {
    if (this.count() === 0 || lsn < this.firstLsn) return null;
    const out: Buffer[] = [];
    let bytes = 0;
    for (let i = this.head + (lsn - this.firstLsn); i < this.records.length && bytes < maxBytes; i++) {
      const record = this.records[i]!;
      out.push(record);
      bytes += record.length;
    }
    return out;
  }

  /** The encoded record at `lsn`, if kept. */
  at(lsn: number): Buffer | undefined {
    if (lsn < this.firstLsn || lsn >= this.firstLsn + this.count()) return undefined;
    return this.records[this.head + (lsn - this.firstLsn)];
  }

  private count(): number {
    return this.records.length - this.head;
  }
}

const EMPTY = Buffer.alloc(0);
