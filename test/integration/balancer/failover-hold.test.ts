import { describe, expect, it } from 'vitest';
import { now } from '../../../electron/engine/clock';
import { sleep } from '../../../shared/sleep';
import { request, useLab } from './helpers';

// The failover hold on its own: a real balancer, real echo upstreams and sockets, the failover
// controller's three calls made by hand (topology, loss, end). Ranges hold on a busy 2-core machine.
describe('balancer: failover hold (standby topologies)', () => {
  const lab = useLab();

  it('holds a GET while there is no primary and sends it to the new one once routed', async () => {
    const { balancer, outcomes } = await lab.balancer({ health: { enabled: false } });
    const p1 = await lab.echo({ id: 'p1' });
    const s1 = await lab.echo({ id: 's1' });
    balancer.setFailoverTopology('hot-standby');
    balancer.setUpstreams([{ id: 'p1', port: p1.port }]);
    expect((await request(balancer.url, { path: '/kv/a' })).status).toBe(200);

    balancer.failoverStarted('p1', now());
    balancer.setUpstreams([]);
    const sentAt = performance.now();
    const get = request(balancer.url, { path: '/kv/a' });
    const put = request(balancer.url, { method: 'PUT', path: '/kv/a', body: 'v' });
    await sleep(80);
    balancer.setUpstreams([{ id: 's1', port: s1.port }]);
    balancer.failoverEnded('p1', true);
    const [answer, putAnswer] = await Promise.all([get, put]);
    const waited = performance.now() - sentAt;

    expect(answer.status).toBe(200);
    expect(answer.headers['x-firedrill-node']).toBe('s1');
    expect(putAnswer.status).toBe(200);
    expect(waited).toBeGreaterThanOrEqual(75);
    expect(waited).toBeLessThan(1_000);
    await sleep(20);
    const held = outcomes.filter((o) => o.heldMs !== undefined);
    expect(held).toHaveLength(2);
    for (const o of held) {
      expect(o.ok).toBe(true);
      expect(o.heldFor).toBe('p1');
      expect(o.heldMs).toBeGreaterThanOrEqual(70);
      expect(o.heldMs).toBeLessThan(1_000);
    }
  });

  it('answers a held GET 503 with Retry-After at the deadline, never hangs', async () => {
    const { balancer, outcomes } = await lab.balancer({ health: { enabled: false }, failover: { hotDeadlineMs: 150 } });
    const p1 = await lab.echo({ id: 'p1' });
    balancer.setFailoverTopology('hot-standby');
    balancer.setUpstreams([{ id: 'p1', port: p1.port }]);
    const lossAt = now();
    balancer.failoverStarted('p1', lossAt);
    balancer.setUpstreams([]);
    const answer = await request(balancer.url, { path: '/kv/a' });
    const answeredAfter = now() - lossAt;
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('1');
    expect(answer.body.toString()).toContain('failover-deadline');
    expect(answeredAfter).toBeGreaterThanOrEqual(145);
    expect(answeredAfter).toBeLessThan(800);
    // Past the deadline, with the failover still under way: answered at once, not held again.
    const late = performance.now();
    const again = await request(balancer.url, { path: '/kv/a' });
    expect(again.status).toBe(503);
    expect(again.headers['retry-after']).toBe('1');
    expect(performance.now() - late).toBeLessThan(100);
    await sleep(20);
    expect(outcomes.find((o) => o.heldMs !== undefined)?.error).toBe('failover-deadline');
  });

  it('a write that cannot be sent during the failover gets 503 with Retry-After, at once', async () => {
    const { balancer, outcomes } = await lab.balancer({ health: { enabled: false } });
    const p1 = await lab.echo({ id: 'p1' });
    balancer.setFailoverTopology('warm-standby');
    balancer.setUpstreams([{ id: 'p1', port: p1.port }]);
    balancer.failoverStarted('p1', now());
    balancer.setUpstreams([]);
    const sentAt = performance.now();
    const answer = await request(balancer.url, { method: 'POST', path: '/kv/a', body: 'v' });
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('1');
    expect(performance.now() - sentAt).toBeLessThan(200);
    await sleep(20);
    const o = outcomes.find((x) => x.method === 'POST');
    expect(o?.error).toBe('failover-write-refused');
    expect(o?.heldFor).toBe('p1');
    expect(o?.heldMs).toBeUndefined();
  });

  it('a write cut by the primary going away may have landed: 503 with Retry-After, not retried', async () => {
    const { balancer, outcomes } = await lab.balancer({ health: { enabled: false }, passive: { enabled: false } });
    const p1 = await lab.echo({ id: 'p1', dropConnections: true });
    balancer.setFailoverTopology('hot-standby');
    balancer.setUpstreams([{ id: 'p1', port: p1.port }]);
    const answer = await request(balancer.url, { method: 'POST', path: '/kv/a', body: 'v' });
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('1');
    await sleep(20);
    expect(outcomes[0]?.error).toBe('failover-write-unknown');
    expect(outcomes[0]?.tries).toBe(1);
  });

  it('a failover that failed answers what it held at once', async () => {
    const { balancer } = await lab.balancer({ health: { enabled: false }, failover: { coldDeadlineMs: 10_000 } });
    const p1 = await lab.echo({ id: 'p1' });
    balancer.setFailoverTopology('cold-standby');
    balancer.setUpstreams([{ id: 'p1', port: p1.port }]);
    balancer.failoverStarted('p1', now());
    balancer.setUpstreams([]);
    const get = request(balancer.url, { path: '/kv/a' });
    await sleep(50);
    const failedAt = performance.now();
    balancer.failoverEnded('p1', false);
    const answer = await get;
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('1');
    expect(performance.now() - failedAt).toBeLessThan(200);
  });

  it('without a standby topology nothing is held (active-active, or none): 503 no-upstream at once', async () => {
    const { balancer, outcomes } = await lab.balancer({ health: { enabled: false } });
    balancer.setFailoverTopology('active-active');
    balancer.setUpstreams([]);
    const sentAt = performance.now();
    const answer = await request(balancer.url, { path: '/kv/a' });
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBeUndefined();
    expect(performance.now() - sentAt).toBeLessThan(80);
    await sleep(20);
    expect(outcomes[0]?.error).toBe('no-upstream');
    expect(outcomes[0]?.heldMs).toBeUndefined();
  });

  it('with the hold off, a GET during the failover fails as before', async () => {
    const { balancer } = await lab.balancer({ health: { enabled: false }, failover: { hold: false } });
    const p1 = await lab.echo({ id: 'p1' });
    balancer.setFailoverTopology('hot-standby');
    balancer.setUpstreams([{ id: 'p1', port: p1.port }]);
    balancer.failoverStarted('p1', now());
    balancer.setUpstreams([]);
    const answer = await request(balancer.url, { path: '/kv/a' });
    expect(answer.status).toBe(503);
    expect(answer.body.toString()).toContain('no-upstream');
  });

  it('a GET cut by the primary dying waits for the news, then goes to the successor', async () => {
    const { balancer, outcomes } = await lab.balancer({ health: { enabled: false }, passive: { enabled: false } });
    const p1 = await lab.echo({ id: 'p1', dropConnections: true });
    const s1 = await lab.echo({ id: 's1' });
    balancer.setFailoverTopology('hot-standby');
    balancer.setUpstreams([{ id: 'p1', port: p1.port }]);
    const get = request(balancer.url, { path: '/kv/a' });
    // The exit notice and the controller's calls come a few ms after the reset, as in a real kill.
    await sleep(20);
    balancer.nodeExited('p1', now());
    balancer.failoverStarted('p1', now());
    balancer.setUpstreams([]);
    await sleep(30);
    balancer.setUpstreams([{ id: 's1', port: s1.port }]);
    balancer.failoverEnded('p1', true);
    const answer = await get;
    expect(answer.status).toBe(200);
    expect(answer.headers['x-firedrill-node']).toBe('s1');
    await sleep(20);
    expect(outcomes[0]?.tries).toBe(2);
    expect(outcomes[0]?.heldFor).toBe('p1');
    expect(outcomes[0]?.heldMs).toBeGreaterThanOrEqual(40);
  });

  it('with no failover announced, a GET whose only node reset it is parked, then retried there as usual', async () => {
    const { balancer, outcomes } = await lab.balancer({ health: { enabled: false }, passive: { enabled: false } });
    const p1 = await lab.echo({ id: 'p1', dropConnections: true });
    balancer.setFailoverTopology('hot-standby');
    balancer.setUpstreams([{ id: 'p1', port: p1.port }]);
    const sentAt = performance.now();
    const answer = await request(balancer.url, { path: '/kv/a' });
    const took = performance.now() - sentAt;
    // Three tries, two parks of PARK_MS (100 ms) between them; then the 502 it always was.
    expect(answer.status).toBe(502);
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(1_500);
    await sleep(20);
    expect(outcomes[0]?.tries).toBe(3);
    expect(outcomes[0]?.heldFor).toBeNull();
  });
});
