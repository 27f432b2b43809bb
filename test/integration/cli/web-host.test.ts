import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ContractClient, fromWebSocket, type LabSnapshot, type WebSocketLike } from '../../../shared/contract/index.js';
import { startWebHost, type WebHost } from '../../../electron/cli/web-host.js';
import { Lab } from '../../../electron/engine/lab.js';
import { makeTempDir, removeDir } from '../../support/temp.js';

interface Reply {
  status: number;
  body: string;
}

function call(port: number, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: init.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('web host (real lab, real sockets)', () => {
  let lab: Lab;
  let web: WebHost;
  let runDir: string;
  let auth: Record<string, string>;

  // A fleet of two tiny real processes: enough to see that refused requests change nothing.
  const fleet = {
    name: 'web host test',
    restart: { policy: 'never' as const },
    nodes: ['w1', 'w2'].map((id) => ({
      id,
      kind: 'command' as const,
      command: process.execPath,
      args: ['-e', 'setInterval(() => {}, 1000)'],
      env: {},
    })),
  };

  beforeAll(async () => {
    runDir = await makeTempDir('fd-web-');
    lab = await Lab.create({ runDir, fleet });
    web = await startWebHost({ host: lab.host, port: 0 });
    auth = { authorization: `Bearer ${web.token}`, host: `127.0.0.1:${web.port}` };
  });

  afterAll(async () => {
    await web?.close();
    await lab?.dispose();
    await removeDir(runDir);
  });

  const state = async (): Promise<LabSnapshot> => JSON.parse((await call(web.port, '/api/state', { headers: auth })).body) as LabSnapshot;
  const fingerprint = (s: LabSnapshot): string => JSON.stringify(s.nodes.map((n) => [n.id, n.pid, n.status, n.restarts]));

  it('serves the lab snapshot with the token, by header or query', async () => {
    const byHeader = await state();
    expect(byHeader.nodes.map((n) => n.id)).toEqual(['w1', 'w2']);
    for (const n of byHeader.nodes) {
      expect(n).toMatchObject({ status: 'ready', restarts: 0 });
      expect(n.pid).toBeGreaterThan(0);
      expect(n.dataDir.startsWith(runDir)).toBe(true);
    }
    const byQuery = await call(web.port, `/api/state?token=${web.token}`, { headers: { host: `localhost:${web.port}` } });
    expect(byQuery.status).toBe(200);
  });

  it('refuses a missing or wrong token with 401, and changes nothing', async () => {
    const before = fingerprint(await state());
    expect((await call(web.port, '/api/state', { headers: { host: auth.host as string } })).status).toBe(401);
    const wrong = await call(web.port, '/api/commands/node.stop', {
      method: 'POST',
      headers: { host: auth.host as string, authorization: 'Bearer nope', 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'w1' }),
    });
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body)).toMatchObject({ error: { code: 'unauthorized', field: 'token' } });
    expect(fingerprint(await state())).toBe(before);
  });

  it('refuses a foreign Host or Origin with 403 (DNS rebinding, cross-site)', async () => {
    const before = fingerprint(await state());
    const rebound = await call(web.port, '/api/commands/node.stop', {
      method: 'POST',
      headers: { ...auth, host: `evil.example:${web.port}` },
      body: JSON.stringify({ id: 'w1' }),
    });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body)).toMatchObject({ error: { code: 'forbidden', field: 'host' } });
    const crossSite = await call(web.port, '/api/commands/node.stop', {
      method: 'POST',
      headers: { ...auth, origin: 'https://evil.example' },
      body: JSON.stringify({ id: 'w1' }),
    });
    expect(crossSite.status).toBe(403);
    expect((await call(web.port, '/', { headers: { host: `evil.example:${web.port}` } })).status).toBe(403);
    expect(fingerprint(await state())).toBe(before);
  });

  it('answers a malformed command with 400 naming the field, an unknown one with 404, and changes nothing', async () => {
    const before = fingerprint(await state());
    const post = (name: string, body: string) => call(web.port, `/api/commands/${name}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body });
    const badId = await post('node.stop', JSON.stringify({ id: 42 }));
    expect(badId.status).toBe(400);
    expect(JSON.parse(badId.body)).toMatchObject({ error: { code: 'invalid-params', field: 'params.id' } });
    const notJson = await post('node.stop', '{"id": ');
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body)).toMatchObject({ error: { field: 'body' } });
    const badFleet = await post('fleet.start', JSON.stringify({ fleet: { nodes: [{ id: 'x1', kind: 'command' }] } }));
    expect(badFleet.status).toBe(400);
    expect(JSON.parse(badFleet.body).error.field).toMatch(/^params\.fleet\.nodes\.0/);
    const unknown = await post('fleet.explode', '{}');
    expect(unknown.status).toBe(404);
    const missingNode = await post('node.stop', JSON.stringify({ id: 'w9' }));
    expect(missingNode.status).toBe(404);
    expect(fingerprint(await state())).toBe(before);
  });

  it('carries the contract over the WebSocket: requests and subscribed events', async () => {
    const refused = new WebSocket(`ws://127.0.0.1:${web.port}/api/events`);
    const refusedStatus = await new Promise<number>((resolve) => refused.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(refusedStatus).toBe(401);

    const socket = new WebSocket(`ws://127.0.0.1:${web.port}/api/events?token=${web.token}`);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const client = new ContractClient(fromWebSocket(socket as unknown as WebSocketLike), { timeoutMs: 10_000 });
    const kinds: string[] = [];
    client.on('timeline.event', (e) => kinds.push(`${e.kind}:${e.nodeId ?? ''}`));
    const statuses: string[] = [];
    client.on('node.changed', (n) => n.id === 'w2' && statuses.push(n.status));
    const before = (await client.request('lab.state', {})).nodes.find((n) => n.id === 'w2');
    const after = await client.request('node.restart', { id: 'w2' });
    expect(after.status).toBe('ready');
    expect(after.pid).not.toBe(before?.pid);
    await expect.poll(() => kinds).toEqual(expect.arrayContaining(['node.exited:w2', 'node.ready:w2']));
    expect(statuses).toContain('ready');
    client.close();
    socket.close();
  });
});
