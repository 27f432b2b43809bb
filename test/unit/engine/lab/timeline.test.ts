import { describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../../../../shared/contract';
import { Timeline } from '../../../../electron/engine/lab/timeline';

describe("the lab's timeline", () => {
  it('numbers every event in order, emits each as it is recorded, and keeps the last 2 000', () => {
    const emitted: TimelineEvent[] = [];
    const timeline = new Timeline((event) => emitted.push(event));
    const { record } = timeline; // handed out unbound, as the lab hands it to its parts
    record('node.ready', { pid: 1 }, 'p1', 1_000);
    record('traffic.started', { rate: 10 });
    expect(emitted[0]).toEqual({ seq: 1, at: 1_000, kind: 'node.ready', nodeId: 'p1', detail: { pid: 1 } });
    expect(emitted[1]).not.toHaveProperty('nodeId');
    expect(emitted[1]?.at).toBeGreaterThan(0);
    for (let i = 0; i < 2_500; i += 1) record('tick', { i });
    const kept = timeline.recent(5_000);
    expect(kept).toHaveLength(2_000);
    expect(kept[0]?.seq).toBe(503);
    expect(kept.at(-1)?.seq).toBe(2_502);
    expect(timeline.recent(3).map((e) => e.seq)).toEqual([2_500, 2_501, 2_502]);
    expect(emitted).toHaveLength(2_502);
  });
});
