// One halt reverts everything: 10 mixed active faults on a real fleet (pauses, a crash-loop,
// network and HTTP faults on stub ports), reverted in parallel well inside the 200 ms target.
import { describe, expect, it } from 'vitest';
import { waitUntil } from '../fleet/helpers';
import { stateOf, useFaultLab } from './helpers';
import { sleep } from '../../../shared/sleep';
import { faultSpec } from '../../support/fault-spec';

const lab = useFaultLab();

describe.runIf(process.platform === 'linux')('halt', () => {
  it('reverts 10 mixed active faults: pids running, stubs reverted, crash-loop off; ≤ 500 ms (target 200)', async () => {
    const { harness, start, registry, network, http, node, faultEvents } = lab();
    const ids = ['n1', 'n2', 'n3', 'n4'];
    await start({ nodes: ids.map((id) => ({ id, kind: 'bundled' as const, role: 'stateless' as const })) });
    const pids = Object.fromEntries(ids.map((id) => [id, node(id).pid!]));

    await Promise.all([
      registry.inject(faultSpec({ type: 'pause', target: 'n1' })),
      registry.inject(faultSpec({ type: 'pause', target: 'n2' })),
      registry.inject(faultSpec({ type: 'pause', target: 'n3' })),
      // Long enough that it has not killed anything yet: halt must cancel its timer.
      registry.inject(faultSpec({ type: 'crash-loop', target: 'n4', attributes: { afterMs: 2_000 } })),
      registry.inject(faultSpec({ type: 'latency', target: 'n1', attributes: { latency: 200, jitter: 20 } })),
      registry.inject(faultSpec({ type: 'bandwidth', target: 'n2', attributes: { rate: 10 }, stream: 'upstream' })),
      registry.inject(faultSpec({ type: 'partition', target: 'n4', attributes: { links: 'replication' } })),
      registry.inject(faultSpec({ type: 'http_error', target: 'n2', attributes: { status: 502, share: 0.5 } })),
      registry.inject(faultSpec({ type: 'http_abort', target: 'n3' })),
      registry.inject(faultSpec({ type: 'http_error', target: 'n4', durationMs: 60_000 })),
    ]);
    expect(registry.list().filter((r) => r.status === 'active')).toHaveLength(10);
    expect(network.applied.size).toBe(3);
    expect(http.applied.size).toBe(3);
    const bandwidthId = registry.list().find((r) => r.type === 'bandwidth')!.id;
    expect(network.applied.get(bandwidthId)?.spec).toEqual({
      name: bandwidthId,
      type: 'bandwidth',
      stream: 'upstream',
      toxicity: 1,
      attributes: { rate: 10 },
      links: 'all',
    });
    expect(await waitUntil(() => ['n1', 'n2', 'n3'].every((id) => stateOf(pids[id]!) === 'T'), 1_000)).toBe(true);

    const result = await registry.halt();
    console.log(`halt: ${result.reverted} faults reverted in ${result.ms.toFixed(2)} ms`);
    expect(result.reverted).toBe(10);
    expect(result.ms).toBeLessThanOrEqual(500);
    expect(registry.list().every((r) => r.status === 'reverted')).toBe(true);
    expect(network.applied.size).toBe(0);
    expect(http.applied.size).toBe(0);
    expect(await waitUntil(() => ids.every((id) => stateOf(pids[id]!) !== 'T'), 1_000)).toBe(true);
    for (const id of ids) expect(node(id)).toMatchObject({ pid: pids[id], status: 'ready' });
    expect(faultEvents.filter((e) => e.kind === 'fault.reverted').every((e) => e.detail?.how === 'halt')).toBe(true);

    // The crash-loop is really off: its 2 s timer would have fired by now.
    await sleep(2_200);
    expect(harness.recorder.events('node.exited')).toEqual([]);
    // A second halt finds nothing.
    expect((await registry.halt()).reverted).toBe(0);
  });
});
