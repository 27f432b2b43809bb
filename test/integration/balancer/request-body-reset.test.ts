// A node that resets connections while a request body streams to it: the client gets a 502 and the
// balancer keeps serving (a crash here took the whole engine down, with no token needed).
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { request, useLab } from './helpers';
import { sleep } from '../../../shared/sleep';

const lab = useLab();
const quiet = { health: { enabled: false }, passive: { enabled: false } } as const;

/** A PUT whose body is sent in chunks (no Content-Length), over its own connection. */
function chunkedPut(url: string, path: string, chunks: number, chunkBytes: number): Promise<{ status: number; error?: string }> {
  const target = new URL(path, url);
  return new Promise((resolve) => {
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'PUT', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
      res.on('error', (error) => resolve({ status: res.statusCode ?? 0, error: error.message }));
    });
    req.on('error', (error) => resolve({ status: 0, error: error.message }));
    const chunk = Buffer.alloc(chunkBytes, 120);
    let sent = 0;
    const pump = (): void => {
      while (sent < chunks) {
        sent++;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

describe('request bodies to a node that resets connections', () => {
  it.each([
    { name: 'a PUT of 1 MiB + 1 byte (too big to replay)', retry: {}, send: (url: string, timeoutMs: number) => request(url, { method: 'PUT', path: '/kv/k', body: Buffer.alloc((1 << 20) + 1, 97), timeoutMs }) },
    { name: 'a chunked PUT', retry: {}, send: (url: string) => chunkedPut(url, '/kv/k', 64, 16 * 1024) },
    { name: 'a small PUT with retries off', retry: { enabled: false }, send: (url: string, timeoutMs: number) => request(url, { method: 'PUT', path: '/kv/k', body: 'v', timeoutMs }) },
  ])('$name gets a 502, and the balancer keeps serving', async ({ retry, send }) => {
    const reset = await lab.echo({ id: 'reset', dropConnections: true });
    const { balancer, outcomes } = await lab.balancer({ ...quiet, retry });
    balancer.setUpstreams([{ id: reset.id, port: reset.port }]);
    const errors: unknown[] = [];
    const onError = (error: unknown): void => void errors.push(error);
    process.on('uncaughtException', onError);
    try {
      for (let i = 0; i < 5; i++) {
        const answer = await send(balancer.url, 3_000).catch((error: Error) => ({ status: 0, error: error.message }));
        // The node cut the request: the balancer's own 502, at once (a kept-alive connection left
        // with half a body unread used to hang the next request on it).
        expect(answer).toMatchObject({ status: 502 });
      }
      await sleep(50);
    } finally {
      process.off('uncaughtException', onError);
    }
    expect(errors).toEqual([]);
    expect(outcomes).toHaveLength(5);
    expect(outcomes.every((o) => !o.ok && o.nodeId === 'reset')).toBe(true);
    // Still serving: a healthy node behind the same balancer answers.
    const good = await lab.echo({ id: 'good' });
    balancer.setUpstreams([{ id: good.id, port: good.port }]);
    const after = await request(balancer.url, { path: '/echo' });
    expect(after.status).toBe(200);
    expect(after.headers['x-firedrill-node']).toBe('good');
  });
});
