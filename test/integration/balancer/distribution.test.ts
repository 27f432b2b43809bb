// Each strategy's distribution over real sockets (in-process echo upstreams), and a live switch.
import { describe, expect, it } from 'vitest';
import { closedLoop, countBy, openLoop, useLab } from './helpers';

const lab = useLab();

async function three(delays: number[] = [0, 0, 0]) {
  return Promise.all(['a', 'b', 'c'].map((id, i) => lab.echo({ id, delayMs: delays[i] ?? 0 })));
}

describe('strategies over real sockets', () => {
  it('round-robin: 1,200 requests, every node within ±1 of 400', async () => {
    const ups = await three();
    const { balancer } = await lab.balancer({ strategy: 'round-robin' });
    balancer.setUpstreams(ups.map((u) => ({ id: u.id, port: u.port })));
    const counts = countBy(await closedLoop(balancer.url, 1_200, 8));
    for (const id of ['a', 'b', 'c']) expect(Math.abs((counts[id] ?? 0) - 400)).toBeLessThanOrEqual(1);
  });

  it('weighted round-robin 1:2:3: each share within ±5 % of its weight share', async () => {
    const ups = await three();
    const { balancer } = await lab.balancer({ strategy: 'weighted-round-robin', weights: { a: 1, b: 2 } });
    balancer.setUpstreams(ups.map((u) => ({ id: u.id, port: u.port, weight: u.id === 'c' ? 3 : 1 }))); // c's weight from the target, a/b from settings
    const counts = countBy(await closedLoop(balancer.url, 1_200, 8));
    const share = { a: 1 / 6, b: 2 / 6, c: 3 / 6 };
    for (const [id, expected] of Object.entries(share)) expect(Math.abs((counts[id] ?? 0) / 1_200 - expected)).toBeLessThanOrEqual(expected * 0.05);
  });

  it('random: 1,500 requests, each node within ±5 points of 1/3 (σ ≈ 1.2 points)', async () => {
    const ups = await three();
    const { balancer } = await lab.balancer({ strategy: 'random' });
    balancer.setUpstreams(ups.map((u) => ({ id: u.id, port: u.port })));
    const counts = countBy(await closedLoop(balancer.url, 1_500, 8));
    for (const id of ['a', 'b', 'c']) expect(Math.abs((counts[id] ?? 0) / 1_500 - 1 / 3)).toBeLessThan(0.05);
  });

  it('least-connections: a slow node (fewer requests finish) gets far fewer', async () => {
    const ups = await three([0, 0, 25]);
    const { balancer } = await lab.balancer({ strategy: 'least-connections' });
    balancer.setUpstreams(ups.map((u) => ({ id: u.id, port: u.port })));
    const counts = countBy(await closedLoop(balancer.url, 1_000, 6));
    // Round-robin would give c a third (333); holding its requests 25 ms keeps it busiest.
    expect(counts.c ?? 0).toBeLessThan(100);
    expect(counts.a).toBeGreaterThan(350);
    expect(counts.b).toBeGreaterThan(350);
  });

  it('least-response-time: a node 20 ms slower loses ≥ 80 % of its round-robin share', async () => {
    const ups = await three([0, 0, 20]);
    const { balancer } = await lab.balancer({ strategy: 'least-response-time' });
    balancer.setUpstreams(ups.map((u) => ({ id: u.id, port: u.port })));
    const counts = countBy(await closedLoop(balancer.url, 1_000, 4));
    expect(counts.c ?? 0).toBeLessThanOrEqual((1_000 / 3) * 0.2);
  });

  it('switching strategy live under 300 req/s open-loop load fails no request', async () => {
    const ups = await three([1, 0, 2]);
    const { balancer, outcomes } = await lab.balancer({ strategy: 'round-robin' });
    balancer.setUpstreams(ups.map((u) => ({ id: u.id, port: u.port })));
    const order = ['weighted-round-robin', 'random', 'least-connections', 'least-response-time', 'round-robin'] as const;
    let switches = 0;
    const result = await openLoop(balancer.url, {
      rate: 300,
      durationMs: 2_000,
      path: '/',
      onTick: (sent) => {
        if (sent % 30 === 0) balancer.setSettings({ strategy: order[switches++ % order.length]!, weights: { a: 1 + (switches % 3) } });
      },
    });
    expect(switches).toBeGreaterThanOrEqual(19);
    expect(result.failed).toEqual([]);
    expect(result.ok).toBe(600);
    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
    expect(new Set(result.byNode.keys())).toEqual(new Set(['a', 'b', 'c']));
  });
});
