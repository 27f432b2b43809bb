// What the proxy does to headers and bodies on the way through.
import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { request, useLab } from './helpers';

const lab = useLab();

/** A raw HTTP/1.1 request over TCP, so hop-by-hop headers go out exactly as written (Connection: close ends it). */
function rawGet(url: string, path: string, headers: Array<[string, string]>): Promise<{ status: number; rawHeaders: string[]; body: string }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    let text = '';
    socket.setEncoding('latin1').on('data', (c: string) => (text += c));
    socket.on('error', reject);
    socket.on('end', () => {
      const [head = '', body = ''] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const rawHeaders = lines.flatMap((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]);
      resolve({ status: Number(statusLine.split(' ')[1]), rawHeaders, body });
    });
    socket.write(`GET ${path} HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
  });
}

const names = (raw: readonly string[]): string[] => raw.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());

describe('headers and bodies', () => {
  it('strips hop-by-hop headers both ways, sets X-Forwarded-*, adds x-firedrill-node / -tries', async () => {
    const up = await lab.echo({ id: 'a', headers: { 'keep-alive': 'timeout=9', 'x-gone': 'y', connection: 'x-gone', 'proxy-authenticate': 'Basic', 'x-kept': 'k' } });
    const { balancer } = await lab.balancer({ health: { enabled: false } });
    balancer.setUpstreams([{ id: 'a', port: up.port }]);
    const answer = await rawGet(balancer.url, '/echo', [
      ['Host', 'shop.example'],
      ['Connection', 'close, X-Hop'],
      ['X-Hop', 'dropped'],
      ['Keep-Alive', 'timeout=5'],
      ['TE', 'trailers'],
      ['Trailer', 'x-t'],
      ['Upgrade', 'websocket'],
      ['Proxy-Authorization', 'Basic abc'],
      ['X-Forwarded-For', '203.0.113.9'],
      ['X-End-To-End', 'kept'],
    ]);
    expect(answer.status).toBe(200);
    const seen = JSON.parse(answer.body) as { rawHeaders: string[]; headers: Record<string, string> };
    const sent = names(seen.rawHeaders);
    for (const hop of ['x-hop', 'keep-alive', 'te', 'trailer', 'upgrade', 'proxy-authorization']) expect(sent).not.toContain(hop);
    expect(seen.headers).toMatchObject({
      'x-end-to-end': 'kept',
      'x-forwarded-for': '203.0.113.9, 127.0.0.1',
      'x-forwarded-host': 'shop.example',
      'x-forwarded-proto': 'http',
      host: `127.0.0.1:${up.port}`,
    });
    const received = names(answer.rawHeaders);
    for (const hop of ['x-gone', 'proxy-authenticate']) expect(received).not.toContain(hop);
    expect(received).toContain('x-kept');
    const value = (name: string): string | undefined => {
      const i = answer.rawHeaders.findIndex((h, j) => j % 2 === 0 && h.toLowerCase() === name);
      return i < 0 ? undefined : answer.rawHeaders[i + 1];
    };
    expect(value('x-firedrill-node')).toBe('a');
    expect(value('x-firedrill-tries')).toBe('1');
    expect(value('keep-alive')).toBeUndefined(); // the upstream's; this connection closes
    expect(value('connection')).toBe('close');
  });

  it('streams a 1 MiB response through intact, and request bodies both buffered (1 MiB PUT) and streamed (3 MiB POST)', async () => {
    const up = await lab.echo({ id: 'a' });
    const { balancer } = await lab.balancer({ health: { enabled: false } });
    balancer.setUpstreams([{ id: 'a', port: up.port }]);
    const big = await request(balancer.url, { path: `/bytes/${1024 * 1024}` });
    expect(big.status).toBe(200);
    expect(big.body.length).toBe(1024 * 1024);
    let wrong = 0;
    for (let i = 0; i < big.body.length; i++) if (big.body[i] !== i % 251) wrong++;
    expect(wrong).toBe(0);
    expect(big.headers['x-firedrill-node']).toBe('a');

    const put = await request(balancer.url, { method: 'PUT', path: '/echo', body: Buffer.alloc(1024 * 1024, 7) });
    expect(JSON.parse(put.body.toString())).toMatchObject({ method: 'PUT', bodyBytes: 1024 * 1024 });
    const post = await request(balancer.url, { method: 'POST', path: '/echo', body: Buffer.alloc(3 * 1024 * 1024, 7) });
    expect(JSON.parse(post.body.toString())).toMatchObject({ method: 'POST', bodyBytes: 3 * 1024 * 1024 });
  });

  it('empty bodies, HEAD and 204 pass through and keep the connection usable', async () => {
    const up = await lab.echo({ id: 'a' });
    const { balancer, outcomes } = await lab.balancer({ health: { enabled: false } });
    balancer.setUpstreams([{ id: 'a', port: up.port }]);
    const empty = await request(balancer.url, { path: '/empty' });
    expect(empty.status).toBe(200);
    expect(empty.headers['content-length']).toBe('0');
    expect(empty.body.length).toBe(0);
    const head = await request(balancer.url, { method: 'HEAD', path: '/echo' });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    up.status = 204;
    const none = await request(balancer.url, { path: '/empty' });
    expect(none.status).toBe(204);
    up.status = 200;
    expect((await request(balancer.url, { path: '/bytes/0' })).body.length).toBe(0);
    expect((await request(balancer.url, { path: '/' })).body.toString()).toBe('a');
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, true, true]);
  });

  it('a client that goes away mid-request aborts the upstream try (outcome client-aborted)', async () => {
    const up = await lab.echo({ id: 'a', delayMs: 300 });
    const { balancer, outcomes } = await lab.balancer({ health: { enabled: false } });
    balancer.setUpstreams([{ id: 'a', port: up.port }]);
    const { port } = new URL(balancer.url);
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false });
    req.on('error', () => undefined);
    await expect.poll(() => balancer.snapshot().upstreams[0]!.inflight).toBe(1); // the try is under way
    req.destroy();
    await expect.poll(() => outcomes.length).toBe(1);
    expect(outcomes).toEqual([expect.objectContaining({ ok: false, status: 0, error: 'client-aborted', nodeId: 'a', tries: 1 })]);
    expect(balancer.snapshot().upstreams[0]!.inflight).toBe(0);
    expect(balancer.snapshot().upstreams[0]!.consecutiveFailures).toBe(0);
  });

  it('a slow reader gets the whole body (backpressure, no buffering of the response)', async () => {
    const up = await lab.echo({ id: 'a' });
    const { balancer } = await lab.balancer({ health: { enabled: false } });
    balancer.setUpstreams([{ id: 'a', port: up.port }]);
    const size = 8 * 1024 * 1024;
    const { port } = new URL(balancer.url);
    const received = await new Promise<number>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: `/bytes/${size}`, agent: false }, (res) => {
          let n = 0;
          res.on('data', (c: Buffer) => {
            n += c.length;
            res.pause();
            setTimeout(() => res.resume(), 1);
          });
          res.on('end', () => resolve(n));
        })
        .on('error', reject);
    });
    expect(received).toBe(size);
  });
});
