import { afterEach, describe, expect, it } from 'vitest';
import { pidOf, startLab, waitFor, type LabUnderTest } from '../../support/lab-client.js';
import { ratePerSec } from '../../../shared/rates.js';

// Active-active through the whole lab: the balancer, the supervisor and the incident tracker together.
describe('lab: active-active, N+1', () => {
  let t: LabUnderTest | undefined;
  let stopped: number | undefined;
  afterEach(async () => {
    if (stopped) process.kill(stopped, 'SIGCONT');
    stopped = undefined;
    await t?.close();
    t = undefined;
  });

  it('kill -9 of one of three at 200 req/s with retries: 0 failed GETs, detected within 50 ms, recovered with MTTR', async () => {
    t = await startLab({ topology: { kind: 'active-active', nodes: 3 } });
    const lab = t;
    expect((await lab.state()).traffic.settings.readShare).toBe(1);
    await lab.client.request('traffic.start', { rate: 200, durationMs: 2_500 });
    await waitFor('traffic under way', async () => ((await lab.state()).traffic.stats?.ok ?? 0) >= 100);
    const killedAt = performance.timeOrigin + performance.now();
    process.kill(pidOf(await lab.state(), 'a2'), 'SIGKILL');
    const incident = await waitFor('the incident to close', () => [...lab.incidents.values()].find((i) => i.nodeId === 'a2' && !i.open));
    await waitFor('traffic to finish', async () => !(await lab.state()).traffic.running);
    const { stats } = (await lab.state()).traffic;
    expect(stats?.sent).toBeGreaterThan(450);
    expect(stats?.failed).toBe(0);
    // 50 ms is the target (bench: crash MTTD p50 ~5 ms); a single kill on a loaded 2-core VM can see the kernel take longer.
    expect((incident.stages.detected as number) - killedAt).toBeLessThan(100);
    for (const stage of ['observed', 'detected', 'ejected', 'restarted', 'restored', 'recovered'] as const) expect(incident.stages[stage]).toBeTypeOf('number');
    expect(incident.mttrMs).toBeGreaterThan(0);
    expect(incident.lostWrites).toBeNull(); // nothing stateful to check in active-active
  });

  it('SIGSTOP of one node: ejected within 500 ms by active health checks, 0 failed GETs', async () => {
    t = await startLab({ topology: { kind: 'active-active', nodes: 3 } });
    const lab = t;
    await lab.client.request('traffic.start', { rate: 200, durationMs: 2_000 });
    await waitFor('traffic under way', async () => ((await lab.state()).traffic.stats?.ok ?? 0) >= 100);
    const pid = pidOf(await lab.state(), 'a3');
    const frozenAt = performance.timeOrigin + performance.now();
    process.kill(pid, 'SIGSTOP');
    stopped = pid;
    const ejected = await waitFor('a3 to be ejected', () => lab.timeline.find((e) => e.kind === 'balancer.ejected' && e.nodeId === 'a3'));
    expect(ejected.at - frozenAt).toBeLessThan(500);
    await waitFor('traffic to finish', async () => !(await lab.state()).traffic.running);
    expect((await lab.state()).traffic.stats?.failed).toBe(0);
    process.kill(pid, 'SIGCONT');
    stopped = undefined;
    await waitFor('a3 back in rotation', async () => (await lab.state()).balancer.upstreams.find((u) => u.id === 'a3' && u.state === 'in-rotation'));
  });

  it('switches strategy live through the contract and serves /metrics-worthy outcomes', async () => {
    t = await startLab({ topology: { kind: 'active-active', nodes: 3 } });
    await t.client.request('balancer.set', { retry: { maxTries: 2 } });
    const balancer = await t.client.request('balancer.set', { strategy: 'least-response-time', retry: { budgetPercent: 10 } });
    expect(balancer.settings.strategy).toBe('least-response-time');
    expect(balancer.settings.retry.budgetPercent).toBe(10);
    expect(balancer.settings.retry.maxTries).toBe(2); // what a patch does not name keeps its value
    const bad = await t.client.request('balancer.set', { strategy: 'fastest' as never }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'invalid-params', field: 'params.strategy' });
    expect((await t.state()).balancer.settings.strategy).toBe('least-response-time');
    const ticks: number[] = [];
    t.client.on('metrics.tick', (tick) => ticks.push(ratePerSec(tick.requests, tick.windowMs)));
    await t.client.request('traffic.start', { rate: 100, durationMs: 1_000 });
    await waitFor('traffic to finish', async () => !(await (t as LabUnderTest).state()).traffic.running);
    expect(ticks.length).toBeGreaterThanOrEqual(8);
    expect(Math.max(...ticks)).toBeGreaterThan(50);
    const metrics = await t.lab.metricsExposition();
    expect(metrics.body).toMatch(/firedrill_requests_total\{node="a\d",code="200"\} \d+/);
  });
});
