import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Toxiproxy } from 'toxiproxy-node-client';
import { ToxiproxyApi, startToxiproxyServer, type ToxiproxyServer } from '../../../electron/engine/toxiproxy/index.js';
import { noLab } from '../../support/toxiproxy-no-lab.js';

// The API's guards, on a lab with no nodes: loopback only, foreign Host / Origin / browsers refused,
// the optional bearer token, capped bodies. Real sockets on 127.0.0.1.

function raw(port: number, path: string, headers: Record<string, string>, method = 'GET', body?: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as unknown) : null });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('Toxiproxy API server: guards', () => {
  let server: ToxiproxyServer | undefined;
  let api: ToxiproxyApi | undefined;
  afterEach(async () => {
    await server?.close();
    await api?.close();
  });

  const start = async (token?: string): Promise<ToxiproxyServer> => {
    api = new ToxiproxyApi(noLab);
    server = await startToxiproxyServer({ api, labVersion: '9.9.9', ...(token !== undefined ? { token } : {}) });
    return server;
  };

  it('answers /version on 127.0.0.1 with the Toxiproxy API version it follows', async () => {
    const { port, url } = await start();
    expect(url).toBe(`http://127.0.0.1:${port}`);
    expect(JSON.parse(await new Toxiproxy(url).getVersion())).toEqual({ version: '2.12.0', firedrill: '9.9.9' });
    expect(await raw(port, '/version', { host: `localhost:${port}` })).toMatchObject({ status: 200 });
  });

  it('refuses a foreign Host (DNS rebinding), a foreign Origin and a browser, in Toxiproxy shape', async () => {
    const { port } = await start();
    expect(await raw(port, '/proxies', { host: 'evil.example' })).toEqual({ status: 403, body: { status: 403, error: 'Host "evil.example" is not this lab\'s Toxiproxy API' } });
    const origin = await raw(port, '/reset', { host: `127.0.0.1:${port}`, origin: 'http://evil.example' }, 'POST');
    expect(origin).toMatchObject({ status: 403, body: { status: 403, error: expect.stringContaining('Origin') } });
    const browser = await raw(port, '/proxies', { host: `127.0.0.1:${port}`, 'user-agent': 'Mozilla/5.0' });
    expect(browser).toEqual({ status: 403, body: { status: 403, error: 'User agent not allowed' } });
  });

  it('with a token, every request needs it as a bearer token', async () => {
    const { port, url } = await start('s3cret-token');
    expect(await raw(port, '/proxies', { host: `127.0.0.1:${port}` })).toMatchObject({ status: 401, body: { status: 401, error: expect.stringContaining('Bearer') } });
    expect(await raw(port, '/proxies', { host: `127.0.0.1:${port}`, authorization: 'Bearer wrong-token!' })).toMatchObject({ status: 401 });
    expect(await raw(port, '/proxies', { host: `127.0.0.1:${port}`, authorization: 'Bearer s3cret-token' })).toEqual({ status: 200, body: {} });
    await expect(new Toxiproxy(url).getAll()).rejects.toThrow(/401/);
  });

  it('caps bodies (413) and answers every path and method, never with a crash', async () => {
    const { port } = await start();
    const host = { host: `127.0.0.1:${port}` };
    expect(await raw(port, '/proxies', host, 'POST', JSON.stringify({ name: 'x', pad: 'x'.repeat(70_000) }))).toMatchObject({ status: 413, body: { status: 413 } });
    expect(await raw(port, '/proxies/%E0%A4%A', host)).toMatchObject({ status: 400 });
    expect(await raw(port, '/proxies/a/b/c/d', host)).toMatchObject({ status: 404 });
    expect(await raw(port, '/proxies/x', host, 'PUT')).toMatchObject({ status: 405 });
    expect(await raw(port, '/proxies', host, 'POST', '[1,2]')).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^bad request body/) } });
    expect(await raw(port, '/populate', host, 'POST', '{}')).toMatchObject({ status: 400 });
    expect(await raw(port, '/reset', host, 'POST')).toEqual({ status: 204, body: null });
    expect(await raw(port, '/proxies', host)).toEqual({ status: 200, body: {} });
  });
});
