// The lab's partition at the proxy: `refuse` resets, `blackhole` holds silently, `null` heals.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { Client, useLab, waitUntil } from './helpers';
import { sleep } from '../../../../shared/sleep';

/** Connects and sends a byte; resolves with what the client saw within `ms`. */
async function probe(port: number, ms = 300): Promise<{ echoed: boolean; error: string | null; closed: boolean }> {
  const socket = net.connect({ port, host: '127.0.0.1' });
  const client = new Client(socket);
  socket.on('connect', () => socket.write('?'));
  await client.until(() => client.received > 0 || client.closedAt !== null, ms, 'probe').catch(() => undefined);
  const seen = { echoed: client.received > 0, error: client.error?.code ?? null, closed: client.closedAt !== null };
  socket.destroy();
  return seen;
}

describe('cut: a partition at the proxy', () => {
  const lab = useLab();

  it("refuse: open connections are reset, new ones are reset at once; cut(null) heals", async () => {
    const echo = await lab.echo();
    const proxy = await lab.proxy(echo.port);
    const open = await lab.client(proxy.port);
    await open.roundTrip('before');
    proxy.cut('refuse');
    await open.until(() => open.closedAt !== null, 1_000, 'dropped');
    expect(open.error?.code).toBe('ECONNRESET');
    const refused = await probe(proxy.port);
    expect(refused).toMatchObject({ echoed: false, closed: true, error: 'ECONNRESET' });
    await waitUntil(() => echo.open === 0, 1_000, 'node side closed');
    expect(proxy.stats().active).toBe(0);
    proxy.cut(null);
    expect(await probe(proxy.port)).toMatchObject({ echoed: true, error: null });
  });

  it('blackhole: new connections are held unanswered, open ones frozen; cut(null) delivers what waited', async () => {
    const echo = await lab.echo();
    const proxy = await lab.proxy(echo.port);
    const open = await lab.client(proxy.port);
    await open.roundTrip('before');
    proxy.cut('blackhole');
    open.socket.write('during');
    const fresh = await lab.client(proxy.port);
    fresh.socket.write('new');
    await sleep(300);
    expect(open.received).toBe('before'.length);
    expect(fresh.received).toBe(0);
    expect(open.closedAt ?? fresh.closedAt).toBeNull();
    expect(echo.open).toBe(1); // the held connection never reached the node
    proxy.cut(null);
    await open.until(() => open.received === 'beforeduring'.length, 1_000, 'frozen data');
    await fresh.until(() => fresh.received === 3, 1_000, 'held data');
    expect(open.data.toString()).toBe('beforeduring');
    expect(fresh.data.toString()).toBe('new');
  });

  it('blackhole then refuse: held and frozen connections are reset', async () => {
    const echo = await lab.echo();
    const proxy = await lab.proxy(echo.port);
    const open = await lab.client(proxy.port);
    await open.roundTrip('x');
    proxy.cut('blackhole');
    const held = await lab.client(proxy.port);
    proxy.cut('refuse');
    await open.until(() => open.closedAt !== null, 1_000, 'open reset');
    await held.until(() => held.closedAt !== null, 1_000, 'held reset');
    expect(proxy.stats().active).toBe(0);
  });
});
