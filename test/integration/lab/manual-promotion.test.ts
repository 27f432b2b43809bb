import { afterEach, describe, expect, it } from 'vitest';
import { startLab, waitFor, type LabUnderTest } from '../../support/lab-client.js';
import { sleep } from '../../../shared/sleep.js';

// node.promote: the manual failover an operator does when nothing in the lab noticed the failure.
describe('lab: promoting the standby by hand', () => {
  let t: LabUnderTest | undefined;
  afterEach(async () => {
    await t?.client.request('fault.halt', {}).catch(() => undefined);
    await t?.close();
    t = undefined;
  });

  it('a frozen primary nobody detects: the operator promotes s1, their act is the detection, no write is lost', async () => {
    t = await startLab({ topology: { kind: 'hot-standby', replication: 'sync' } });
    const lab = t;
    // No health checks and no passive ejection: the lab will not notice the freeze by itself.
    await lab.client.request('balancer.set', { health: { enabled: false }, passive: { enabled: false }, retry: { perTryTimeoutMs: 300 } });
    await lab.client.request('traffic.start', { rate: 100, durationMs: 8_000, readShare: 0.5, timeoutMs: 500 });
    await waitFor('writes acknowledged before the freeze', async () => (await lab.state()).traffic.ledger.acked >= 20);
    await lab.client.request('fault.inject', { type: 'pause', target: 'p1' });
    await sleep(800);
    expect(lab.timeline.filter((e) => e.kind === 'failover.started')).toEqual([]);

    await expect(lab.client.request('node.promote', { id: 'p1' })).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('"p1" is not the standby') });
    const promoted = await lab.client.request('node.promote', { id: 's1' });
    expect(promoted).toMatchObject({ from: 'p1', to: 's1' });
    expect(promoted.durationMs).toBeLessThan(5_000);
    const state = await lab.state();
    expect(state.balancer.upstreams.filter((u) => u.state === 'in-rotation').map((u) => u.id)).toEqual(['s1']);
    expect(lab.timeline.find((e) => e.kind === 'failover.started')?.detail).toMatchObject({ from: 'p1', to: 's1', trigger: 'operator' });
    expect(lab.timeline.some((e) => e.kind === 'failover.fenced' && e.nodeId === 'p1')).toBe(true);

    const incident = await waitFor('the incident to recover', () => [...lab.incidents.values()].find((i) => i.nodeId === 'p1' && i.stages.recovered !== undefined));
    expect(incident.detectedVia).toBe('operator');
    expect(incident.mttdMs).toBeGreaterThan(700); // the operator's reaction time, the whole freeze
    expect(incident.mttrMs).toBeGreaterThan(incident.mttdMs as number);
    const ackedAtRecovery = (await lab.state()).traffic.ledger.acked;
    await waitFor('writes to the new primary too', async () => (await lab.state()).traffic.ledger.acked >= ackedAtRecovery + 50);
    await lab.client.request('traffic.stop', {});
    const ledger = await lab.client.request('ledger.check', {});
    expect(ledger.acked).toBeGreaterThan(50);
    expect(ledger.lost).toBe(0);
  });

  it('active-active has no standby to promote', async () => {
    t = await startLab({ topology: { kind: 'active-active', nodes: 2 } });
    await expect(t.client.request('node.promote', { id: 'a1' })).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('no standby to promote') });
  });
});
