import { describe, expect, it } from 'vitest';
import type { LogBatch, MetricsTick, UpstreamState } from '../../../shared/contract/model';

// The renderer is type-checked by its own (web) tsconfig: loaded here by a path tsc does not follow.
const store = '../../../renderer/src/store/';
interface State {
  lab: { pending: Record<string, string> };
  balancer: { upstreams: Record<string, UpstreamState | null> };
  logs: { rings: Record<string, unknown>; revision: Record<string, number> };
}
const { addLogBatch, applyTickState, setPending } = (await import(`${store}actions`)) as {
  addLogBatch: (batch: LogBatch) => void;
  applyTickState: (tick: MetricsTick) => void;
  setPending: (target: string, name: string | null) => void;
};
const { useStore } = (await import(`${store}store`)) as { useStore: { getState: () => State } };

// The UI's records keyed by node id: a node called `constructor` (the id pattern allows it) must
// not find Object.prototype's member in them.

describe('renderer store: a node called constructor', () => {
  it('has no command pending, no upstream state and no log ring until it gets one', () => {
    const s = useStore.getState();
    expect(s.lab.pending.constructor).toBeUndefined();
    expect(s.balancer.upstreams.constructor).toBeUndefined();
    expect(s.logs.rings.constructor).toBeUndefined();
    expect(s.logs.revision.constructor).toBeUndefined();
    setPending('constructor', 'node.restart');
    setPending('constructor', null);
    expect(useStore.getState().lab.pending.constructor).toBeUndefined();
  });

  it('its log lines go into its own ring, counted once per batch', () => {
    addLogBatch({ lines: [{ nodeId: 'constructor', stream: 'stdout', at: 1, text: 'hello' }], dropped: 0 });
    addLogBatch({ lines: [{ nodeId: 'constructor', stream: 'stdout', at: 2, text: 'again' }], dropped: 0 });
    const { rings, revision } = useStore.getState().logs;
    expect(Object.hasOwn(rings, 'constructor')).toBe(true);
    expect(revision.constructor).toBe(2);
  });

  it('a tick without it marks it out of the balancer', () => {
    const tick = { at: 1, windowMs: 100, requestsPerSec: 0, errorsPerSec: 0, retriesPerSec: 0, latency: { p50: 0, p90: 0, p99: 0, max: 0, count: 0 }, perNode: {}, ledger: { acked: 0, checked: 0, lost: 0, stale: 0, checkedAt: null } } as MetricsTick;
    applyTickState({ ...tick, perNode: { constructor: { requestsPerSec: 1, errorsPerSec: 0, p50: 1, p99: 1, state: 'in-rotation' as const, inflight: 0 } } });
    expect(useStore.getState().balancer.upstreams.constructor).toBe('in-rotation');
    applyTickState(tick);
    expect(useStore.getState().balancer.upstreams.constructor).toBeNull();
  });
});
