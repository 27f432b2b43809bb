// Promotion epochs: an old primary that rejoins as a standby after a failover must never keep
// records the new primary never had, even when its last record cannot be compared.
import { describe, expect, it } from 'vitest';
import { missingWrites, useServers, writeKeys } from '../../support/server-harness';

const servers = useServers();

describe('promotion epochs', () => {
  it('an old primary restored from a checkpoint alone, diverged below the new primary’s lsn, gets a snapshot', async () => {
    const standby = await servers.started({ nodeId: 'b', args: ['--role', 'standby', '--checkpoint-interval-ms', '0'] });
    const primary = await servers.started({ nodeId: 'a', args: ['--replicas', standby.address, '--replication', 'sync-degradable', '--checkpoint-interval-ms', '0', '--checkpoint-every-writes', '0'] });
    await primary.waitForEvent('replication.connected');
    const shared = await writeKeys(primary, 'shared', 20);

    // The standby goes away; the primary goes on alone (sync-degradable acknowledges them), checkpoints, dies.
    await standby.kill('SIGKILL');
    await writeKeys(primary, 'orphan', 10);
    await primary.checkpoint();
    await primary.kill('SIGKILL');

    // The standby comes back and is promoted: it writes a different history past lsn 20.
    await standby.start();
    expect((await standby.post('/admin/promote', { replicas: [primary.address], replication: 'sync-degradable' })).status).toBe(200);
    const fresh = await writeKeys(standby, 'fresh', 20);

    // The old primary rejoins as a standby: its state is the checkpoint alone (nothing to replay),
    // so its last record's checksum is unknown; only the epoch can tell it diverged at lsn 21.
    primary.args = ['--role', 'standby', '--checkpoint-interval-ms', '0'];
    await primary.start();
    expect(primary.find('restore.done')).toMatchObject({ lsn: 30, entriesReplayed: 0 });
    expect(await standby.waitForEvent('replication.connected', (e) => e.replica === primary.address)).toMatchObject({ catchUp: 'snapshot' });
    await primary.waitForEvent('replication.snapshot-installed');
    await standby.put('last', 'x');

    const old = await primary.dump();
    const now = await standby.dump();
    expect(old).toEqual(now);
    expect(missingWrites(shared, old.entries)).toEqual([]);
    expect(missingWrites(fresh, old.entries)).toEqual([]);
    expect(Object.keys(old.entries).filter((k) => k.startsWith('orphan'))).toEqual([]);
  });

  it('a standby that followed the old primary up to the fork catches up from the log', async () => {
    const standby = await servers.started({ nodeId: 'b', args: ['--role', 'standby'] });
    const primary = await servers.started({ nodeId: 'a', args: ['--replicas', standby.address] });
    await primary.waitForEvent('replication.connected');
    await writeKeys(primary, 'one', 30);
    expect((await primary.post('/admin/demote')).status).toBe(200);
    expect((await standby.post('/admin/promote', { replicas: [primary.address] })).status).toBe(200);
    expect(await standby.waitForEvent('replication.connected', (e) => e.replica === primary.address)).toMatchObject({ catchUp: 'log' });
    const status = await standby.status();
    expect(status.epoch).toMatchObject({ epoch: 2, startLsn: 31 });
    await writeKeys(standby, 'two', 10);
    expect((await primary.status()).epoch).toEqual(status.epoch);
  });
});
