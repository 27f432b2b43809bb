// Checkpoint faults on synthetic files: exactly the bytes the effect names are touched, the same
// seed touches the same bytes, and anything outside the node's own data folder is refused.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FaultRegistry } from '../../../electron/engine/faults/index';
import { encodeImage, serializeMap } from '../../../electron/server/checkpoint-format';
import { FakeFleet, RecordingPort, snapshot } from './fake-fleet';
import { faultSpec } from '../../support/fault-spec';

let root: string;
let runDir: string;
let dataDir: string;
let fleet: FakeFleet;
let registries: FaultRegistry[];

const seeded = (seed: number) => () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const ckpt = (generation: number) => join(dataDir, 'checkpoints', `ckpt-${String(generation).padStart(10, '0')}.bin`);

function registry(random?: () => number): FaultRegistry {
  const r = new FaultRegistry({ runDir, fleet, network: new RecordingPort(), http: new RecordingPort(), listener: { onTimeline: () => {}, onChanged: () => {} }, ...(random ? { random } : {}) });
  registries.push(r);
  return r;
}

function writeCheckpoint(generation: number, entries: number): Buffer {
  const map = new Map(Array.from({ length: entries }, (_, i) => [`key-${generation}-${i}`, Buffer.from(`value-${i}`)]));
  const image = encodeImage(generation, generation * 100, serializeMap(map));
  mkdirSync(join(dataDir, 'checkpoints'), { recursive: true });
  writeFileSync(ckpt(generation), image);
  return image;
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'firedrill-faults-ckpt-'));
  runDir = join(root, 'run');
  fleet = new FakeFleet();
  fleet.nodes.set('n1', snapshot('n1', runDir));
  dataDir = join(runDir, 'nodes', 'n1');
  registries = [];
});

afterEach(async () => {
  await Promise.all(registries.map((r) => r.dispose()));
  rmSync(root, { recursive: true, force: true });
});

describe('checkpoint faults touch exactly what they say', () => {
  it('bitflip: the named bits of the newest payload, nothing else; same seed, same bits', async () => {
    writeCheckpoint(1, 10);
    const original = writeCheckpoint(2, 20);
    const fault = await registry(seeded(3)).inject(faultSpec({ type: 'checkpoint_bitflip', target: 'n1', attributes: { bits: 8 } }));
    const damaged = readFileSync(ckpt(2));
    const flips = fault.effect.flips as Array<{ offset: number; bit: number }>;
    expect(flips).toHaveLength(8);
    const expected = Buffer.from(original);
    for (const { offset, bit } of flips) expected[offset]! ^= 1 << bit;
    expect(damaged.equals(expected)).toBe(true);
    expect(flips.every((f) => f.offset >= 76 && f.offset < original.length)).toBe(true);

    writeFileSync(ckpt(2), original);
    const again = await registry(seeded(3)).inject(faultSpec({ type: 'checkpoint_bitflip', target: 'n1', attributes: { bits: 8 } }));
    expect(again.effect.flips).toEqual(fault.effect.flips);
    expect(readFileSync(ckpt(2)).equals(damaged)).toBe(true);
  });

  it('bitflip of a given generation; a missing one names attributes.generation', async () => {
    const first = writeCheckpoint(1, 10);
    writeCheckpoint(2, 10);
    const fault = await registry().inject(faultSpec({ type: 'checkpoint_bitflip', target: 'n1', attributes: { generation: 1 } }));
    expect(fault.effect).toMatchObject({ generation: 1, name: 'checkpoints/ckpt-0000000001.bin' });
    expect(readFileSync(ckpt(1)).equals(first)).toBe(false);
    await expect(registry().inject(faultSpec({ type: 'checkpoint_bitflip', target: 'n1', attributes: { generation: 7 } }))).rejects.toMatchObject({ code: 'not-found', field: 'attributes.generation' });
  });

  it('truncate, zero and stale', async () => {
    const older = writeCheckpoint(1, 5);
    const newest = writeCheckpoint(2, 50);
    const r = registry();
    await r.inject(faultSpec({ type: 'checkpoint_zero', target: 'n1', attributes: { offset: 80, length: 16 } }));
    const zeroed = readFileSync(ckpt(2));
    expect(zeroed.subarray(80, 96).every((b) => b === 0)).toBe(true);
    expect(zeroed.subarray(0, 80).equals(newest.subarray(0, 80))).toBe(true);
    expect(zeroed.subarray(96).equals(newest.subarray(96))).toBe(true);

    const cut = await r.inject(faultSpec({ type: 'checkpoint_truncate', target: 'n1', attributes: { keepBytes: 120 } }));
    expect(cut.effect).toMatchObject({ sizeBefore: newest.length, keptBytes: 120, removed: { from: 120, to: newest.length } });
    expect(readFileSync(ckpt(2)).length).toBe(120);
    await expect(r.inject(faultSpec({ type: 'checkpoint_truncate', target: 'n1', attributes: { keepBytes: 500 } }))).rejects.toMatchObject({ code: 'invalid-params', field: 'attributes.keepBytes' });

    const stale = await r.inject(faultSpec({ type: 'checkpoint_stale', target: 'n1' }));
    expect(stale.effect).toMatchObject({ generation: 2, staleFrom: { generation: 1 }, written: { from: 0, to: older.length } });
    expect(readFileSync(ckpt(2)).equals(older)).toBe(true);

    const deleted = await r.inject(faultSpec({ type: 'checkpoint_delete_newest', target: 'n1' }));
    expect(deleted.effect).toMatchObject({ generation: 2, remainingGenerations: [1] });
    expect(existsSync(ckpt(2))).toBe(false);
    await expect(r.inject(faultSpec({ type: 'checkpoint_stale', target: 'n1' }))).rejects.toMatchObject({ code: 'conflict', field: 'target' });
  });

  it('wal_corrupt_tail changes every byte of the tail and nothing before it; an empty segment is refused', async () => {
    mkdirSync(join(dataDir, 'wal'), { recursive: true });
    const segment = Buffer.from(Array.from({ length: 100 }, (_, i) => i));
    writeFileSync(join(dataDir, 'wal', `wal-${'1'.padStart(20, '0')}.log`), Buffer.alloc(10));
    writeFileSync(join(dataDir, 'wal', `wal-${'51'.padStart(20, '0')}.log`), segment);
    const fault = await registry(seeded(5)).inject(faultSpec({ type: 'wal_corrupt_tail', target: 'n1', attributes: { bytes: 16 } }));
    expect(fault.effect).toMatchObject({ firstLsn: 51, overwritten: { from: 84, to: 100 }, bytes: 16 });
    const after = readFileSync(join(dataDir, 'wal', `wal-${'51'.padStart(20, '0')}.log`));
    expect(after.subarray(0, 84).equals(segment.subarray(0, 84))).toBe(true);
    for (let i = 84; i < 100; i++) expect(after[i]).not.toBe(segment[i]);

    writeFileSync(join(dataDir, 'wal', `wal-${'99'.padStart(20, '0')}.log`), Buffer.alloc(0));
    await expect(registry().inject(faultSpec({ type: 'wal_corrupt_tail', target: 'n1' }))).rejects.toMatchObject({ code: 'conflict', field: 'target' });
  });

  it('a node with no checkpoint yet is refused', async () => {
    await expect(registry().inject(faultSpec({ type: 'checkpoint_zero', target: 'n1' }))).rejects.toMatchObject({ code: 'not-found', field: 'target' });
    expect(registries[0]!.list()).toEqual([]);
  });
});

describe('nothing outside the node\'s own data folder', () => {
  it('a symlinked checkpoints/ pointing elsewhere is refused, and the file there untouched', async () => {
    const image = writeCheckpoint(1, 10);
    const elsewhere = join(root, 'elsewhere');
    renameSync(join(dataDir, 'checkpoints'), elsewhere);
    symlinkSync(elsewhere, join(dataDir, 'checkpoints'));
    for (const type of ['checkpoint_bitflip', 'checkpoint_truncate', 'checkpoint_zero', 'checkpoint_delete_newest']) {
      const error = await registry().inject(faultSpec({ type, target: 'n1' })).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'invalid-params', field: 'target' });
      expect((error as Error).message).toMatch(/^refused: checkpoints\/ckpt-0000000001\.bin \(really .*elsewhere.*\) is not inside the node's data folder/);
    }
    expect(readFileSync(join(elsewhere, 'ckpt-0000000001.bin')).equals(image)).toBe(true);
  });

  it('one symlinked checkpoint file is refused', async () => {
    writeCheckpoint(1, 10);
    const outsider = join(root, 'outsider.bin');
    writeFileSync(outsider, Buffer.alloc(200, 7));
    symlinkSync(outsider, ckpt(2));
    await expect(registry().inject(faultSpec({ type: 'checkpoint_zero', target: 'n1' }))).rejects.toMatchObject({ code: 'invalid-params', field: 'target' });
    expect(readFileSync(outsider).every((b) => b === 7)).toBe(true);
  });

  it('a data folder outside the lab\'s run folder is refused', async () => {
    const stray = join(root, 'stray');
    mkdirSync(join(stray, 'checkpoints'), { recursive: true });
    writeFileSync(join(stray, 'checkpoints', 'ckpt-0000000001.bin'), Buffer.alloc(200, 1));
    fleet.nodes.set('n2', { ...snapshot('n2', runDir), dataDir: stray });
    await expect(registry().inject(faultSpec({ type: 'checkpoint_truncate', target: 'n2' }))).rejects.toMatchObject({ code: 'invalid-params', field: 'target' });
    // A data folder that is itself a symlink out of the run folder, too.
    rmSync(join(runDir, 'nodes', 'n2'), { recursive: true, force: true });
    symlinkSync(stray, join(runDir, 'nodes', 'n2'));
    fleet.nodes.set('n2', snapshot('n2', runDir));
    await expect(registry().inject(faultSpec({ type: 'checkpoint_truncate', target: 'n2' }))).rejects.toMatchObject({ code: 'invalid-params', field: 'target' });
    expect(readFileSync(join(stray, 'checkpoints', 'ckpt-0000000001.bin')).length).toBe(200);
  });
});
