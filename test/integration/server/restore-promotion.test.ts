// Warm standby: a standby nobody ships a log to, whose folder receives checkpoints; promoted with
// {"restore": true} it re-runs start-up recovery from its own folder, then serves as primary.
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { missingWrites, useServers, writeKeys } from '../../support/server-harness';

const servers = useServers();

describe('promote with restore', () => {
  it('restores the newest checkpoint shipped into its folder, then takes writes as primary', async () => {
    const primary = await servers.started({ nodeId: 'p', args: ['--checkpoint-interval-ms', '0', '--checkpoint-every-writes', '0'] });
    const warm = await servers.started({ nodeId: 'w', args: ['--role', 'standby', '--checkpoint-interval-ms', '0'] });
    expect(warm.find('restore.done')).toMatchObject({ trigger: 'start', generation: null, lsn: 0 });

    const first = await writeKeys(primary, 'a', 40);
    await primary.checkpoint();
    const second = await writeKeys(primary, 'b', 40);
    const generation = await primary.checkpoint();
    const late = await writeKeys(primary, 'c', 10); // after the last checkpoint: a warm standby loses these
    // Ship the primary's checkpoints into the standby's folder, as the lab's shipper does.
    await mkdir(`${warm.dataDir}/checkpoints`, { recursive: true });
    for (const file of await readdir(`${primary.dataDir}/checkpoints`)) {
      await copyFile(`${primary.dataDir}/checkpoints/${file}`, `${warm.dataDir}/checkpoints/${file}`);
    }
    await primary.kill('SIGKILL');

    const answer = await warm.post('/admin/promote', { restore: true });
    expect(answer.status).toBe(200);
    expect(answer.json()).toMatchObject({ role: 'primary', changed: true, lsn: 80, restored: { generation, lsn: 80, keys: 80 } });
    expect(await warm.waitForEvent('restore.done', (e) => e.trigger === 'promotion')).toMatchObject({ generation, lsn: 80 });
    expect(await warm.waitForEvent('role.changed')).toMatchObject({ from: 'standby', to: 'primary', lsn: 80 });

    const { entries } = await warm.dump();
    expect(missingWrites(first, entries)).toEqual([]);
    expect(missingWrites(second, entries)).toEqual([]);
    expect(missingWrites(late, entries)).toHaveLength(10);
    expect(await warm.put('after', 'x')).toBe(81);
    // Its own log goes on from the restored checkpoint: a restart keeps the new write.
    await warm.restart();
    expect(warm.find('restore.done')).toMatchObject({ generation, lsn: 81 });
  });

  it('refuses a restore flag that is not a boolean, and ignores it on a primary', async () => {
    const standby = await servers.started({ args: ['--role', 'standby'] });
    expect((await standby.post('/admin/promote', { restore: 'yes' })).status).toBe(400);
    const primary = await servers.started();
    await primary.put('k', 'v');
    expect((await primary.post('/admin/promote', { restore: true })).json()).toMatchObject({ role: 'primary', changed: false, lsn: 1 });
    expect(primary.all('restore.done')).toHaveLength(1);
  });
});
