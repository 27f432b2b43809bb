// The HTTP surface: KV round trips, listings, status, admin and error answers.
import { describe, expect, it } from 'vitest';
import { useServers } from '../../support/server-harness';

const servers = useServers();

describe('HTTP API', () => {
  it('stores, reads, lists and deletes keys, including binary values and odd keys', async () => {
    const server = await servers.started({ args: ['--checkpoint-interval-ms', '0'] });
    expect((await server.request('GET', '/healthz')).text).toBe('ok');
    expect((await server.request('GET', '/readyz')).status).toBe(200);
    expect(await server.get('missing')).toBeNull();

    const odd = 'dir/ключ ?&=';
    const lsn1 = await server.put(odd, 'unicode value ✓');
    const binary = Buffer.from([0, 1, 2, 255, 254]);
    const put = await server.request('PUT', '/kv/bin', binary);
    expect(put.json()).toEqual({ lsn: lsn1 + 1 });
    const got = await server.request('GET', '/kv/bin');
    expect(got.body.equals(binary)).toBe(true);
    expect(got.headers['x-lsn']).toBe(String(lsn1 + 1));
    expect(await server.get(odd)).toBe('unicode value ✓');

    expect((await server.request('GET', '/kv')).json()).toEqual({ lsn: 2, keys: [odd, 'bin'] });
    expect(await server.del(odd)).toBe(3);
    expect(await server.get(odd)).toBeNull();
    expect((await server.dump()).entries).toEqual({ bin: binary.toString('utf8') });
    expect((await server.request('GET', '/dump?encoding=base64')).json()).toMatchObject({ encoding: 'base64', entries: { bin: binary.toString('base64') } });
  });

  it('reports status, forced checkpoints and a no-op promote', async () => {
    const server = await servers.started({ nodeId: 'api-1', args: ['--service-time-ms', '1', '--keep', '2'] });
    await server.put('a', '1');
    expect(await server.checkpoint()).toBe(1);
    await server.put('b', '2');
    expect(await server.checkpoint()).toBe(2);
    const status = await server.status();
    expect(status).toMatchObject({
      nodeId: 'api-1',
      role: 'primary',
      pid: server.pid,
      generation: 2,
      lsn: 2,
      keys: 2,
      lastCheckpoint: { generation: 2, lsn: 2, file: 'ckpt-0000000002.bin', at: expect.any(Number) },
      replication: { mode: 'sync', replicas: [] },
      ready: true,
      inflight: 0,
      queued: 0,
      config: { serviceTimeMs: 1, concurrency: 64, queueLimit: 256, queueTimeoutMs: 2000, keep: 2, fsync: 'always' },
    });
    expect(server.find('checkpoint.written')).toMatchObject({ generation: 1, lsn: 1, file: 'ckpt-0000000001.bin', bytes: expect.any(Number), durationMs: expect.any(Number) });
    expect((await server.post('/admin/promote')).json()).toMatchObject({ role: 'primary', changed: false });
  });

  it('answers unknown paths, bad methods, bad JSON and bad replication bodies with 4xx', async () => {
    const server = await servers.started();
    expect((await server.request('GET', '/nope')).status).toBe(404);
    expect((await server.request('POST', '/kv/x')).status).toBe(405);
    expect((await server.request('DELETE', '/status')).status).toBe(405);
    expect((await server.request('POST', '/admin/config', '{not json')).status).toBe(400);
    expect((await server.post('/admin/config', { replicas: ['nohost'] })).status).toBe(400);
    // A primary is not a standby: it refuses replication traffic.
    const apply = await server.request('POST', '/replication/apply', Buffer.alloc(0));
    expect([apply.status, apply.json().error]).toEqual([409, 'not-standby']);
  });
});
