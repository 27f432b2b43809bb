// Binary encoding of one log record, shared by the WAL files and replication batches.
//
// Record layout (all integers big-endian):
//   [u32 bodyLength][u32 crc32(body)][body]
//   body = [u64 lsn][u8 op: 1 put, 2 delete][u32 keyLength][key utf-8][u32 valueLength][value]
// A delete carries valueLength 0.
import { crc32 } from 'node:zlib';

export const OP_PUT = 1;
export const OP_DELETE = 2;
export type RecordOp = typeof OP_PUT | typeof OP_DELETE;

export interface LogRecord {
  lsn: number;
  op: RecordOp;
  key: string;
  /** Empty for a delete. */
  value: Buffer;
}

export interface DecodedRecord extends LogRecord {
  /** CRC32 of the body; identifies the record when comparing two nodes' histories. */
  crc: number;
  /** The record's full encoded bytes (a view into the source buffer). */
  bytes: Buffer;
}

export type TailProblem = 'truncated-header' | 'truncated-record' | 'bad-length' | 'checksum-mismatch' | 'bad-body';

export interface DecodeResult {
  records: DecodedRecord[];
  /** Bytes up to and including the last good record. */
  goodBytes: number;
  /** Why decoding stopped before the end of the buffer, if it did. */
  problem: TailProblem | null;
}

export const RECORD_HEADER_BYTES = 8;
const BODY_FIXED_BYTES = 8 + 1 + 4 + 4;
/** Larger than any value the API accepts; a bigger length prefix means garbage. */
export const MAX_RECORD_BODY_BYTES = 64 * 1024 * 1024;

export function encodeRecord(record: LogRecord): Buffer {
  const keyLength = Buffer.byteLength(record.key);
  const bodyLength = BODY_FIXED_BYTES + keyLength + record.value.length;
  const buf = Buffer.allocUnsafe(RECORD_HEADER_BYTES + bodyLength);
  buf.writeUInt32BE(bodyLength, 0);
  let at = RECORD_HEADER_BYTES;
  buf.writeBigUInt64BE(BigInt(record.lsn), at);
  at += 8;
  buf.writeUInt8(record.op, at);
  at += 1;
  buf.writeUInt32BE(keyLength, at);
  at += 4;
  at += buf.write(record.key, at, 'utf8');
  buf.writeUInt32BE(record.value.length, at);
  at += 4;
  record.value.copy(buf, at);
  buf.writeUInt32BE(crc32(buf.subarray(RECORD_HEADER_BYTES)), 4);
  return buf;
}

/** The body CRC stored in an encoded record. */
export function recordCrc(encoded: Buffer): number {
  return encoded.readUInt32BE(4);
}

/** Decodes records from the start of `buf`, stopping cleanly at the first torn or corrupt one. */
export function decodeRecords(buf: Buffer): DecodeResult {
  const records: DecodedRecord[] = [];
  let at = 0;
  while (at < buf.length) {
    if (buf.length - at < RECORD_HEADER_BYTES) return { records, goodBytes: at, problem: 'truncated-header' };
    const bodyLength = buf.readUInt32BE(at);
    if (bodyLength < BODY_FIXED_BYTES || bodyLength > MAX_RECORD_BODY_BYTES) {
      return { records, goodBytes: at, problem: 'bad-length' };
    }
    const end = at + RECORD_HEADER_BYTES + bodyLength;
    if (end > buf.length) return { records, goodBytes: at, problem: 'truncated-record' };
    const body = buf.subarray(at + RECORD_HEADER_BYTES, end);
    const crc = buf.readUInt32BE(at + 4);
    if (crc32(body) !== crc) return { records, goodBytes: at, problem: 'checksum-mismatch' };
    const record = decodeBody(body);
    if (record === null) return { records, goodBytes: at, problem: 'bad-body' };
    records.push({ ...record, crc, bytes: buf.subarray(at, end) });
    at = end;
  }
  return { records, goodBytes: at, problem: null };
}

function decodeBody(body: Buffer): LogRecord | null {
  const lsn = body.readBigUInt64BE(0);
  const op = body.readUInt8(8);
  const keyLength = body.readUInt32BE(9);
  if (lsn < 1n || lsn > BigInt(Number.MAX_SAFE_INTEGER) || (op !== OP_PUT && op !== OP_DELETE)) return null;
  const keyEnd = 13 + keyLength;
  if (keyEnd + 4 > body.length) return null;
  const valueLength = body.readUInt32BE(keyEnd);
  if (keyEnd + 4 + valueLength !== body.length) return null;
  return {
    lsn: Number(lsn),
    op,
    key: body.toString('utf8', 13, keyEnd),
    value: body.subarray(keyEnd + 4),
  };
}
