import { describe, expect, it } from 'vitest';
import { BalancerSettings, type BalancerState, type UpstreamState } from '../../../../shared/contract/index.js';
import { BalancerChanges } from '../../../../electron/engine/lab/balancer-changes.js';

function upstream(id: string, state: UpstreamState, inflight = 0): BalancerState['upstreams'][number] {
  return { id, port: 1, state, weight: 1, inflight, ewmaMs: null, consecutiveFailures: 0, ejections: 0, ejectedUntil: null, lastDetection: null };
}

describe('BalancerChanges', () => {
  it('sends balancer.changed when an upstream state or the settings change, and not for numbers that move on every request', () => {
    let state: BalancerState = { url: null, settings: BalancerSettings.parse({}), upstreams: [upstream('a1', 'in-rotation'), upstream('a2', 'in-rotation')], retryBudget: { used: 0, allowed: 10 } };
    const sent: BalancerState[] = [];
    const changes = new BalancerChanges(() => state, { emit: (name, payload) => name === 'balancer.changed' && sent.push(payload as BalancerState) });

    changes.emitIfChanged();
    expect(sent).toHaveLength(1); // the first look: a fresh stream has it
    changes.emitIfChanged();
    state = { ...state, upstreams: [upstream('a1', 'in-rotation', 7), upstream('a2', 'in-rotation', 3)], retryBudget: { used: 4, allowed: 10 } };
    changes.emitIfChanged();
    expect(sent).toHaveLength(1);

    state = { ...state, upstreams: [upstream('a1', 'in-rotation'), upstream('a2', 'ejected')] };
    changes.emitIfChanged();
    expect(sent.at(-1)?.upstreams.map((u) => u.state)).toEqual(['in-rotation', 'ejected']);
    state = { ...state, settings: BalancerSettings.parse({ strategy: 'random' }) };
    changes.emitIfChanged();
    state = { ...state, upstreams: [upstream('a1', 'in-rotation')] };
    changes.emitIfChanged();
    expect(sent.map((s) => [s.settings.strategy, s.upstreams.length])).toEqual([
      ['round-robin', 2],
      ['round-robin', 2],
      ['random', 2],
      ['random', 1],
    ]);
  });

  it('emitSoon looks once the turn is done: states the data plane sends just after an event are the ones sent', async () => {
    let state: BalancerState = { url: null, settings: BalancerSettings.parse({}), upstreams: [upstream('a1', 'in-rotation')], retryBudget: { used: 0, allowed: 10 } };
    const sent: BalancerState[] = [];
    const changes = new BalancerChanges(() => state, { emit: (name, payload) => name === 'balancer.changed' && sent.push(payload as BalancerState) });
    changes.emitIfChanged();
    // The ejection event, then (a microtask later) the states it moved: two events, one look.
    changes.emitSoon();
    changes.emitSoon();
    await Promise.resolve();
    state = { ...state, upstreams: [upstream('a1', 'ejected')] };
    expect(sent).toHaveLength(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent.map((s) => s.upstreams[0]?.state)).toEqual(['in-rotation', 'ejected']);
  });
});
