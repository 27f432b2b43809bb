// Primary + standby: kill -9 the primary mid-stream, promote the standby, count acknowledged
// writes that did not make it. sync promises 0; async reports its loss.
import { describe, expect, it } from 'vitest';
import { missingWrites, useServers, writeKeys, type ServerHandle } from '../../support/server-harness';

const servers = useServers();

async function pair(mode: 'sync' | 'async'): Promise<{ primary: ServerHandle; standby: ServerHandle }> {
  const standby = await servers.started({ nodeId: 'standby', args: ['--role', 'standby'] });
  const primary = await servers.started({ nodeId: 'primary', args: ['--replicas', standby.address, '--replication', mode] });
  await primary.waitForEvent('replication.connected', (e) => e.replica === standby.address);
  return { primary, standby };
}

/** Writers keep going until the primary is killed after `killAfterAcks` acknowledgements. */
async function streamAndKill(primary: ServerHandle, killAfterAcks: number): Promise<Map<string, string>> {
  const acked = new Map<string, string>();
  let next = 0;
  let killed = false;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (!killed) {
        const i = next++;
        try {
          await primary.put(`k${i}`, `v${i}`);
        } catch {
          return;
        }
        acked.set(`k${i}`, `v${i}`);
        if (acked.size >= killAfterAcks && !killed) {
          killed = true;
          primary.child?.kill('SIGKILL');
        }
      }
    }),
  );
  await primary.kill();
  return acked;
}

async function failover(standby: ServerHandle): Promise<void> {
  const promoted = await standby.post('/admin/promote');
  expect(promoted.status).toBe(200);
  expect(promoted.json()).toMatchObject({ role: 'primary', changed: true });
  // stdout and the HTTP answer travel separately, so wait for the line rather than peek.
  expect(await standby.waitForEvent('role.changed')).toMatchObject({ from: 'standby', to: 'primary' });
}

describe('replication and failover', () => {
  it('sync: every write the primary acknowledged is on the promoted standby', async () => {
    const { primary, standby } = await pair('sync');
    const acked = await streamAndKill(primary, 500);
    await failover(standby);
    const lost = missingWrites(acked, (await standby.dump()).entries);
    console.log(`sync failover: ${acked.size} acknowledged, ${lost.length} lost`);
    expect(lost).toEqual([]);
    // The promoted standby takes writes now.
    expect(await standby.put('after-failover', 'yes')).toBeGreaterThan(acked.size - 1);
  });

  it('async: lost acknowledged writes are counted and reported, never hidden', async () => {
    const { primary, standby } = await pair('async');
    const acked = await streamAndKill(primary, 500);
    await failover(standby);
    const lost = missingWrites(acked, (await standby.dump()).entries);
    console.log(`async failover: ${acked.size} acknowledged, ${lost.length} lost (the async window)`);
    expect(lost.length).toBeGreaterThanOrEqual(0);
    expect(lost.length).toBeLessThan(acked.size);
  });

  it('a standby refuses client writes with 409 not-primary', async () => {
    const { standby } = await pair('sync');
    const answer = await standby.request('PUT', '/kv/x', 'y');
    expect(answer.status).toBe(409);
    expect(answer.json()).toEqual({ error: 'not-primary', role: 'standby' });
  });

  it('a standby that was down catches up from the log; one too far behind gets a snapshot', async () => {
    const standby = await servers.create({ nodeId: 'standby', args: ['--role', 'standby'] });
    const primary = await servers.started({
      nodeId: 'primary',
      args: ['--replicas', standby.address, '--replication', 'sync-degradable', '--checkpoint-every-writes', '40', '--checkpoint-interval-ms', '0', '--keep', '1'],
    });
    await primary.waitForEvent('replication.lost');
    // Written with no standby reachable: sync-degradable acknowledges them anyway (strict sync would refuse: strict-sync.test.ts).
    const early = await writeKeys(primary, 'early', 30);
    await standby.start();
    await primary.waitForEvent('replication.connected', (e) => e.catchUp === 'log');
    for (const [k, v] of await writeKeys(primary, 'mid', 10)) early.set(k, v);
    expect(missingWrites(early, (await standby.dump()).entries)).toEqual([]);

    await standby.kill('SIGKILL');
    // Enough writes that checkpoints with --keep 1 prune the log the standby would need, and a
    // primary restart so the records are not in its memory either.
    const late = await writeKeys(primary, 'late', 200);
    await primary.restart();
    await primary.waitForEvent('replication.lost');
    await standby.start();
    await primary.waitForEvent('replication.snapshot-shipped', undefined, 10_000);
    await standby.waitForEvent('replication.snapshot-installed');
    await primary.put('final', 'x');
    const { entries, lsn } = await standby.dump();
    expect(missingWrites(late, entries)).toEqual([]);
    expect(entries.final).toBe('x');
    expect(lsn).toBe((await primary.status()).lsn);
    const status = await primary.status();
    expect(status.replication).toMatchObject({ mode: 'sync-degradable', replicas: [{ address: standby.address, connected: true, ackedLsn: lsn }] });
  });

  it('a demoted primary rejoins as a standby of the new primary and converges', async () => {
    const { primary, standby } = await pair('sync');
    await writeKeys(primary, 'one', 50);
    expect((await primary.post('/admin/demote')).json()).toMatchObject({ role: 'standby', changed: true });
    const promoted = await standby.post('/admin/promote', { replicas: [primary.address], replication: 'sync' });
    expect(promoted.status).toBe(200);
    await standby.waitForEvent('replication.connected', (e) => e.replica === primary.address);
    const two = await writeKeys(standby, 'two', 50);
    expect(missingWrites(two, (await primary.dump()).entries)).toEqual([]);
    expect((await primary.dump()).lsn).toBe((await standby.status()).lsn);
  });
});
