import { describe, expect, it } from 'vitest';
import { FleetSpec } from '../../../shared/contract/model.js';

describe('fleet spec schema', () => {
  it('keeps a node restart override to what was written, so fleet-level settings still apply', () => {
    const spec = FleetSpec.parse({ restart: { backoffInitialMs: 50 }, nodes: [{ id: 'a', restart: { policy: 'never' } }] });
    expect(spec.restart).toEqual({ backoffInitialMs: 50 });
    expect(spec.nodes[0]?.restart).toEqual({ policy: 'never' });
  });

  it('fills in a bundled node by default and refuses duplicate ids', () => {
    const spec = FleetSpec.parse({ nodes: [{ id: 'a' }] });
    expect(spec.nodes[0]).toMatchObject({ id: 'a', kind: 'bundled', role: 'primary' });
    const dup = FleetSpec.safeParse({ nodes: [{ id: 'a' }, { id: 'a' }] });
    expect(dup.success).toBe(false);
  });

  it('accepts only fsync policies the bundled server accepts', () => {
    expect(FleetSpec.safeParse({ nodes: [{ id: 'a', server: { fsync: 0 } }] }).success).toBe(false);
    expect(FleetSpec.safeParse({ nodes: [{ id: 'a', server: { fsync: 5 } }] }).success).toBe(true);
    expect(FleetSpec.safeParse({ nodes: [{ id: 'a', server: { fsync: 'always' } }] }).success).toBe(true);
  });
});

describe('patch schemas', () => {
  it('leave out what a patch does not name, instead of filling in defaults', async () => {
    const { BalancerSettingsPatch, TrafficSettingsPatch } = await import('../../../shared/contract/model.js');
    expect(TrafficSettingsPatch.parse({ rate: 50 })).toEqual({ rate: 50 });
    expect(BalancerSettingsPatch.parse({ retry: { budgetPercent: 10 } })).toEqual({ retry: { budgetPercent: 10 } });
    expect(TrafficSettingsPatch.safeParse({ rate: -1 }).success).toBe(false);
    expect(TrafficSettingsPatch.safeParse({ speed: 1 }).success).toBe(false);
  });

  it('a health-check path is one the HTTP client can send (printable ASCII, no spaces)', async () => {
    const { BalancerSettingsPatch } = await import('../../../shared/contract/model.js');
    for (const path of ['/a b', '/\u0000', '/\u001b[2J', '/ä', 'readyz']) {
      expect(BalancerSettingsPatch.safeParse({ health: { path } }).success, path).toBe(false);
    }
    expect(BalancerSettingsPatch.safeParse({ health: { path: '/health%20z?x=1' } }).success).toBe(true);
  });

  it('withPatch merges a parsed patch into parsed settings: what it names replaces, what it leaves out (or undefined) stays', async () => {
    const { TrafficSettings, TrafficSettingsPatch, withPatch } = await import('../../../shared/contract/model.js');
    const base = TrafficSettings.parse({ rate: 50, keys: 10 });
    const merged = withPatch(base, { ...TrafficSettingsPatch.parse({ rate: 75 }), keys: undefined });
    expect(merged).toEqual({ ...base, rate: 75 });
    expect(base.rate).toBe(50);
  });
});

describe('FaultSpec: a fault.inject parsed once, for the fault layer', () => {
  it("fills in the type's defaults and resolves the links, whichever way a partition says them", async () => {
    const { FaultSpec } = await import('../../../shared/contract/model.js');
    expect(FaultSpec.parse({ type: 'kill', target: 'p1' })).toEqual({ type: 'kill', target: 'p1', attributes: { signal: 'SIGKILL', graceMs: 2_000 }, toxicity: 1, stream: 'downstream', links: 'all' });
    expect(FaultSpec.parse({ type: 'latency', target: 'p1', links: 'replication' })).toMatchObject({ attributes: { latency: 0, jitter: 0 }, links: 'replication' });
    expect(FaultSpec.parse({ type: 'partition', target: 'p1', attributes: { links: 'balancer' } })).toMatchObject({ attributes: { links: 'balancer' }, links: 'balancer' });
    expect(FaultSpec.parse({ type: 'partition', target: 'p1', links: 'replication' })).toMatchObject({ attributes: { links: 'replication' }, links: 'replication' });
    expect(FaultSpec.parse({ type: 'partition', target: 'p1' })).toMatchObject({ attributes: { links: 'all' }, links: 'all' });
    expect(FaultSpec.safeParse({ type: 'partition', target: 'p1', links: 'balancer', attributes: { links: 'replication' } }).error?.issues[0]?.path).toEqual(['links']);
  });
});
