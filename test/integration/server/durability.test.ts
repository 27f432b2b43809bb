// Acknowledged writes survive kill -9: the WAL alone, and the WAL with checkpoints interleaved.
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { missingWrites, useServers, writeKeys, type ServerHandle } from '../../support/server-harness';

const servers = useServers();

/** Keeps writing until killed; returns only what was acknowledged before the kill. */
async function writeUntilKilled(server: ServerHandle, killAfterAcks: number): Promise<Map<string, string>> {
  const acked = new Map<string, string>();
  let next = 0;
  let killed = false;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (!killed) {
        const i = next++;
        try {
          await server.put(`k${i}`, `v${i}`);
          acked.set(`k${i}`, `v${i}`);
        } catch {
          return; // the connection died with the process: not acknowledged
        }
        if (acked.size >= killAfterAcks && !killed) {
          killed = true;
          server.child?.kill('SIGKILL');
        }
      }
    }),
  );
  await server.kill();
  return acked;
}

describe('durability across kill -9', () => {
  it('fsync always, log only: every acknowledged write comes back', async () => {
    const server = await servers.started({ args: ['--checkpoint-interval-ms', '0', '--checkpoint-every-writes', '0'] });
    const acked = await writeUntilKilled(server, 400);
    await server.start();
    const restored = server.find('restore.done')!;
    expect(restored).toMatchObject({ generation: null, gap: false });
    expect(restored.entriesReplayed).toBeGreaterThanOrEqual(acked.size);
    expect(missingWrites(acked, (await server.dump()).entries)).toEqual([]);
  });

  it('with checkpoints every 50 writes and every 100 ms interleaved, nothing acknowledged is lost', async () => {
    const server = await servers.started({ args: ['--checkpoint-interval-ms', '100', '--checkpoint-every-writes', '50', '--keep', '2'] });
    const first = await writeKeys(server, 'a', 150);
    for (let i = 0; i < 20; i++) await server.del(`a${i}`);
    const acked = await writeUntilKilled(server, 600);
    await server.start();
    const restored = server.find('restore.done')!;
    expect(restored.generation).toEqual(expect.any(Number));
    expect(server.all('checkpoint.rejected')).toEqual([]);
    const { entries } = await server.dump();
    expect(missingWrites(acked, entries)).toEqual([]);
    // Not `[...first].slice(20)`: the map is in the order of the acknowledgements, which a busy machine
    // reorders (a19 acknowledged after a20 was once taken for a lost write).
    expect(missingWrites(new Map([...first].filter(([key]) => Number(key.slice(1)) >= 20)), entries)).toEqual([]);
    for (let i = 0; i < 20; i++) expect(entries[`a${i}`]).toBeUndefined();
    // Only the kept generations remain, and the WAL behind the oldest one was pruned.
    await server.kill('SIGTERM');
    const checkpoints = await readdir(`${server.dataDir}/checkpoints`);
    expect(checkpoints.filter((f) => f.endsWith('.bin')).length).toBeLessThanOrEqual(2);
    expect(checkpoints.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const segments = (await readdir(`${server.dataDir}/wal`)).filter((f) => f.endsWith('.log'));
    expect(segments.length).toBeLessThan(10);
  });

  it('fsync every 20 ms still keeps acknowledged writes through kill -9 (they are in the OS)', async () => {
    const server = await servers.started({ args: ['--fsync', '20', '--checkpoint-every-writes', '100'] });
    const acked = await writeUntilKilled(server, 300);
    await server.start();
    expect(missingWrites(acked, (await server.dump()).entries)).toEqual([]);
  });

  it('SIGTERM exits cleanly, logs server.exit and leaves no temp files', async () => {
    const server = await servers.started();
    await writeKeys(server, 't', 20);
    await server.kill('SIGTERM');
    expect(server.child?.exitCode).toBe(0);
    expect(server.find('server.exit')).toMatchObject({ reason: 'SIGTERM' });
    await server.start();
    expect((await server.status()).keys).toBe(20);
  });
});
