// Strict synchronous replication (`--replication sync`): no acknowledgement without the standby.
// With the standby gone a write waits up to --sync-timeout-ms, then fails with 503
// `standby-unavailable` and Retry-After — applied here, never acknowledged — and the primary says
// which standby process holds every acknowledged write (`replication.synced`) by its pid and boot id.
import { readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { missingWrites, useServers, writeKeys, type ServerHandle } from '../../support/server-harness';
import { sleep } from '../../../shared/sleep';

const servers = useServers();

async function pair(extra: string[] = [], syncTimeoutMs = 300): Promise<{ primary: ServerHandle; standby: ServerHandle }> {
  const standby = await servers.started({ nodeId: 'standby', args: ['--role', 'standby'] });
  const primary = await servers.started({ nodeId: 'primary', args: ['--replicas', standby.address, '--replication', 'sync', '--sync-timeout-ms', String(syncTimeoutMs), ...extra] });
  await primary.waitForEvent('replication.synced', (e) => e.replica === standby.address);
  return { primary, standby };
}

describe('strict sync', () => {
  it('with the standby dead, a write waits the sync timeout and fails 503 standby-unavailable with Retry-After — never acknowledged alone', async () => {
    const { primary, standby } = await pair();
    const before = await writeKeys(primary, 'before', 20);
    await standby.kill('SIGKILL');

    const answer = await primary.request('PUT', '/kv/alone', 'value');
    expect(answer.status).toBe(503);
    expect(answer.json()).toMatchObject({ error: 'standby-unavailable', standbys: [standby.address], lsn: 21 });
    expect(answer.headers['retry-after']).toBe('1');
    // Waited about the timeout (300 ms): not at once, and not for ever. Bounds hold on a busy 2-core machine.
    expect(answer.ms).toBeGreaterThanOrEqual(250);
    expect(answer.ms).toBeLessThan(3_000);
    // Applied here (reads see writes before they are acknowledged) and shipped once the standby is back.
    expect(await primary.get('alone')).toBe('value');

    await standby.start();
    await primary.waitForEvent('replication.synced', (e) => e.standbyPid === standby.pid);
    expect(await primary.put('after', 'x')).toBe(22);
    const { entries } = await standby.dump();
    expect(missingWrites(before, entries)).toEqual([]);
    expect(entries.alone).toBe('value');
    expect(entries.after).toBe('x');
  });

  it('a standby back within the timeout: the waiting write is acknowledged once it has it', async () => {
    const { primary, standby } = await pair([], 15_000);
    await standby.kill('SIGKILL');
    const pending = primary.request('PUT', '/kv/waits', 'v', 20_000);
    await sleep(100);
    const restartedAt = performance.now();
    await standby.start();
    const answer = await pending;
    expect(answer.status).toBe(200);
    // Acknowledged only after the standby came back, and the standby has it.
    expect(performance.now() - restartedAt).toBeGreaterThan(0);
    expect(answer.ms).toBeGreaterThan(100);
    expect((await standby.dump()).entries.waits).toBe('v');
  });

  it('a write waiting for its standby holds no admission slot: reads still pass with --concurrency 1', async () => {
    const { primary, standby } = await pair(['--concurrency', '1', '--queue-limit', '0']);
    await standby.kill('SIGKILL');
    const waiting = primary.request('PUT', '/kv/w', 'v');
    await sleep(100);
    const read = await primary.request('GET', '/kv/w');
    expect(read.status).toBe(200);
    expect(read.ms).toBeLessThan(250);
    expect((await waiting).status).toBe(503);
  });

  it('replication.synced and replication.lost name the standby process (pid, boot id); a restarted standby is synced again only when caught up', async () => {
    const { primary, standby } = await pair();
    const status = await standby.status();
    const first = primary.find('replication.synced');
    expect(first).toMatchObject({ replica: standby.address, standbyPid: standby.pid, standbyBootId: status.bootId, mode: 'sync' });
    await writeKeys(primary, 'a', 10);
    const oldPid = standby.pid;
    await standby.kill('SIGKILL');
    expect(await primary.waitForEvent('replication.lost')).toMatchObject({ replica: standby.address, standbyPid: oldPid, standbyBootId: status.bootId });
    await standby.start();
    const again = await primary.waitForEvent('replication.synced', (e) => e.standbyPid === standby.pid);
    expect(again.standbyPid).not.toBe(oldPid);
    expect(again.standbyBootId).toBe((await standby.status()).bootId);
    expect(again.lsn).toBeGreaterThanOrEqual(10);
    expect((await primary.status()).replication).toMatchObject({ mode: 'sync', syncTimeoutMs: 300, replicas: [{ synced: true, standbyPid: standby.pid, confirmedLsn: 10 }] });
  });

  it('sync-degradable goes on alone (today\'s behaviour, named as such) and says the standby was lost', async () => {
    const standby = await servers.started({ nodeId: 'standby', args: ['--role', 'standby'] });
    const primary = await servers.started({ nodeId: 'primary', args: ['--replicas', standby.address, '--replication', 'sync-degradable'] });
    await primary.waitForEvent('replication.synced');
    await standby.kill('SIGKILL');
    const answer = await primary.request('PUT', '/kv/alone', 'v');
    expect(answer.status).toBe(200);
    expect(primary.find('replication.lost')).toMatchObject({ mode: 'sync-degradable', standbyPid: expect.any(Number) });
  });
});

describe('strict sync: a primary never overwrites records of its own epoch it lost', () => {
  it('a standby holding our records under a stale epoch label (its epochs file lagged its log) is caught up, not taken for a copy we lost', async () => {
    const { primary, standby } = await pair();
    await writeKeys(primary, 'a', 10);
    await primary.restart(); // a new epoch of the primary starts at lsn 11
    await primary.waitForEvent('replication.synced', (e) => e.standbyPid === standby.pid);
    await writeKeys(primary, 'b', 10);
    // The standby dies with its log ahead of its epochs file (records applied, the label not yet saved).
    await standby.kill('SIGKILL');
    const epochs = JSON.parse(await readFile(`${standby.dataDir}/epochs.json`, 'utf8')) as unknown[];
    await writeFile(`${standby.dataDir}/epochs.json`, JSON.stringify(epochs.slice(0, 1)));
    await standby.start();
    await primary.waitForEvent('replication.synced', (e) => e.standbyPid === standby.pid);
    expect(primary.find('replication.standby-ahead')).toBeUndefined();
    expect(await primary.put('after', 'x')).toBe(21);
  });

  it('a primary back with less of its own epoch than its standby holds says replication.standby-ahead and leaves the standby as it is', async () => {
    const { primary, standby } = await pair(['--checkpoint-interval-ms', '0', '--checkpoint-every-writes', '0']);
    for (let i = 0; i < 20; i++) await primary.put(`k${i}`, `v${i}`); // one at a time: the last record is k19
    await primary.kill('SIGKILL');
    const segments = (await readdir(`${primary.dataDir}/wal`)).filter((f) => f.endsWith('.log')).sort();
    const file = `${primary.dataDir}/wal/${segments.at(-1)!}`;
    await truncate(file, (await stat(file)).size - 5); // the damaged copy: it loses k19
    await primary.start();
    const ahead = await primary.waitForEvent('replication.standby-ahead');
    expect(ahead).toMatchObject({ replica: standby.address, standbyLsn: 20, lsn: 19, standbyPid: standby.pid });
    expect((await primary.request('PUT', '/kv/new', 'v')).json()).toMatchObject({ error: 'standby-unavailable' });
    expect((await standby.dump()).entries.k19).toBe('v19');
    expect(standby.find('replication.snapshot-installed')).toBeUndefined();
  });
});
