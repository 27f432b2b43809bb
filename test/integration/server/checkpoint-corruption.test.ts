// A corrupt newest checkpoint is rejected with the right reason; the previous generation plus
// the log restores everything. With every checkpoint gone, the loss is reported, not hidden.
import { open, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { missingWrites, useServers, writeKeys, type ServerHandle } from '../../support/server-harness';

const servers = useServers();
const manualCheckpoints = ['--checkpoint-interval-ms', '0', '--checkpoint-every-writes', '0', '--keep', '3'];

const ckpt = (server: ServerHandle, generation: number) => `${server.dataDir}/checkpoints/ckpt-${String(generation).padStart(10, '0')}.bin`;

async function twoGenerationsAndATail(server: ServerHandle): Promise<Map<string, string>> {
  const acked = await writeKeys(server, 'a', 100);
  expect(await server.checkpoint()).toBe(1);
  for (const [k, v] of await writeKeys(server, 'b', 100)) acked.set(k, v);
  expect(await server.checkpoint()).toBe(2);
  for (const [k, v] of await writeKeys(server, 'c', 50)) acked.set(k, v);
  await server.kill('SIGKILL');
  return acked;
}

const corruptions: Array<{ name: string; reason: string; corrupt: (file: string) => Promise<void> }> = [
  {
    name: 'a flipped payload byte',
    reason: 'checksum-mismatch',
    corrupt: async (file) => {
      const handle = await open(file, 'r+');
      const { size } = await handle.stat();
      const byte = Buffer.alloc(1);
      await handle.read(byte, 0, 1, size - 10);
      byte[0]! ^= 0xff;
      await handle.write(byte, 0, 1, size - 10);
      await handle.close();
    },
  },
  { name: 'truncation', reason: 'truncated', corrupt: async (file) => truncate(file, Math.floor((await readFile(file)).length / 2)) },
  { name: 'zeroed contents', reason: 'bad-header', corrupt: async (file) => writeFile(file, Buffer.alloc((await readFile(file)).length)) },
  { name: 'an emptied file', reason: 'truncated', corrupt: async (file) => truncate(file, 0) },
];

describe('corrupt newest checkpoint', () => {
  it.each(corruptions)('$name → rejected as $reason, generation 1 + log restore everything', async ({ reason, corrupt }) => {
    const server = await servers.started({ args: manualCheckpoints });
    const acked = await twoGenerationsAndATail(server);
    await corrupt(ckpt(server, 2));
    await server.start();
    expect(server.find('checkpoint.rejected')).toMatchObject({ generation: 2, reason, file: 'ckpt-0000000002.bin' });
    expect(server.find('restore.done')).toMatchObject({ generation: 1, lsn: 250, entriesReplayed: 150, keys: 250, gap: false, lostLsns: 0 });
    expect(missingWrites(acked, (await server.dump()).entries)).toEqual([]);
    // The next checkpoint does not reuse the corrupt generation's number.
    expect(await server.checkpoint()).toBe(3);
  });

  it('a missing newest-but-one generation is reported as missing', async () => {
    const server = await servers.started({ args: manualCheckpoints });
    const acked = await twoGenerationsAndATail(server);
    await server.start();
    await server.checkpoint();
    await server.kill('SIGKILL');
    await writeFile(ckpt(server, 3), Buffer.alloc(100, 'x'));
    await rm(ckpt(server, 2));
    await server.start();
    expect(server.all('checkpoint.rejected').map((e) => [e.generation, e.reason])).toEqual([
      [3, 'bad-header'],
      [2, 'missing'],
    ]);
    expect(server.find('restore.done')).toMatchObject({ generation: 1, gap: false });
    expect(missingWrites(acked, (await server.dump()).entries)).toEqual([]);
  });

  it('a missing log segment is a gap: replay stops before it and the loss is reported', async () => {
    const server = await servers.started({ args: manualCheckpoints });
    await twoGenerationsAndATail(server);
    await writeFile(ckpt(server, 2), Buffer.alloc(100));
    await rm(`${server.dataDir}/wal/wal-${String(101).padStart(20, '0')}.log`);
    await server.start();
    expect(server.find('restore.done')).toMatchObject({ generation: 1, lsn: 100, entriesReplayed: 0, gap: true, gapAfterLsn: 100, nextAvailableLsn: 201, knownLsn: 250, lostLsns: 150 });
    expect(server.find('wal.segments-orphaned')).toBeDefined();
    const { entries } = await server.dump();
    // Nothing after the gap was applied, even though those records were readable.
    expect(Object.keys(entries).filter((k) => k.startsWith('c'))).toEqual([]);
    expect(Object.keys(entries)).toHaveLength(100);
  });

  it('every checkpoint corrupt and the log pruned: the node comes up with what it can and reports the loss', async () => {
    const server = await servers.started({ args: manualCheckpoints });
    await twoGenerationsAndATail(server);
    await writeFile(ckpt(server, 1), Buffer.alloc(100));
    await writeFile(ckpt(server, 2), Buffer.alloc(100));
    await server.start();
    expect(server.all('checkpoint.rejected')).toHaveLength(2);
    const restored = server.find('restore.done')!;
    // Log segments before generation 1's lsn were pruned, so replay cannot start at lsn 1.
    expect(restored).toMatchObject({ generation: null, gap: true, gapAfterLsn: 0 });
    expect(restored.lostLsns).toBeGreaterThanOrEqual(250 - Number(restored.lsn));
    expect(restored.knownLsn).toBe(250);
    console.log(`all checkpoints corrupt: restored lsn ${String(restored.lsn)}, reported lost ${String(restored.lostLsns)} records`);
    // It serves, and new writes are logged cleanly after the gap.
    await server.put('after', 'gap');
    await server.restart();
    expect(await server.get('after')).toBe('gap');
    expect(server.find('restore.done')?.gap).toBe(false);
  });
});
