import { describe, expect, it } from 'vitest';

// The renderer is type-checked by its own (web) tsconfig: loaded here by a path tsc does not follow.
const feed = (await import(`${'../../../renderer/src/metrics/'}metrics-feed`)) as {
  resetMetrics(options?: { tell?: boolean }): void;
  onMetricsFrame(listener: (frame: unknown) => void): () => void;
  latestTick(): unknown;
};

describe('metrics feed reset', () => {
  it('tells every view of an empty frame for a new run, and not for a refill that frames follow at once', () => {
    const heard: unknown[] = [];
    const stop = feed.onMetricsFrame((frame) => heard.push(frame));
    feed.resetMetrics();
    expect(heard).toEqual([null]);
    // A replay's refill: each link drawn at zero width and back, 64 of them, was most of a scrub frame.
    feed.resetMetrics({ tell: false });
    expect(heard).toEqual([null]);
    expect(feed.latestTick()).toBeNull();
    stop();
  });
});
