// A torn or corrupt WAL tail is discarded (and logged); everything before it is restored and
// new appends after the cut are clean.
import { appendFile, readdir, stat, truncate } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { missingWrites, useServers, writeKeys, type ServerHandle } from '../../support/server-harness';

const servers = useServers();

async function lastSegment(server: ServerHandle): Promise<string> {
  const segments = (await readdir(`${server.dataDir}/wal`)).filter((f) => f.endsWith('.log')).sort();
  return `${server.dataDir}/wal/${segments.at(-1)!}`;
}

const tails: Array<{ name: string; lostLast: boolean; reason: string; tamper: (file: string) => Promise<void> }> = [
  { name: 'appended garbage', lostLast: false, reason: 'bad-length', tamper: (file) => appendFile(file, Buffer.from('\xff\xff\xff\xfe garbage after the last record', 'latin1')) },
  {
    name: 'half a record appended',
    lostLast: false,
    reason: 'truncated-record',
    tamper: async (file) => {
      const record = Buffer.alloc(40);
      record.writeUInt32BE(32, 0); // a plausible length, but only half the body follows
      await appendFile(file, record.subarray(0, 24));
    },
  },
  { name: 'truncated mid-record', lostLast: true, reason: 'truncated-record', tamper: async (file) => truncate(file, (await stat(file)).size - 5) },
];

describe('torn WAL tail', () => {
  it.each(tails)('$name → discarded as $reason, the rest restored', async ({ lostLast, reason, tamper }) => {
    const server = await servers.started({ args: ['--checkpoint-interval-ms', '0', '--checkpoint-every-writes', '0'] });
    const acked = new Map<string, string>();
    for (let i = 0; i < 100; i++) {
      await server.put(`k${i}`, `v${i}`);
      acked.set(`k${i}`, `v${i}`);
    }
    await server.kill('SIGKILL');
    const file = await lastSegment(server);
    const goodSize = (await stat(file)).size;
    await tamper(file);
    await server.start();
    const discarded = server.find('wal.tail-discarded')!;
    expect(discarded).toMatchObject({ reason, file: file.split('/').at(-1) });
    if (!lostLast) expect(discarded.offset).toBe(goodSize);
    if (lostLast) acked.delete('k99');
    expect(server.find('restore.done')).toMatchObject({ lsn: lostLast ? 99 : 100, gap: false });
    expect(missingWrites(acked, (await server.dump()).entries)).toEqual([]);

    // Appends after the cut are clean: a second restart discards nothing.
    for (const [k, v] of await writeKeys(server, 'after', 30)) acked.set(k, v);
    await server.restart();
    expect(server.find('wal.tail-discarded')).toBeUndefined();
    expect(missingWrites(acked, (await server.dump()).entries)).toEqual([]);
  });
});
