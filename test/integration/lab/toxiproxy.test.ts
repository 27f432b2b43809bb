import { afterEach, describe, expect, it } from 'vitest';
import { Toxiproxy, type Latency } from 'toxiproxy-node-client';
import { startLab, waitFor, type LabUnderTest } from '../../support/lab-client.js';
import { EchoUpstream } from '../../support/echo-upstream.js';

// Toxiproxy's HTTP API on a real lab (hot standby: p1 ships its log to s1 over s1's replication
// link), driven by the npm registry's own Toxiproxy client. Every address is 127.0.0.1.
describe('lab: the Toxiproxy API, with toxiproxy-node-client', () => {
  let t: LabUnderTest | undefined;
  let echo: EchoUpstream | undefined;
  afterEach(async () => {
    await t?.client.request('fault.halt', {}).catch(() => undefined);
    await t?.close();
    await echo?.stop();
    t = undefined;
    echo = undefined;
  });

  const start = async (): Promise<{ lab: LabUnderTest; toxiproxy: Toxiproxy; url: string }> => {
    t = await startLab({ topology: { kind: 'hot-standby', replication: 'sync' }, toxiproxy: {} });
    const url = t.lab.toxiproxyUrl as string;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await t.state()).toxiproxyUrl).toBe(url);
    return { lab: t, toxiproxy: new Toxiproxy(url), url };
  };

  /** Median time of `count` requests one after another through the balancer, ms. */
  const median = async (lab: LabUnderTest, method: 'GET' | 'PUT', count = 9): Promise<number> => {
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      const res = await fetch(`${lab.lab.balancerUrl}/kv/k${i}`, method === 'PUT' ? { method, body: `v${i}` } : { method });
      await res.arrayBuffer();
      expect(res.status).toBeLessThan(500);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)] as number;
  };

  it('lists the lab links as proxies; a latency toxic on p1 is a lab fault, seen at the balancer; update, remove', async () => {
    const { lab, toxiproxy } = await start();
    const all = await toxiproxy.getAll();
    expect(Object.keys(all).sort()).toEqual(['p1', 'p1-replication', 's1', 's1-replication']);
    for (const proxy of Object.values(all)) {
      expect(proxy.enabled).toBe(true);
      expect(proxy.listen).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(proxy.upstream).toMatch(/^127\.0\.0\.1:\d+$/);
    }
    const p1Port = (await lab.state()).nodes.find((n) => n.id === 'p1')?.port;
    expect(all.p1?.upstream).toBe(`127.0.0.1:${p1Port}`);

    // Health probes pass the same link: give them more time than the toxic takes, or p1 would be ejected.
    await lab.client.request('balancer.set', { health: { timeoutMs: 1_000 } });
    await median(lab, 'GET', 5); // warm up connections
    const before = await median(lab, 'GET');
    const proxy = await toxiproxy.get('p1');
    const toxic = await proxy.addToxic<Latency>({ name: 'slow-p1', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 150, jitter: 0 } });
    expect(toxic.toJson()).toEqual({ name: 'slow-p1', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 150, jitter: 0 } });

    // A first-class fault: on the registry's list (p1's balancer link only), on the timeline.
    const fault = (await lab.client.request('fault.list', {})).faults.find((f) => f.name === 'slow-p1');
    expect(fault).toMatchObject({ type: 'latency', target: 'p1', links: 'balancer', status: 'active', attributes: { latency: 150, jitter: 0 } });
    expect(lab.timeline.some((e) => e.kind === 'fault.injected' && e.detail.faultId === fault?.id)).toBe(true);
    expect((await toxiproxy.get('p1-replication')).toJson()).toMatchObject({ enabled: true });
    expect((await (await fetch(`${lab.lab.toxiproxyUrl}/proxies/p1-replication/toxics`)).json()) as unknown[]).toEqual([]);

    const slowed = await median(lab, 'GET');
    // 150 ms injected; a request may pass the proxy's downstream link in more than one chunk, and the machine is busy.
    expect(slowed - before).toBeGreaterThan(135);
    expect(slowed - before).toBeLessThan(150 + 120);

    const updated = await toxic.update({ ...toxic.toJson(), attributes: { latency: 300, jitter: 0 } });
    expect(updated.attributes).toEqual({ latency: 300, jitter: 0 });
    const got = await proxy.getToxic<Latency>('slow-p1');
    expect(got.attributes).toEqual({ latency: 300, jitter: 0 });
    const slower = await median(lab, 'GET', 5);
    expect(slower - before).toBeGreaterThan(285);
    expect(slower - before).toBeLessThan(300 + 120);

    await got.remove();
    expect((await toxiproxy.get('p1')).toJson()).toMatchObject({ enabled: true });
    expect((await (await fetch(`${lab.lab.toxiproxyUrl}/proxies/p1/toxics`)).json()) as unknown[]).toEqual([]);
    expect((await lab.client.request('fault.list', {})).faults.filter((f) => f.status === 'active')).toEqual([]);
    const after = await median(lab, 'GET');
    expect(after).toBeLessThan(before + 60);
  });

  it('a toxic on a replication link slows p1 → s1 shipping (sync writes), not the balancer link', async () => {
    const { lab, toxiproxy } = await start();
    await median(lab, 'PUT', 5);
    const putsBefore = await median(lab, 'PUT');
    const getsBefore = await median(lab, 'GET');
    // p1's own replication link: nothing ships to a primary, and the balancer's link to p1 is another proxy.
    await (await toxiproxy.get('p1-replication')).addToxic<Latency>({ name: 'idle', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 120, jitter: 0 } });
    await (await toxiproxy.get('s1-replication')).addToxic<Latency>({ name: 'wan', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 120, jitter: 0 } });
    const fault = (await lab.client.request('fault.list', {})).faults.find((f) => f.name === 'wan');
    expect(fault).toMatchObject({ target: 's1', links: 'replication', status: 'active' });
    const putsAfter = await median(lab, 'PUT');
    const getsAfter = await median(lab, 'GET');
    expect(putsAfter - putsBefore).toBeGreaterThan(105);
    expect(getsAfter - getsBefore).toBeLessThan(60);
  });

  it('a fault injected through the contract (the UI) shows in GET /proxies; HALT takes back a toxic the API added', async () => {
    const { lab, toxiproxy } = await start();
    const ui = await lab.client.request('fault.inject', { type: 'bandwidth', target: 's1', attributes: { rate: 500 } });
    const all = await toxiproxy.getAll();
    const expected = { name: ui.id, type: 'bandwidth', stream: 'downstream', toxicity: 1, attributes: { rate: 500 } };
    const raw = (await (await fetch(`${lab.lab.toxiproxyUrl}/proxies`)).json()) as Record<string, { toxics: unknown[] }>;
    expect(raw.s1?.toxics).toEqual([expected]);
    expect(raw['s1-replication']?.toxics).toEqual([expected]); // both links, as a UI fault does by default
    expect(all.p1?.toJson()).toMatchObject({ enabled: true });

    await (await toxiproxy.get('p1')).addToxic<Latency>({ name: 'lag', type: 'latency', stream: 'upstream', toxicity: 0.5, attributes: { latency: 10, jitter: 1 } });
    const halted = await lab.client.request('fault.halt', {});
    expect(halted.reverted).toBe(2);
    const faults = (await lab.client.request('fault.list', {})).faults;
    expect(faults.find((f) => f.name === 'lag')).toMatchObject({ status: 'reverted' });
    expect(lab.timeline.some((e) => e.kind === 'fault.reverted' && e.detail.how === 'halt')).toBe(true);
    expect(((await (await fetch(`${lab.lab.toxiproxyUrl}/proxies/p1`)).json()) as { toxics: unknown[] }).toxics).toEqual([]);
  });

  it('enabled: false partitions the link (a lab fault); reset re-enables it and removes every toxic', async () => {
    const { lab, toxiproxy } = await start();
    await lab.client.request('balancer.set', { health: { timeoutMs: 100 } });
    const p1 = await toxiproxy.get('p1');
    const disabled = await p1.update({ ...p1.toJson(), enabled: false });
    expect(disabled.enabled).toBe(false);
    const cut = (await lab.client.request('fault.list', {})).faults.find((f) => f.type === 'partition' && f.status === 'active');
    expect(cut).toMatchObject({ target: 'p1', links: 'balancer', attributes: { links: 'balancer' } });
    expect((await toxiproxy.get('p1-replication')).enabled).toBe(true);
    await waitFor('p1 ejected by the balancer', () => lab.timeline.find((e) => e.kind === 'balancer.ejected' && e.nodeId === 'p1'));

    await (await toxiproxy.get('s1')).addToxic<Latency>({ name: 'latency_downstream', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 5, jitter: 0 } });
    await toxiproxy.reset();
    const all = await toxiproxy.getAll();
    for (const proxy of Object.values(all)) expect(proxy.enabled).toBe(true);
    const raw = (await (await fetch(`${lab.lab.toxiproxyUrl}/proxies`)).json()) as Record<string, { toxics: unknown[] }>;
    for (const proxy of Object.values(raw)) expect(proxy.toxics).toEqual([]);
    expect((await lab.client.request('fault.list', {})).faults.filter((f) => f.status === 'active')).toEqual([]);
    expect(lab.timeline.filter((e) => e.kind === 'fault.reverted').length).toBe(2);
  });

  it('populate makes proxies of the client own, to a 127.0.0.1 upstream; their toxics work; reset and HALT clear them', async () => {
    const { lab, toxiproxy } = await start();
    echo = await EchoUpstream.start({ id: 'echo' });
    const made = await toxiproxy.populate([{ name: 'echo', listen: '127.0.0.1:0', upstream: `localhost:${echo.port}` }]);
    const proxy = made.echo;
    expect(proxy?.toJson()).toMatchObject({ name: 'echo', upstream: `localhost:${echo.port}`, enabled: true });
    const listen = proxy?.listen as string;
    expect(listen).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`http://${listen}/`)).text()).toBe('echo');
    // The same again changes nothing (Toxiproxy's populate is safe to repeat).
    expect((await toxiproxy.populate([{ name: 'echo', listen, upstream: `localhost:${echo.port}` }])).echo?.listen).toBe(listen);

    await proxy?.addToxic<Latency>({ name: 'slow', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 200, jitter: 0 } });
    let started = performance.now();
    await (await fetch(`http://${listen}/`, { headers: { connection: 'close' } })).text();
    expect(performance.now() - started).toBeGreaterThan(190);
    // Not a lab node: no lab fault for it.
    expect((await lab.client.request('fault.list', {})).faults).toEqual([]);

    await lab.client.request('fault.halt', {});
    expect(((await (await fetch(`${lab.lab.toxiproxyUrl}/proxies/echo`)).json()) as { toxics: unknown[] }).toxics).toEqual([]);
    started = performance.now();
    await (await fetch(`http://${listen}/`, { headers: { connection: 'close' } })).text();
    expect(performance.now() - started).toBeLessThan(150);

    await (await toxiproxy.get('echo')).remove();
    expect(Object.keys(await toxiproxy.getAll())).not.toContain('echo');
  });

  it('refuses bad input in Toxiproxy shape, naming the field, and leaves the lab as it was', async () => {
    const { lab, url } = await start();
    const before = JSON.stringify({ proxies: await (await fetch(`${url}/proxies`)).json(), faults: (await lab.client.request('fault.list', {})).faults.filter((f) => f.status === 'active') });
    const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> => {
      const res = await fetch(`${url}${path}`, { method, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
    };

    expect(await call('GET', '/proxies/nope')).toEqual({ status: 404, body: { error: 'proxy not found', status: 404 } });
    expect(await call('POST', '/proxies/nope/toxics', { type: 'latency' })).toEqual({ status: 404, body: { error: 'proxy not found', status: 404 } });
    expect(await call('GET', '/proxies/p1/toxics/nope')).toEqual({ status: 404, body: { error: 'toxic not found', status: 404 } });
    expect(await call('DELETE', '/proxies/p1/toxics/nope')).toEqual({ status: 404, body: { error: 'toxic not found', status: 404 } });

    const offMachine = await call('POST', '/proxies', { name: 'db', listen: '127.0.0.1:0', upstream: '10.0.0.5:5432' });
    expect(offMachine.status).toBe(400);
    expect(offMachine.body).toMatchObject({ status: 400, error: expect.stringContaining('only 127.0.0.1 upstreams') });
    const publicListen = await call('POST', '/proxies', { name: 'db', listen: '0.0.0.0:0', upstream: '127.0.0.1:5432' });
    expect(publicListen.body).toMatchObject({ status: 400, error: expect.stringContaining('listens on 127.0.0.1 only') });
    expect(await call('POST', '/proxies', { name: 'db' })).toEqual({ status: 400, body: { error: 'missing required field: upstream', status: 400 } });
    expect(await call('POST', '/proxies', { name: 'p1', upstream: '127.0.0.1:5432' })).toEqual({ status: 409, body: { error: 'proxy already exists', status: 409 } });
    expect((await call('DELETE', '/proxies/p1')).status).toBe(409);
    expect((await call('POST', '/proxies/p1', { upstream: '127.0.0.1:1' })).status).toBe(409);

    const badLatency = await call('POST', '/proxies/p1/toxics', { type: 'latency', attributes: { latency: -5 } });
    expect(badLatency.status).toBe(400);
    expect(badLatency.body).toMatchObject({ status: 400, error: expect.stringMatching(/^bad request body: attributes\.latency: /) });
    const unknownAttribute = await call('POST', '/proxies/p1/toxics', { type: 'latency', attributes: { latancy: 5 } });
    expect(unknownAttribute.body).toMatchObject({ status: 400, error: expect.stringContaining('latancy') });
    expect((await call('POST', '/proxies/p1/toxics', { type: 'meteor' })).body).toMatchObject({ status: 400, error: expect.stringMatching(/^invalid toxic type/) });
    expect(await call('POST', '/proxies/p1/toxics', { type: 'latency', stream: 'sideways' })).toEqual({
      status: 400,
      body: { error: 'stream was invalid, can be either upstream or downstream', status: 400 },
    });
    expect((await call('POST', '/proxies/p1/toxics', { type: 'latency', toxicity: 2 })).body).toMatchObject({ status: 400, error: expect.stringContaining('toxicity') });
    expect((await call('POST', '/proxies/p1/toxics', '{not json')).body).toMatchObject({ status: 400, error: expect.stringMatching(/^bad request body: not JSON/) });
    expect((await call('POST', '/populate', { name: 'x' })).status).toBe(400);
    expect((await call('POST', '/populate', [{ name: 'p1', upstream: '127.0.0.1:1' }])).status).toBe(409);
    expect((await call('POST', '/populate', [{ name: 'ok', upstream: '127.0.0.1:1' }, { name: 'bad', upstream: 'example.com:80' }])).body).toMatchObject({ status: 400 });
    const huge = await call('POST', '/proxies', { name: 'x', upstream: '127.0.0.1:1', pad: 'x'.repeat(100_000) });
    expect(huge).toMatchObject({ status: 413, body: { status: 413 } });
    expect((await call('PUT', '/proxies')).status).toBe(405);
    expect((await call('GET', '/nothing')).status).toBe(404);

    // A toxic name used twice on one proxy: 409, the first one stays.
    expect((await call('POST', '/proxies/p1/toxics', { type: 'latency', attributes: { latency: 1 } })).status).toBe(200);
    expect(await call('POST', '/proxies/p1/toxics', { type: 'latency', attributes: { latency: 2 } })).toEqual({ status: 409, body: { error: 'toxic already exists', status: 409 } });
    const badUpdate = await call('POST', '/proxies/p1/toxics/latency_downstream', { attributes: { jitter: 'lots' } });
    expect(badUpdate.body).toMatchObject({ status: 400, error: expect.stringContaining('attributes.jitter') });
    expect((await call('GET', '/proxies/p1/toxics/latency_downstream')).body).toMatchObject({ attributes: { latency: 1, jitter: 0 } });
    expect((await call('DELETE', '/proxies/p1/toxics/latency_downstream')).status).toBe(204);

    const after = JSON.stringify({ proxies: await (await fetch(`${url}/proxies`)).json(), faults: (await lab.client.request('fault.list', {})).faults.filter((f) => f.status === 'active') });
    expect(after).toBe(before);
    expect((await fetch(`${lab.lab.balancerUrl}/readyz`)).status).toBeLessThan(500);
  });
});
