import { describe, expect, it } from 'vitest';
import type { UpstreamSnapshot, UpstreamState } from '../../../shared/contract/index.js';
import type { DataPlane, PlaneListener } from '../../../electron/engine/data-plane/data-plane.js';
import type { PlaneIn } from '../../../electron/engine/data-plane/messages.js';
import { PlaneClient } from '../../../electron/engine/data-plane/plane-client.js';

/** A plane whose output the test writes: the client's reading of it is what is under test. */
function scriptedPlane(): DataPlane & { out: PlaneListener; sent: PlaneIn[] } {
  const listeners = new Set<PlaneListener>();
  const sent: PlaneIn[] = [];
  return {
    sent,
    out: (message) => listeners.forEach((l) => l(message)),
    send: (message) => void sent.push(message),
    subscribe: (listener) => (listeners.add(listener), () => listeners.delete(listener)),
    listen: () => Promise.resolve(1),
    ensureLinks: () => Promise.resolve([]),
    applyLinkToxic: () => Promise.resolve(),
    settled: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

function upstream(id: string, state: UpstreamState, inflight = 0): UpstreamSnapshot {
  return { id, port: 1, state, weight: 1, inflight, ewmaMs: null, consecutiveFailures: 0, ejections: 0, ejectedUntil: null, lastDetection: null };
}

const noListener = { onDetected: () => {}, onEjected: () => {}, onReadmitted: () => {}, onFirstServed: () => {} };

describe('PlaneClient.onChange (what balancer.changed is sent on)', () => {
  it('fires on a settings change and on an upstream state or set change, not on the counters every request moves', () => {
    const plane = scriptedPlane();
    const client = new PlaneClient({ plane, listener: noListener });
    const seen: string[] = [];
    client.onChange(() => seen.push(client.state().upstreams.map((u) => `${u.id}:${u.state}`).join(',') + ` ${client.state().settings.strategy}`));
    const states = (upstreams: UpstreamSnapshot[], used = 0) => plane.out({ type: 'upstreams', at: 1, upstreams, retryBudget: { used, allowed: 10 } });

    states([upstream('a1', 'in-rotation'), upstream('a2', 'in-rotation')]);
    states([upstream('a1', 'in-rotation', 7), upstream('a2', 'in-rotation', 3)], 4); // counters only
    states([upstream('a1', 'in-rotation'), upstream('a2', 'ejected')]);
    states([upstream('a1', 'in-rotation'), upstream('a2', 'ejected', 2)]); // counters only
    client.setSettings({ strategy: 'random' });
    states([upstream('a1', 'in-rotation')]); // a node gone from the set

    expect(seen).toEqual([
      'a1:in-rotation,a2:in-rotation round-robin',
      'a1:in-rotation,a2:ejected round-robin',
      'a1:in-rotation,a2:ejected random',
      'a1:in-rotation random',
    ]);
    expect(plane.sent.map((m) => m.type)).toEqual(['settings']);
  });

  it('a listener that throws does not stop the others, nor the client', () => {
    const plane = scriptedPlane();
    const client = new PlaneClient({ plane, listener: noListener });
    let calls = 0;
    client.onChange(() => {
      throw new Error('boom');
    });
    const off = client.onChange(() => calls++);
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      plane.out({ type: 'upstreams', at: 1, upstreams: [upstream('a1', 'down')], retryBudget: { used: 0, allowed: 1 } });
      off();
      plane.out({ type: 'upstreams', at: 2, upstreams: [upstream('a1', 'in-rotation')], retryBudget: { used: 0, allowed: 1 } });
    } finally {
      process.off('warning', onWarning);
    }
    expect(calls).toBe(1);
    expect(client.upstreams().map((u) => u.state)).toEqual(['in-rotation']);
  });
});
