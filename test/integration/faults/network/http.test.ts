// HTTP/1.1 keep-alive through the proxy with no toxic: reused connections, 1 MiB bodies intact.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultProxy } from '../../../../electron/engine/faults/network/index';

const MiB = 1 << 20;
const body = Buffer.alloc(MiB);
for (let i = 0; i < body.length; i += 1) body[i] = (i * 31 + (i >> 8)) & 0xff;
const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

describe('HTTP through the proxy', () => {
  const closers: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it('keep-alive GET and POST of 1 MiB bodies, byte for byte, over reused connections', async () => {
    const server = http.createServer((req, res) => {
      if (req.method === 'GET') {
        res.setHeader('content-length', body.length);
        res.end(body);
        return;
      }
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => {
        const received = Buffer.concat(parts);
        res.setHeader('x-sha', sha(received));
        res.end(received);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => server.close(resolve)));
    const proxy = new FaultProxy({ name: 'http', upstreamPort: (server.address() as AddressInfo).port });
    const port = await proxy.listen(0);
    closers.push(() => proxy.close());
    const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 2, pipelining: 1 });
    closers.push(() => pool.close());

    for (let round = 0; round < 6; round += 1) {
      const [get, post] = await Promise.all([
        pool.request({ path: '/big', method: 'GET' }),
        pool.request({ path: '/echo', method: 'POST', body }),
      ]);
      const got = Buffer.from(await get.body.arrayBuffer());
      const echoed = Buffer.from(await post.body.arrayBuffer());
      expect(get.statusCode).toBe(200);
      expect(sha(got)).toBe(sha(body));
      expect(post.headers['x-sha']).toBe(sha(body));
      expect(sha(echoed)).toBe(sha(body));
    }
    const stats = proxy.stats();
    expect(stats.connections).toBeLessThanOrEqual(2); // keep-alive: reused, not one per request
    expect(stats.bytesUp).toBeGreaterThan(6 * MiB);
    expect(stats.bytesDown).toBeGreaterThan(12 * MiB);
  });
});
