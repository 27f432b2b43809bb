// HTTP faults at the balancer's hop to a node: answered for it, or its response cut.
import { describe, expect, it } from 'vitest';
import { request, useLab } from './helpers';

const lab = useLab();

describe('HTTP faults at the hop', () => {
  it('http_error answers for the node; passive detection counts it; retries go elsewhere', async () => {
    const a = await lab.echo({ id: 'a' });
    const b = await lab.echo({ id: 'b' });
    const { balancer, outcomes } = await lab.balancer({ health: { enabled: false }, passive: { enabled: false }, retry: { enabled: false } });
    balancer.setUpstreams([
      { id: 'a', port: a.port },
      { id: 'b', port: b.port },
    ]);
    balancer.setHttpFault('f-1', 'a', { kind: 'error', status: 503, share: 1 });
    const answers = await Promise.all(Array.from({ length: 40 }, () => request(balancer.url, { path: '/x' })));
    const fromA = answers.filter((r) => r.headers['x-firedrill-node'] === 'a');
    expect(fromA.length).toBeGreaterThan(10);
    expect(fromA.every((r) => r.status === 503)).toBe(true);
    expect(a.seen.length).toBe(0); // the node never saw them
    expect(answers.filter((r) => r.headers['x-firedrill-node'] === 'b').every((r) => r.status === 200)).toBe(true);
    expect(outcomes.filter((o) => o.error === 'injected')).toHaveLength(fromA.length);

    balancer.setSettings({ retry: { enabled: true, budgetPercent: 100 } });
    const retried = await Promise.all(Array.from({ length: 40 }, () => request(balancer.url, { path: '/x' })));
    expect(retried.every((r) => r.status === 200 && r.headers['x-firedrill-node'] === 'b')).toBe(true);

    balancer.clearHttpFault('f-1');
    const after = await Promise.all(Array.from({ length: 20 }, () => request(balancer.url, { path: '/x' })));
    expect(after.every((r) => r.status === 200)).toBe(true);
    expect(after.some((r) => r.headers['x-firedrill-node'] === 'a')).toBe(true);
  });

  it('http_error with share 0.3 hits about 30 % of requests (± 10 points over 400)', async () => {
    const a = await lab.echo({ id: 'a' });
    const { balancer } = await lab.balancer({ health: { enabled: false }, passive: { enabled: false }, retry: { enabled: false } });
    balancer.setUpstreams([{ id: 'a', port: a.port }]);
    balancer.setHttpFault('f-2', 'a', { kind: 'error', status: 500, share: 0.3 });
    let failed = 0;
    for (let i = 0; i < 400; i += 40) {
      const batch = await Promise.all(Array.from({ length: 40 }, () => request(balancer.url, { path: '/x' })));
      failed += batch.filter((r) => r.status === 500).length;
    }
    expect(failed / 400).toBeGreaterThan(0.2);
    expect(failed / 400).toBeLessThan(0.4);
  });

  it('http_abort cuts the response after the allowed bytes', async () => {
    const a = await lab.echo({ id: 'a' });
    const { balancer, outcomes } = await lab.balancer({ health: { enabled: false }, passive: { enabled: false } });
    balancer.setUpstreams([{ id: 'a', port: a.port }]);
    balancer.setHttpFault('f-3', 'a', { kind: 'abort', share: 1, afterBytes: 100_000 });
    const cut = await request(balancer.url, { path: '/bytes/1000000' }).then(
      (r) => ({ error: null, bytes: r.body.length }),
      (error: Error) => ({ error, bytes: -1 }),
    );
    expect(cut.error).not.toBeNull(); // the client sees an aborted response, not a short "complete" one
    expect(outcomes.at(-1)).toMatchObject({ error: 'injected-abort', nodeId: 'a', ok: false });
    balancer.clearHttpFault('f-3');
    const whole = await request(balancer.url, { path: '/bytes/1000000' });
    expect(whole.body.length).toBe(1_000_000);
  });
});
