// Checkpoint and WAL faults on a real bundled server's own data folder, each followed by a kill -9:
// the restarted server detects the damage and recovers as electron/server/README.md promises
// (previous generation + log replay, 0 acknowledged writes lost where the log covers them).
import { describe, expect, it } from 'vitest';
import type { FaultRecord } from '../../../shared/contract/model';
import { labNodeSecret } from '../../../electron/engine/fleet/node-launch';
import { missingWrites, ServerHandle, writeKeys } from '../../support/server-harness';
import { serverEvents, useFaultLab, type FaultLab } from './helpers';
import { faultSpec } from '../../support/fault-spec';

const lab = useFaultLab();
const seeded = (seed: number) => () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);

/** A client of the lab's node n1, with the lab's node secret (checkpoints and dumps need it). */
function labClient(faultLab: FaultLab): ServerHandle {
  const client = new ServerHandle(faultLab.node('n1').port, null, 'n1', []);
  client.secret = labNodeSecret(faultLab.harness.runDir);
  return client;
}

/** A primary with manual checkpoints: generation 1 (100 keys), generation 2 (200), then 50 keys in the log only. */
async function primaryWithHistory(faultLab: FaultLab): Promise<{ client: ServerHandle; acked: Map<string, string>; lsnOf: Map<string, number> }> {
  await faultLab.start({
    nodes: [{ id: 'n1', kind: 'bundled', role: 'primary', server: { checkpointIntervalMs: 0, checkpointEveryWrites: 0, keep: 3 } }],
  });
  const client = labClient(faultLab);
  const acked = await writeKeys(client, 'a', 100);
  expect(await client.checkpoint()).toBe(1);
  for (const [k, v] of await writeKeys(client, 'b', 100)) acked.set(k, v);
  expect(await client.checkpoint()).toBe(2);
  const lsnOf = new Map<string, number>();
  for (let i = 0; i < 50; i++) {
    lsnOf.set(`c${i}`, await client.put(`c${i}`, `cvalue-${i}`)); // one at a time: lsn order = key order
    acked.set(`c${i}`, `cvalue-${i}`);
  }
  return { client, acked, lsnOf };
}

/** kill -9 through the fault layer; resolves once the supervisor has it ready again. */
async function killAndRecover(faultLab: FaultLab): Promise<{ killedAt: number; events: ReturnType<typeof serverEvents> }> {
  const kill = await faultLab.registry.inject(faultSpec({ type: 'kill', target: 'n1' }));
  const killedAt = kill.effect.sentAt as number;
  await faultLab.harness.recorder.nth('node.ready', 'n1', 1, 15_000);
  return { killedAt, events: serverEvents(faultLab, 'n1', killedAt) };
}

const cases: Array<{ type: string; attributes?: Record<string, unknown>; reason: string | null; check: (fault: FaultRecord) => void }> = [
  {
    type: 'checkpoint_bitflip',
    attributes: { bits: 3 },
    reason: 'checksum-mismatch',
    check: (fault) => {
      const flips = fault.effect.flips as Array<{ offset: number; bit: number; before: number; after: number }>;
      expect(flips).toHaveLength(3);
      for (const flip of flips) expect(flip.offset).toBeGreaterThanOrEqual(76); // payload only
    },
  },
  { type: 'checkpoint_truncate', attributes: { keepBytes: 100 }, reason: 'truncated', check: (f) => expect(f.effect).toMatchObject({ keptBytes: 100, removed: { from: 100 } }) },
  { type: 'checkpoint_zero', attributes: { offset: 0, length: 64 }, reason: 'bad-header', check: (f) => expect(f.effect).toMatchObject({ zeroed: { from: 0, to: 64 }, bytes: 64 }) },
  { type: 'checkpoint_zero', attributes: { offset: 200, length: 32 }, reason: 'checksum-mismatch', check: (f) => expect(f.effect).toMatchObject({ zeroed: { from: 200, to: 232 } }) },
  { type: 'checkpoint_stale', reason: 'generation-mismatch', check: (f) => expect(f.effect).toMatchObject({ staleFrom: { generation: 1 } }) },
  // Nothing to reject: the newest file is simply not there, and the one before it is used.
  { type: 'checkpoint_delete_newest', reason: null, check: (f) => expect(f.effect).toMatchObject({ remainingGenerations: [1] }) },
];

describe.runIf(process.platform === 'linux')('checkpoint faults on a real server, then kill -9', () => {
  it.each(cases)('$type $attributes → detected ($reason), generation 1 + log restore every acknowledged write', async ({ type, attributes, reason, check }) => {
    const faultLab = lab({ random: seeded(7) });
    const { acked } = await primaryWithHistory(faultLab);
    const fault = await faultLab.registry.inject(faultSpec({ type, target: 'n1', attributes: attributes ?? {} }));
    expect(fault).toMatchObject({ status: 'applied-once', kind: 'checkpoint', effect: { generation: 2, name: 'checkpoints/ckpt-0000000002.bin' } });
    check(fault);

    const { events } = await killAndRecover(faultLab);
    const rejected = events.filter((e) => e.event === 'checkpoint.rejected');
    if (reason === null) expect(rejected).toEqual([]);
    else expect(rejected[0]).toMatchObject({ generation: 2, file: 'ckpt-0000000002.bin', reason });
    expect(events.find((e) => e.event === 'restore.done')).toMatchObject({ generation: 1, lsn: 250, entriesReplayed: 150, gap: false, lostLsns: 0 });
    const after = labClient(faultLab);
    expect(missingWrites(acked, (await after.dump()).entries)).toEqual([]);
  });

  it('wal_corrupt_tail → wal.tail-discarded; exactly the damaged last record is lost, everything before it restored', async () => {
    const faultLab = lab({ random: seeded(11) });
    const { acked, lsnOf } = await primaryWithHistory(faultLab);
    const fault = await faultLab.registry.inject(faultSpec({ type: 'wal_corrupt_tail', target: 'n1', attributes: { bytes: 16 } }));
    const { from, to } = fault.effect.overwritten as { from: number; to: number };
    expect(to - from).toBe(16);
    expect(fault.effect.name).toMatch(/^wal\/wal-\d{20}\.log$/);

    const { events } = await killAndRecover(faultLab);
    expect(events.find((e) => e.event === 'wal.tail-discarded')).toMatchObject({ file: (fault.effect.name as string).slice(4) });
    const restored = events.find((e) => e.event === 'restore.done') as unknown as { lsn: number; generation: number };
    expect(restored.generation).toBe(2);
    // A record is 37 bytes here: 16 damaged bytes take exactly the last one.
    expect(restored.lsn).toBe(249);
    const lost = [...lsnOf].filter(([, lsn]) => lsn > restored.lsn).map(([key]) => key);
    expect(lost).toEqual(['c49']);
    const after = labClient(faultLab);
    expect(missingWrites(acked, (await after.dump()).entries)).toEqual(lost);
  });

  it('the same seed damages the same bits', async () => {
    const first = lab({ random: seeded(42) });
    await primaryWithHistory(first);
    const a = await first.registry.inject(faultSpec({ type: 'checkpoint_bitflip', target: 'n1', attributes: { bits: 5, generation: 1 } }));
    const second = lab({ random: seeded(42) });
    await primaryWithHistory(second);
    const b = await second.registry.inject(faultSpec({ type: 'checkpoint_bitflip', target: 'n1', attributes: { bits: 5, generation: 1 } }));
    // Same file size, same seed: the same positions (the bytes there may differ: keys land in write order).
    const positions = (fault: FaultRecord) => (fault.effect.flips as Array<{ offset: number; bit: number }>).map(({ offset, bit }) => `${offset}:${bit}`);
    expect(a.effect.file).not.toBe(b.effect.file);
    expect(positions(a)).toEqual(positions(b));
  });
});
