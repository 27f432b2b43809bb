// Binary checkpoint image: a self-verifying header followed by the serialized KV map.
//
// Header (76 bytes, big-endian):
//   [4 magic "FDCK"][u16 format version][u16 reserved 0][u64 generation][u64 lsn]
//   [u64 createdAt ms][u64 payload length][32 SHA-256 of payload][u32 crc32 of the 72 bytes before it]
// Payload: [u32 entry count] then per entry [u32 keyLength][key utf-8][u32 valueLength][value].
// The same image is shipped to a standby by POST /replication/snapshot.
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

export const CHECKPOINT_MAGIC = 'FDCK';
export const CHECKPOINT_FORMAT_VERSION = 1;
export const CHECKPOINT_HEADER_BYTES = 76;

export interface CheckpointHeader {
  generation: number;
  lsn: number;
  createdAt: number;
  payloadLength: number;
  sha256: Buffer;
}

export type CheckpointRejection =
  | 'missing'
  | 'unreadable'
  | 'truncated'
  | 'bad-header'
  | 'unsupported-version'
  | 'generation-mismatch'
  | 'checksum-mismatch'
  | 'trailing-bytes'
  | 'bad-payload';

export class CheckpointInvalid extends Error {
  constructor(
    readonly reason: CheckpointRejection,
    readonly detail: string,
    /** The header, when it was readable, so a rejection can still say what was lost. */
    readonly header?: CheckpointHeader,
  ) {
    super(`${reason}: ${detail}`);
  }
}

export type KvMap = Map<string, Buffer>;

export function serializeMap(map: ReadonlyMap<string, Buffer>): Buffer {
  let total = 4;
  for (const [key, value] of map) total += 8 + Buffer.byteLength(key) + value.length;
  const buf = Buffer.allocUnsafe(total);
  buf.writeUInt32BE(map.size, 0);
  let at = 4;
  for (const [key, value] of map) {
    const keyLength = buf.write(key, at + 4, 'utf8');
    buf.writeUInt32BE(keyLength, at);
    at += 4 + keyLength;
    buf.writeUInt32BE(value.length, at);
    at += 4;
    at += value.copy(buf, at);
  }
  return buf;
}

/** Values are views into `payload`, so restoring a large map copies nothing. */
export function deserializeMap(payload: Buffer): KvMap {
  const map: KvMap = new Map();
  const fail = (detail: string): never => {
    throw new CheckpointInvalid('bad-payload', detail);
  };
  if (payload.length < 4) fail('payload shorter than its entry count');
  const count = payload.readUInt32BE(0);
  let at = 4;
  for (let i = 0; i < count; i++) {
    if (at + 4 > payload.length) fail(`entry ${i} key length past the end`);
    const keyLength = payload.readUInt32BE(at);
    at += 4;
    if (at + keyLength + 4 > payload.length) fail(`entry ${i} key past the end`);
    const key = payload.toString('utf8', at, at + keyLength);
    at += keyLength;
    const valueLength = payload.readUInt32BE(at);
    at += 4;
    if (at + valueLength > payload.length) fail(`entry ${i} value past the end`);
    map.set(key, payload.subarray(at, at + valueLength));
    at += valueLength;
  }
  if (at !== payload.length) fail(`${payload.length - at} bytes after the last entry`);
  return map;
}

export function sha256(payload: Buffer): Buffer {
  return createHash('sha256').update(payload).digest();
}

export function encodeHeader(header: CheckpointHeader): Buffer {
  const buf = Buffer.alloc(CHECKPOINT_HEADER_BYTES);
  buf.write(CHECKPOINT_MAGIC, 0, 'latin1');
  buf.writeUInt16BE(CHECKPOINT_FORMAT_VERSION, 4);
  buf.writeBigUInt64BE(BigInt(header.generation), 8);
  buf.writeBigUInt64BE(BigInt(header.lsn), 16);
  buf.writeBigUInt64BE(BigInt(header.createdAt), 24);
  buf.writeBigUInt64BE(BigInt(header.payloadLength), 32);
  header.sha256.copy(buf, 40);
  buf.writeUInt32BE(crc32(buf.subarray(0, 72)), 72);
  return buf;
}

export function decodeHeader(buf: Buffer): CheckpointHeader {
  if (buf.length < CHECKPOINT_HEADER_BYTES) {
    throw new CheckpointInvalid('truncated', `${buf.length} bytes, shorter than the ${CHECKPOINT_HEADER_BYTES}-byte header`);
  }
  const magic = buf.toString('latin1', 0, 4);
  if (magic !== CHECKPOINT_MAGIC) throw new CheckpointInvalid('bad-header', `magic ${JSON.stringify(magic)}, expected "FDCK"`);
  const storedCrc = buf.readUInt32BE(72);
  const actualCrc = crc32(buf.subarray(0, 72));
  if (storedCrc !== actualCrc) throw new CheckpointInvalid('bad-header', `header crc32 ${hex(actualCrc)}, stored ${hex(storedCrc)}`);
  const version = buf.readUInt16BE(4);
  if (version !== CHECKPOINT_FORMAT_VERSION) throw new CheckpointInvalid('unsupported-version', `format version ${version}`);
  const safe = (offset: number, name: string): number => {
    const n = buf.readBigUInt64BE(offset);
    if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new CheckpointInvalid('bad-header', `${name} ${n} out of range`);
    return Number(n);
  };
  return {
    generation: safe(8, 'generation'),
    lsn: safe(16, 'lsn'),
    createdAt: safe(24, 'createdAt'),
    payloadLength: safe(32, 'payload length'),
    sha256: Buffer.from(buf.subarray(40, 72)),
  };
}

export interface CheckpointImage {
  header: CheckpointHeader;
  payload: Buffer;
}

/** Builds a full image (header + payload) in one buffer. */
export function encodeImage(generation: number, lsn: number, payload: Buffer, digest: Buffer = sha256(payload)): Buffer {
  const header = encodeHeader({ generation, lsn, createdAt: Date.now(), payloadLength: payload.length, sha256: digest });
  return Buffer.concat([header, payload]);
}

/** Verifies header, length and checksum of a whole image; throws CheckpointInvalid. */
export function verifyImage(image: Buffer): CheckpointImage {
  const header = decodeHeader(image);
  const expected = CHECKPOINT_HEADER_BYTES + header.payloadLength;
  if (image.length < expected) {
    throw new CheckpointInvalid('truncated', `${image.length} bytes, header promises ${expected}`, header);
  }
  if (image.length > expected) {
    throw new CheckpointInvalid('trailing-bytes', `${image.length - expected} bytes after the payload`, header);
  }
  const payload = image.subarray(CHECKPOINT_HEADER_BYTES);
  const digest = sha256(payload);
  if (!digest.equals(header.sha256)) {
    throw new CheckpointInvalid('checksum-mismatch', `payload sha256 ${digest.toString('hex').slice(0, 16)}…, header says ${header.sha256.toString('hex').slice(0, 16)}…`, header);
  }
  return { header, payload };
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}
