import { afterEach, describe, expect, it } from 'vitest';
import { Toxiproxy, type Latency } from 'toxiproxy-node-client';
import { ToxiproxyApi, startToxiproxyServer, type ToxiproxyServer } from '../../../electron/engine/toxiproxy/index.js';
import { noLab } from '../../support/toxiproxy-no-lab.js';
import { EchoUpstream } from '../../support/echo-upstream.js';

// Proxies a Toxiproxy client makes for itself, on a lab with no nodes: real sockets on 127.0.0.1,
// an echo server behind them, driven by the npm client.

async function timed(url: string): Promise<{ ms: number; text: string }> {
  const started = performance.now();
  const text = await (await fetch(url, { headers: { connection: 'close' } })).text();
  return { ms: performance.now() - started, text };
}

describe('Toxiproxy API: proxies of the client own', () => {
  let server: ToxiproxyServer | undefined;
  let api: ToxiproxyApi | undefined;
  let echo: EchoUpstream | undefined;
  afterEach(async () => {
    await server?.close();
    await api?.close();
    await echo?.stop();
  });

  const start = async (): Promise<{ toxiproxy: Toxiproxy; url: string; echo: EchoUpstream }> => {
    api = new ToxiproxyApi(noLab);
    server = await startToxiproxyServer({ api });
    echo = await EchoUpstream.start({ id: 'echo' });
    return { toxiproxy: new Toxiproxy(server.url), url: server.url, echo };
  };

  it('create, disable (connections reset), enable, move, update a toxic (attributes, then toxicity), delete', async () => {
    const { toxiproxy, url, echo } = await start();
    const proxy = await toxiproxy.createProxy({ name: 'web', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` });
    expect(proxy.listen).toMatch(/^127\.0\.0\.1:\d+$/);
    expect((await timed(`http://${proxy.listen}/`)).text).toBe('echo');

    const off = await proxy.update({ ...proxy.toJson(), enabled: false });
    expect(off.enabled).toBe(false);
    await expect(fetch(`http://${proxy.listen}/`)).rejects.toThrow();
    const on = await off.update({ ...off.toJson(), enabled: true });
    expect((await timed(`http://${on.listen}/`)).text).toBe('echo');

    const toxic = await on.addToxic<Latency>({ name: 'slow', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 150, jitter: 0 } });
    expect((await timed(`http://${on.listen}/`)).ms).toBeGreaterThan(140);
    // Moved to another port: the toxic goes with it, the old port is closed.
    const res = await fetch(`${url}/proxies/web`, { method: 'PATCH', body: JSON.stringify({ listen: '127.0.0.1:0' }) });
    expect(res.status).toBe(200);
    const other = await (await fetch(`${url}/proxies`, { method: 'POST', body: JSON.stringify({ name: 'spare', upstream: `127.0.0.1:${echo.port}` }) })).json() as { listen: string };
    await (await toxiproxy.get('spare')).remove();
    const moved = await fetch(`${url}/proxies/web`, { method: 'POST', body: JSON.stringify({ listen: other.listen }) });
    expect(moved.status).toBe(200);
    expect(((await moved.json()) as { listen: string }).listen).toBe(other.listen);
    await expect(fetch(`http://${on.listen}/`)).rejects.toThrow();
    expect((await timed(`http://${other.listen}/`)).ms).toBeGreaterThan(140);

    const faster = await toxic.update({ ...toxic.toJson(), attributes: { latency: 10, jitter: 0 } as Latency });
    expect(faster.toJson()).toEqual({ name: 'slow', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 10, jitter: 0 } });
    expect((await timed(`http://${other.listen}/`)).ms).toBeLessThan(120);
    const never = await faster.update({ ...faster.toJson(), toxicity: 0 });
    expect(never.toxicity).toBe(0);
    expect(never.attributes).toEqual({ latency: 10, jitter: 0 });

    await (await toxiproxy.get('web')).remove();
    await expect(toxiproxy.get('web')).rejects.toThrow(/404/);
    await expect(fetch(`http://${other.listen}/`)).rejects.toThrow();
  });

  it('populate keeps an unchanged proxy (toxics and all) and replaces one whose upstream changed', async () => {
    const { toxiproxy, echo } = await start();
    const first = await toxiproxy.populate([{ name: 'db', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` }]);
    await first.db?.addToxic<Latency>({ name: 'lag', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 5, jitter: 0 } });
    const listen = first.db?.listen as string;
    const again = (await (await fetch(`${server?.url}/populate`, { method: 'POST', body: JSON.stringify([{ name: 'db', listen, upstream: `127.0.0.1:${echo.port}` }]) })).json()) as { proxies: Array<{ toxics: unknown[] }> };
    expect(again.proxies[0]?.toxics).toHaveLength(1);
    const other = await EchoUpstream.start({ id: 'other' });
    try {
      const replaced = (await (await fetch(`${server?.url}/populate`, { method: 'POST', body: JSON.stringify([{ name: 'db', listen, upstream: `127.0.0.1:${other.port}` }]) })).json()) as {
        proxies: Array<{ listen: string; toxics: unknown[] }>;
      };
      expect(replaced.proxies[0]).toMatchObject({ listen, toxics: [] });
      expect((await timed(`http://${listen}/`)).text).toBe('other');
    } finally {
      await other.stop();
    }
  });

  it('a listen port in use is a 409 naming it, and the proxy is not made', async () => {
    const { url, echo } = await start();
    const res = await fetch(`${url}/proxies`, { method: 'POST', body: JSON.stringify({ name: 'clash', listen: `127.0.0.1:${echo.port}`, upstream: `127.0.0.1:${echo.port}` }) });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: `listen 127.0.0.1:${echo.port}: that port is in use`, status: 409 });
    expect(await (await fetch(`${url}/proxies`)).json()).toEqual({});
  });
});
