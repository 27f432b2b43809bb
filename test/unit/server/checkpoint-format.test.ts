import { describe, expect, it } from 'vitest';
import {
  CHECKPOINT_HEADER_BYTES,
  CheckpointInvalid,
  deserializeMap,
  encodeImage,
  serializeMap,
  verifyImage,
} from '../../../electron/server/checkpoint-format';

function sampleMap(): Map<string, Buffer> {
  return new Map([
    ['alpha', Buffer.from('one')],
    ['ключ', Buffer.from('два')],
    ['empty', Buffer.alloc(0)],
    ['bin', Buffer.from([0, 255, 1, 254])],
  ]);
}

function rejection(image: Buffer): string {
  try {
    verifyImage(image);
  } catch (error) {
    if (error instanceof CheckpointInvalid) return error.reason;
    throw error;
  }
  return 'accepted';
}

describe('checkpoint image', () => {
  it('round-trips the map, generation and lsn', () => {
    const image = encodeImage(7, 1234, serializeMap(sampleMap()));
    expect(image.toString('latin1', 0, 4)).toBe('FDCK');
    const { header, payload } = verifyImage(image);
    expect(header).toMatchObject({ generation: 7, lsn: 1234, payloadLength: image.length - CHECKPOINT_HEADER_BYTES });
    expect(deserializeMap(payload)).toEqual(sampleMap());
  });

  it('serializes a 10 MiB map quickly', () => {
    const map = new Map<string, Buffer>();
    const value = Buffer.alloc(1024, 7);
    for (let i = 0; i < 10 * 1024; i++) map.set(`key-${i}`, value);
    const started = performance.now();
    const image = encodeImage(1, 10_240, serializeMap(map));
    const restored = deserializeMap(verifyImage(image).payload);
    expect(restored.size).toBe(map.size);
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('names what is wrong: flipped payload byte, truncation, zeros, header damage, trailing bytes', () => {
    const image = encodeImage(3, 99, serializeMap(sampleMap()));
    const flipped = Buffer.from(image);
    flipped[CHECKPOINT_HEADER_BYTES + 5]! ^= 0x40;
    expect(rejection(flipped)).toBe('checksum-mismatch');
    expect(rejection(image.subarray(0, image.length - 3))).toBe('truncated');
    expect(rejection(image.subarray(0, 10))).toBe('truncated');
    expect(rejection(Buffer.alloc(image.length))).toBe('bad-header');
    const header = Buffer.from(image);
    header[20]! ^= 0x01; // inside the lsn field: caught by the header crc
    expect(rejection(header)).toBe('bad-header');
    expect(rejection(Buffer.concat([image, Buffer.from('x')]))).toBe('trailing-bytes');
    expect(rejection(image)).toBe('accepted');
  });

  it('keeps the readable header on a payload rejection so losses can be reported', () => {
    const image = encodeImage(4, 500, serializeMap(sampleMap()));
    const flipped = Buffer.from(image);
    flipped[flipped.length - 1]! ^= 0x01;
    try {
      verifyImage(flipped);
      expect.unreachable();
    } catch (error) {
      expect((error as CheckpointInvalid).header?.lsn).toBe(500);
    }
  });
});
