// The in-memory KV map and the position in the log it reflects.
import type { KvMap } from './checkpoint-format';
import { OP_PUT, type LogRecord } from './wal-record';

export class KvState {
  map: KvMap = new Map();
  /** Last applied log sequence number. */
  lsn = 0;
  /** Body CRC of the record at `lsn`, when known; lets a primary spot a diverged standby. */
  lastRecordCrc: number | null = null;

  apply(record: LogRecord, crc: number | null): void {
    if (record.op === OP_PUT) this.map.set(record.key, record.value);
    else this.map.delete(record.key);
    this.lsn = record.lsn;
    this.lastRecordCrc = crc;
  }

  replace(map: KvMap, lsn: number): void {
    this.map = map;
    this.lsn = lsn;
    this.lastRecordCrc = null;
  }
}
