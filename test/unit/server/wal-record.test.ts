import { describe, expect, it } from 'vitest';
import { decodeRecords, encodeRecord, OP_DELETE, OP_PUT, recordCrc } from '../../../electron/server/wal-record';

const put = (lsn: number, key: string, value: string) => encodeRecord({ lsn, op: OP_PUT, key, value: Buffer.from(value) });

describe('WAL record encoding', () => {
  it('round-trips puts and deletes, including unicode keys and empty values', () => {
    const buf = Buffer.concat([put(1, 'a', 'one'), encodeRecord({ lsn: 2, op: OP_DELETE, key: 'ключ/π', value: Buffer.alloc(0) }), put(3, 'e', '')]);
    const { records, goodBytes, problem } = decodeRecords(buf);
    expect(problem).toBeNull();
    expect(goodBytes).toBe(buf.length);
    expect(records.map((r) => [r.lsn, r.op, r.key, r.value.toString()])).toEqual([
      [1, OP_PUT, 'a', 'one'],
      [2, OP_DELETE, 'ключ/π', ''],
      [3, OP_PUT, 'e', ''],
    ]);
    expect(records[0]!.crc).toBe(recordCrc(put(1, 'a', 'one')));
  });

  it('uses the documented layout: length, crc, then lsn/op/key/value big-endian', () => {
    const rec = put(258, 'k', 'vv');
    expect(rec.readUInt32BE(0)).toBe(rec.length - 8);
    expect(rec.readBigUInt64BE(8)).toBe(258n);
    expect(rec.readUInt8(16)).toBe(OP_PUT);
    expect(rec.readUInt32BE(17)).toBe(1);
    expect(rec.toString('utf8', 21, 22)).toBe('k');
    expect(rec.readUInt32BE(22)).toBe(2);
  });

  it('stops at a half-written record and reports where the good bytes end', () => {
    const good = Buffer.concat([put(1, 'a', 'x'), put(2, 'b', 'y')]);
    const torn = put(3, 'c', 'a longer value');
    for (const cut of [3, 8, torn.length - 1]) {
      const result = decodeRecords(Buffer.concat([good, torn.subarray(0, cut)]));
      expect(result.records).toHaveLength(2);
      expect(result.goodBytes).toBe(good.length);
      expect(result.problem).toBe(cut < 8 ? 'truncated-header' : 'truncated-record');
    }
  });

  it('rejects a flipped bit by checksum and garbage by length', () => {
    const rec = put(1, 'a', 'value');
    const flipped = Buffer.from(rec);
    flipped[flipped.length - 1]! ^= 0x01;
    expect(decodeRecords(flipped)).toMatchObject({ records: [], goodBytes: 0, problem: 'checksum-mismatch' });
    expect(decodeRecords(Buffer.concat([rec, Buffer.alloc(64)])).problem).toBe('bad-length');
    expect(decodeRecords(Buffer.concat([rec, Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5])])).problem).toBe('bad-length');
  });
});
