// The engine's HTTP client against a real server on 127.0.0.1.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { httpRequest } from '../../electron/engine/http-request';
import { sleep } from '../../shared/sleep';

let server: http.Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  socket: Socket;
}

async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<{ port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString(), socket: req.socket });
      handler(req, res);
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, seen };
}

describe('httpRequest', () => {
  it('sends JSON with its content type and the given headers, and reads the answer whole', async () => {
    const { port, seen } = await serve((_req, res) => res.writeHead(409, { 'x-node': 'n1' }).end('{"error":"behind"}'));
    const answer = await httpRequest(port, { method: 'POST', path: '/admin/promote', json: { restore: true }, headers: { authorization: 'Bearer s3cret' }, timeoutMs: 2_000 });
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/admin/promote', body: '{"restore":true}' });
    expect(seen[0]?.headers).toMatchObject({ 'content-type': 'application/json', authorization: 'Bearer s3cret' });
    expect(answer.status).toBe(409);
    expect(answer.headers['x-node']).toBe('n1');
    expect(answer.json()).toEqual({ error: 'behind' });
    expect(answer.object()).toEqual({ error: 'behind' });
  });

  it('gives {} for an answer that is not a JSON object, and json() throws on it', async () => {
    const { port } = await serve((_req, res) => res.end('not json'));
    const answer = await httpRequest(port, { path: '/readyz', timeoutMs: 2_000 });
    expect(answer.text).toBe('not json');
    expect(answer.object()).toEqual({});
    expect(() => answer.json()).toThrow();
  });

  it('opens a fresh connection for every call unless given a dispatcher', async () => {
    const { port, seen } = await serve((_req, res) => res.end('{}'));
    await httpRequest(port, { path: '/a', timeoutMs: 2_000 });
    await httpRequest(port, { path: '/b', timeoutMs: 2_000 });
    expect(seen[0]?.headers.connection).toBe('close');
    expect(seen[0]?.socket).not.toBe(seen[1]?.socket);
    const keepAlive = new Agent();
    try {
      await httpRequest(port, { path: '/c', timeoutMs: 2_000, dispatcher: keepAlive });
      // undici hands the connection back to its pool a moment after the body is read.
      await sleep(20);
      await httpRequest(port, { path: '/d', timeoutMs: 2_000, dispatcher: keepAlive });
      expect(seen[2]?.socket).toBe(seen[3]?.socket);
    } finally {
      await keepAlive.close();
    }
  });

  it('times out over the whole exchange, headers or body, naming the call', async () => {
    const { port } = await serve((req, res) => {
      // /headers never answers; /body sends its headers and half a body, then stalls.
      if (req.url === '/body') res.writeHead(200).write('{"a":');
    });
    for (const path of ['/headers', '/body']) {
      const started = performance.now();
      await expect(httpRequest(port, { path, timeoutMs: 300 })).rejects.toThrow(`GET ${path} timed out after 300 ms`);
      const took = performance.now() - started;
      expect(took).toBeGreaterThanOrEqual(295);
      expect(took).toBeLessThan(2_000);
    }
    await expect(httpRequest(port, { method: 'POST', path: '/headers', json: {}, timeoutMs: 100, what: '/admin/config' })).rejects.toThrow('/admin/config timed out after 100 ms');
  });

  it('rejects with the connection error when nothing listens', async () => {
    const { port } = await serve((_req, res) => res.end());
    server?.close();
    await expect(httpRequest(port, { path: '/readyz', timeoutMs: 2_000 })).rejects.toThrow(`connect ECONNREFUSED 127.0.0.1:${port}`);
  });
});
