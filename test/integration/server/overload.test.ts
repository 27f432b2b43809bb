// Overload is real: slots held for the service time, a bounded FIFO queue, 503 beyond it.
import { describe, expect, it } from 'vitest';
import { useServers, type HttpAnswer } from '../../support/server-harness';
import { sleep } from '../../../shared/sleep';

const servers = useServers();

function burst(send: () => Promise<HttpAnswer>, count: number): Promise<HttpAnswer[]> {
  return Promise.all(Array.from({ length: count }, send));
}

describe('admission under overload', () => {
  it('service 20 ms, concurrency 2, queue 4: a burst of 20 gets 503s and latency rises', async () => {
    const server = await servers.started({ args: ['--service-time-ms', '20', '--concurrency', '2', '--queue-limit', '4'] });
    await server.put('k', 'v');
    const alone = await server.request('GET', '/kv/k');
    expect(alone.ms).toBeGreaterThanOrEqual(18);

    const answers = await burst(() => server.request('GET', '/kv/k'), 20);
    const ok = answers.filter((a) => a.status === 200);
    const rejected = answers.filter((a) => a.status === 503);
    expect(ok.length + rejected.length).toBe(20);
    // 2 in service + 4 queued can be admitted per wave; the rest are refused at once.
    expect(ok.length).toBeGreaterThanOrEqual(4);
    expect(ok.length).toBeLessThanOrEqual(14);
    expect(rejected.every((a) => a.json<{ reason: string }>().reason === 'queue-full')).toBe(true);
    const slowest = Math.max(...ok.map((a) => a.ms));
    const fastestRejection = Math.min(...rejected.map((a) => a.ms));
    console.log(`burst: ${ok.length} ok (slowest ${slowest.toFixed(0)} ms), ${rejected.length} × 503 (fastest ${fastestRejection.toFixed(0)} ms), alone ${alone.ms.toFixed(0)} ms`);
    // Queued requests wait for earlier ones: at least three service times for the last of six.
    expect(slowest).toBeGreaterThanOrEqual(55);
    expect(slowest).toBeLessThan(1000);
    expect(fastestRejection).toBeLessThan(slowest);
  });

  it('a request queued longer than the queue timeout answers 503 queue-timeout', async () => {
    const server = await servers.started({ args: ['--service-time-ms', '150', '--concurrency', '1', '--queue-limit', '10', '--queue-timeout-ms', '40'] });
    const answers = await burst(() => server.request('GET', '/kv/none'), 4);
    const reasons = answers.map((a) => (a.status === 503 ? a.json<{ reason: string }>().reason : a.status));
    expect(reasons.filter((r) => r === 404)).toHaveLength(1);
    expect(reasons.filter((r) => r === 'queue-timeout')).toHaveLength(3);
    for (const a of answers.filter((x) => x.status === 503)) expect(a.ms).toBeGreaterThanOrEqual(35);
  });

  it('POST /admin/config changes the limits live; health endpoints bypass admission', async () => {
    const server = await servers.started({ args: ['--service-time-ms', '30', '--concurrency', '1', '--queue-limit', '0'] });
    const before = await burst(() => server.request('GET', '/kv/k'), 6);
    expect(before.filter((a) => a.status === 503).length).toBeGreaterThanOrEqual(4);
    const changed = await server.post('/admin/config', { concurrency: 16, queueLimit: 16, serviceTimeMs: 5 });
    expect(changed.json()).toMatchObject({ config: { concurrency: 16, queueLimit: 16, serviceTimeMs: 5 } });
    const after = await burst(() => server.request('GET', '/kv/k'), 6);
    expect(after.filter((a) => a.status === 503)).toHaveLength(0);
    expect((await server.post('/admin/config', { concurrency: 0 })).status).toBe(400);

    await server.post('/admin/config', { concurrency: 1, queueLimit: 0, serviceTimeMs: 300 });
    const slow = server.request('GET', '/kv/k');
    await sleep(20);
    const [health, ready, status] = await Promise.all([server.request('GET', '/healthz'), server.request('GET', '/readyz'), server.status()]);
    expect([health.status, ready.status]).toEqual([200, 200]);
    expect(status).toMatchObject({ inflight: 1, queued: 0 });
    expect(health.ms).toBeLessThan(250);
    await slow;
  });
});
