// Nodes obey only the lab: /admin/*, /replication/* and /dump need the per-lab node secret (from
// the environment), a loopback Host (and X-Forwarded-Host) and no foreign Origin; replicas are
// loopback addresses only. The data endpoints /kv/* stay open: they are the service under test.
import { describe, expect, it } from 'vitest';
import { TEST_NODE_SECRET, useServers, type ServerHandle } from '../../support/server-harness';

const servers = useServers();

const LAB_ONLY: Array<[string, string, string?]> = [
  ['POST', '/admin/promote', '{}'],
  ['POST', '/admin/demote', '{}'],
  ['POST', '/admin/config', '{}'],
  ['POST', '/admin/checkpoint', '{}'],
  ['POST', '/replication/apply', ''],
  ['POST', '/replication/snapshot', ''],
  ['GET', '/dump'],
];

const auth = { authorization: `Bearer ${TEST_NODE_SECRET}` };

async function statusOf(server: ServerHandle, method: string, path: string, body: string | undefined, headers: Record<string, string>): Promise<{ status: number; reason: unknown }> {
  const answer = await server.request(method, path, body, 5_000, headers);
  let reason: unknown;
  try {
    reason = answer.json<{ reason?: string }>().reason;
  } catch {
    reason = undefined;
  }
  return { status: answer.status, reason };
}

describe('lab-only endpoints', () => {
  it('each is refused without the secret, with a wrong one, with a foreign Host, X-Forwarded-Host or Origin — and served to the lab', async () => {
    const standby = await servers.started({ nodeId: 'standby', args: ['--role', 'standby'] });
    for (const [method, path, body] of LAB_ONLY) {
      const cases: Array<[string, Record<string, string>, string]> = [
        ['no secret', {}, 'bad-node-secret'],
        ['a wrong secret', { authorization: 'Bearer not-the-secret-at-all' }, 'bad-node-secret'],
        ['a foreign Host', { ...auth, host: 'attacker.example:80' }, 'foreign-host'],
        ['a rebinding Host', { ...auth, host: `rebind.attacker.example:${standby.port}` }, 'foreign-host'],
        ['a foreign X-Forwarded-Host', { ...auth, 'x-forwarded-host': 'attacker.example' }, 'foreign-host'],
        ['a foreign Origin', { ...auth, origin: 'https://attacker.example' }, 'foreign-origin'],
        ['a null Origin', { ...auth, origin: 'null' }, 'foreign-origin'],
      ];
      for (const [what, headers, reason] of cases) {
        const answer = await statusOf(standby, method, path, body, headers);
        expect({ path, what, ...answer }).toEqual({ path, what, status: 403, reason });
      }
      // The lab: its secret, a loopback Host, a loopback Origin if any.
      for (const headers of [auth, { ...auth, host: `localhost:${standby.port}` }, { ...auth, host: `[::1]:${standby.port}`, origin: `http://127.0.0.1:${standby.port}` }]) {
        const answer = await statusOf(standby, method, path, body, headers);
        expect({ path, status: answer.status }).not.toEqual({ path, status: 403 });
      }
    }
    // The service itself stays open: reads, and health/status.
    expect((await standby.request('GET', '/kv/anything', undefined, 5_000, {})).status).toBe(404);
    expect((await standby.request('GET', '/readyz', undefined, 5_000, { host: 'attacker.example' })).status).toBe(200);
    expect((await standby.request('GET', '/status', undefined, 5_000, {})).status).toBe(200);
  });

  it('a node started without a secret closes them to everyone; its data endpoints still serve', async () => {
    const lonely = await servers.started({ nodeId: 'lonely', env: { FIREDRILL_NODE_SECRET: '' } });
    expect(await statusOf(lonely, 'POST', '/admin/checkpoint', '{}', auth)).toEqual({ status: 403, reason: 'no-node-secret' });
    expect(await statusOf(lonely, 'GET', '/dump', undefined, auth)).toEqual({ status: 403, reason: 'no-node-secret' });
    expect((await lonely.request('PUT', '/kv/k', 'v', 5_000, {})).status).toBe(200);
  });

  it('a primary with another secret than its standby cannot ship to it (and says why)', async () => {
    const standby = await servers.started({ nodeId: 'standby', args: ['--role', 'standby'] });
    const primary = await servers.started({ nodeId: 'primary', args: ['--replicas', standby.address, '--replication', 'sync-degradable'], env: { FIREDRILL_NODE_SECRET: 'another-lab-secret-0123456789' } });
    await primary.put('k', 'v');
    const lost = await primary.waitForEvent('replication.lost');
    expect(String(lost.reason)).toMatch(/403/);
    expect((await standby.dump()).entries).toEqual({});
  });

  it('a too short secret is refused at start (exit 2, naming the variable)', async () => {
    const weak = await servers.create({ nodeId: 'weak', env: { FIREDRILL_NODE_SECRET: 'short' } });
    const child = weak.spawn();
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(weak.stderr).toMatch(/FIREDRILL_NODE_SECRET/);
  });

  it('replicas must be loopback: refused at start, in /admin/config and in /admin/promote', async () => {
    for (const replica of ['10.0.0.1:80', 'example.com:80', '192.168.1.1:4100', '0.0.0.0:80']) {
      const bad = await servers.create({ nodeId: 'bad', args: ['--replicas', replica] });
      const child = bad.spawn();
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect({ replica, code }).toEqual({ replica, code: 2 });
      expect(bad.stderr).toMatch(/--replicas: .*not a loopback address/);
    }
    const node = await servers.started({ nodeId: 'n', args: ['--replicas', '127.0.0.1:9,localhost:10,[::1]:11'] });
    for (const path of ['/admin/config', '/admin/promote']) {
      const answer = await node.post(path, { replicas: ['evil.example:80'] });
      expect(answer.status).toBe(400);
      expect(answer.json()).toMatchObject({ error: 'bad-config', field: 'replicas' });
    }
    expect((await node.status()).replication).toMatchObject({ replicas: [{ address: '127.0.0.1:9' }, { address: 'localhost:10' }, { address: '[::1]:11' }] });
  });
});
