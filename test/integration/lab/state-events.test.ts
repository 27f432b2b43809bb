import { afterEach, describe, expect, it } from 'vitest';
import type { BalancerState, LedgerCounts, MetricsTick } from '../../../shared/contract/index.js';
import { sleep } from '../../../shared/sleep.js';
import { pidOf, startLab, waitFor, type LabUnderTest } from '../../support/lab-client.js';

// The tick carries numbers; state changes travel as their own events, when they happen.
describe('lab: balancer.changed and ledger.checked', () => {
  let t: LabUnderTest | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('balancer.changed comes on a settings change and an upstream state change, not with every tick; /metrics reads the balancer', async () => {
    t = await startLab({ topology: { kind: 'active-active', nodes: 2 } });
    const lab = t;
    const changes: BalancerState[] = [];
    const ticks: MetricsTick[] = [];
    lab.client.on('balancer.changed', (state) => changes.push(state));
    lab.client.on('metrics.tick', (tick) => ticks.push(tick));
    await waitFor('both nodes in rotation', async () => {
      const { upstreams } = (await lab.state()).balancer;
      return (upstreams.length === 2 && upstreams.every((u) => u.state === 'in-rotation')) || undefined;
    });

    // A quiet second: ten ticks, no balancer event.
    await sleep(300);
    changes.length = 0;
    ticks.length = 0;
    await sleep(1_000);
    expect(ticks.length).toBeGreaterThanOrEqual(8);
    expect(changes).toEqual([]);
    expect(Object.keys(ticks.at(-1) as MetricsTick).sort()).toEqual(['acked', 'at', 'errors', 'inflight', 'latency', 'perNode', 'requests', 'retries', 'windowMs']);

    await lab.client.request('balancer.set', { strategy: 'random' });
    const set = await waitFor('balancer.changed after balancer.set', () => changes.find((c) => c.settings.strategy === 'random'));
    expect(set.upstreams.map((u) => [u.id, u.state])).toEqual([
      ['a1', 'in-rotation'],
      ['a2', 'in-rotation'],
    ]);

    changes.length = 0;
    process.kill(pidOf(await lab.state(), 'a2'), 'SIGKILL');
    const down = await waitFor('a2 out of rotation', () => changes.find((c) => c.upstreams.some((u) => u.id === 'a2' && u.state !== 'in-rotation')));
    expect(down.settings.strategy).toBe('random');
    // Prometheus asks the balancer at the scrape: no tick needed in between.
    const outState = down.upstreams.find((u) => u.id === 'a2')?.state as string;
    expect((await lab.lab.metricsExposition()).body).toContain(`firedrill_node_up{node="a2",state="${outState}"} 0`);
    await waitFor('a2 back in rotation', () => changes.find((c) => c.upstreams.some((u) => u.id === 'a2' && u.state === 'in-rotation')), 15_000);
    // Out, perhaps down once its exit is seen, and back: a handful of events, not one per tick.
    expect(changes.length).toBeLessThanOrEqual(4);
  });

  it('ledger.checked carries the counts of each check; lab.state has them for a fresh client', async () => {
    t = await startLab({ topology: { kind: 'hot-standby' } });
    const lab = t;
    const checks: LedgerCounts[] = [];
    lab.client.on('ledger.checked', (counts) => checks.push(counts));
    await lab.client.request('traffic.start', { rate: 100, durationMs: 600, readShare: 0.5, keys: 50 });
    await waitFor('traffic to finish', async () => !(await lab.state()).traffic.running);
    const result = await lab.client.request('ledger.check', {});
    expect(result.acked).toBeGreaterThan(0);
    await waitFor('ledger.checked', () => checks.length > 0 || undefined);
    expect(checks).toEqual([result]);
    expect((await lab.state()).traffic.ledger).toEqual(result);
  });
});
