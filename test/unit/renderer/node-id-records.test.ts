import { describe, expect, it } from 'vitest';
import type { BalancerState, LogBatch, UpstreamState } from '../../../shared/contract/model';

// The renderer is type-checked by its own (web) tsconfig: loaded here by a path tsc does not follow.
const store = '../../../renderer/src/store/';
interface State {
  lab: { pending: Record<string, string> };
  balancer: { upstreams: Record<string, UpstreamState | null> };
  logs: { rings: Record<string, unknown>; revision: Record<string, number> };
}
const { addLogBatch, applyBalancer, setPending } = (await import(`${store}actions`)) as {
  addLogBatch: (batch: LogBatch) => void;
  applyBalancer: (state: BalancerState) => void;
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

  it('a balancer.changed without it marks it out of the balancer', () => {
    const balancer = (upstreams: Array<{ id: string; state: UpstreamState }>) => ({ url: null, settings: {}, upstreams, retryBudget: { used: 0, allowed: 0 } }) as unknown as BalancerState;
    applyBalancer(balancer([{ id: 'constructor', state: 'in-rotation' }]));
    expect(useStore.getState().balancer.upstreams.constructor).toBe('in-rotation');
    applyBalancer(balancer([]));
    expect(useStore.getState().balancer.upstreams.constructor).toBeNull();
  });
});
