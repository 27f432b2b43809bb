import { describe, expect, it } from 'vitest';
import { MetricsRecorder } from '../../../electron/engine/metrics/metrics-recorder';

describe('metrics ticks with a node called constructor', () => {
  it('the idle node has its own entry, and nothing is written onto Object', () => {
    const recorder = new MetricsRecorder({ upstreams: () => [{ id: 'constructor', inflight: 2 }] });
    const tick = recorder.tick();
    expect(Object.hasOwn(tick.perNode, 'constructor')).toBe(true);
    expect(tick.perNode.constructor).toMatchObject({ inflight: 2, requests: 0 });
    expect((Object as unknown as Record<string, unknown>).inflight).toBeUndefined();
  });
});
