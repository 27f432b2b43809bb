// Connections from start to end: half-closes, a node that is down or moved, backpressure, and
// nothing left behind after close().
import { describe, expect, it } from 'vitest';
import { FaultProxy } from '../../../../electron/engine/faults/network/index';
import { Client, EchoServer, useLab, waitUntil } from './helpers';
import { sleep } from '../../../../shared/sleep';

function resources(): { sockets: number; timers: number } {
  const info = process.getActiveResourcesInfo();
  return { sockets: info.filter((r) => r === 'TCPSocketWrap').length, timers: info.filter((r) => r === 'Timeout').length };
}

describe('fault proxy lifecycle', () => {
  const lab = useLab();

  it('passes half-closes both ways: the node can still answer after the client FIN', async () => {
    const echo = await lab.echo({ afterEnd: ' and goodbye' });
    const proxy = await lab.proxy(echo.port);
    const client = await lab.client(proxy.port);
    client.socket.end('hello');
    await client.until(() => client.endedAt !== null, 2_000, 'FIN from the node');
    expect(client.data.toString()).toBe('hello and goodbye');
    await waitUntil(() => proxy.stats().active === 0 || client.closedAt !== null, 1_000);
  });

  it('a node that is down: the client is reset; setUpstreamPort sends new connections to the new port', async () => {
    const gone = await new EchoServer().start();
    const port = gone.port;
    await gone.close();
    const proxy = await lab.proxy(port);
    const client = await lab.client(proxy.port);
    await client.until(() => client.closedAt !== null, 2_000, 'reset');
    expect(client.error?.code).toBe('ECONNRESET');
    const echo = await lab.echo();
    proxy.setUpstreamPort(echo.port);
    const again = await lab.client(proxy.port);
    expect(await again.roundTrip('back')).toBeLessThan(100);
  });

  it('backpressure: a node that does not read stalls the client instead of filling the proxy', async () => {
    const echo = await lab.echo({ paused: true });
    const proxy = await lab.proxy(echo.port);
    proxy.addToxic({ name: 'lag', type: 'latency', stream: 'upstream', toxicity: 1, attributes: { latency: 5, jitter: 0 } });
    const client = await lab.client(proxy.port);
    const payload = Buffer.alloc(32 << 20, 1); // 32 MiB
    let flushed = false;
    client.socket.write(payload, () => (flushed = true));
    await sleep(400);
    expect(flushed).toBe(false);
    // Held by the proxy at most ~1 MiB (its high-water mark) + socket buffers on both sides.
    expect(proxy.stats().bytesUp).toBeLessThan(16 << 20);
    echo.resumeAll();
    await waitUntil(() => flushed && client.received === payload.length, 10_000, 'all 32 MiB echoed');
    expect(proxy.stats().bytesUp).toBe(payload.length);
  }, 20_000);

  it('close() with toxics holding data: every socket and timer is gone, the echo server sees 0 connections', async () => {
    const echo = await lab.echo();
    await sleep(50); // let sockets of earlier tests finish closing
    const before = resources();
    const proxy = new FaultProxy({ name: 'leak', upstreamPort: echo.port });
    await proxy.listen(0);
    proxy.addToxic({ name: 'lag', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 2_000, jitter: 0 } });
    proxy.addToxic({ name: 'hang', type: 'timeout', stream: 'upstream', toxicity: 0.5, attributes: { timeout: 5_000 } });
    proxy.addToxic({ name: 'fin', type: 'slow_close', stream: 'downstream', toxicity: 1, attributes: { delay: 5_000 } });
    proxy.addToxic({ name: 'rst', type: 'reset_peer', stream: 'upstream', toxicity: 0.3, attributes: { timeout: 5_000 } });
    const clients = await Promise.all(Array.from({ length: 20 }, () => Client.connect(proxy.port)));
    for (const client of clients) client.socket.write('in flight');
    await waitUntil(() => echo.open >= 10, 2_000, 'connections at the node');
    proxy.cut('blackhole');
    const held = await Client.connect(proxy.port);
    await proxy.close();
    await waitUntil(() => echo.open === 0, 2_000, 'echo server sees 0 connections');
    await waitUntil(() => clients.every((c) => c.closedAt !== null || c.endedAt !== null) && (held.closedAt !== null || held.endedAt !== null), 2_000, 'clients closed');
    for (const client of [...clients, held]) client.destroy();
    await sleep(20);
    const after = resources();
    expect(after.sockets).toBeLessThanOrEqual(before.sockets);
    expect(after.timers).toBeLessThanOrEqual(before.timers);
    expect(proxy.stats().active).toBe(0);
    await proxy.close(); // idempotent
  });

  it('rejects bad toxics with the field named, and duplicate names', async () => {
    const echo = await lab.echo();
    const proxy = await lab.proxy(echo.port);
    expect(() => proxy.addToxic({ name: 'x', type: 'latency', stream: 'downstream', toxicity: 1.5, attributes: {} })).toThrow(/toxicity/);
    expect(() => proxy.addToxic({ name: 'x', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: -1 } })).toThrow(/attributes\.latency/);
    expect(() => proxy.addToxic({ name: 'x', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { delay: 1 } })).toThrow(/attributes/);
    proxy.addToxic({ name: 'x', type: 'latency', stream: 'downstream', toxicity: 1, attributes: {} });
    expect(proxy.toxics()[0]?.attributes).toEqual({ latency: 0, jitter: 0 });
    expect(() => proxy.addToxic({ name: 'x', type: 'bandwidth', stream: 'upstream', toxicity: 1, attributes: {} })).toThrow(/already exists/);
    expect(() => proxy.updateToxic('nope', {})).toThrow(/no toxic/);
    expect(proxy.removeToxic('nope')).toBe(false);
  });
});
