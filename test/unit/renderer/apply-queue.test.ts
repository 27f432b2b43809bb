import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { LabSnapshot, NodeSnapshot, TimelineEvent } from '../../../shared/contract/model';

// Live events are applied to the store once per frame (renderer/src/store/apply-queue.ts): on a fake
// clock, the order they came in is kept, one frame takes them all, a hidden page (no frames) still
// catches up by a timer, and a snapshot flushes the queue before it lands. Loaded by a path the
// node-side tsc does not follow, as the other renderer tests.
const store = '../../../renderer/src/store/';
interface FrameClock {
  requestFrame(run: () => void): () => void;
  setTimer(run: () => void, ms: number): () => void;
  hidden(): boolean;
}
interface ApplyQueue {
  readonly size: number;
  push(apply: () => void): void;
  flush(): void;
}
const { ApplyQueue, liveQueue, FALLBACK_MS } = (await import(`${store}apply-queue`)) as {
  ApplyQueue: new (clock?: FrameClock, fallbackMs?: number) => ApplyQueue;
  liveQueue: ApplyQueue;
  FALLBACK_MS: number;
};
const actions = (await import(`${store}actions`)) as {
  applySnapshot(snapshot: LabSnapshot): void;
  applyNode(node: NodeSnapshot): void;
  addTimelineEvents(events: TimelineEvent[]): void;
};
interface State {
  lab: { nodeIds: string[]; nodes: Record<string, NodeSnapshot> };
  timeline: { events: TimelineEvent[] };
}
const { useStore } = (await import(`${store}store`)) as { useStore: { getState: () => State; getInitialState: () => State; setState: (s: State, replace: true) => void; subscribe: (listener: () => void) => () => void } };

/** Frames and timers that run only when the test says so. */
class FakeClock implements FrameClock {
  frames: Array<() => void> = [];
  timers: Array<{ run: () => void; ms: number }> = [];
  isHidden = false;
  requestFrame(run: () => void): () => void {
    this.frames.push(run);
    return () => (this.frames = this.frames.filter((f) => f !== run));
  }
  setTimer(run: () => void, ms: number): () => void {
    const timer = { run, ms };
    this.timers.push(timer);
    return () => (this.timers = this.timers.filter((t) => t !== timer));
  }
  hidden(): boolean {
    return this.isHidden;
  }
  frame(): void {
    for (const run of this.frames.splice(0)) run();
  }
  /** Runs the timers due within `ms`. */
  elapse(ms: number): void {
    const due = this.timers.filter((t) => t.ms <= ms);
    this.timers = this.timers.filter((t) => t.ms > ms);
    for (const t of due) t.run();
  }
}

const node = (id: string, status: string): NodeSnapshot => ({ id, status }) as unknown as NodeSnapshot;
const event = (seq: number): TimelineEvent => ({ seq, at: seq * 10, kind: 'node.exited', detail: {} }) as unknown as TimelineEvent;
const snapshot = (nodes: NodeSnapshot[]): LabSnapshot =>
  ({
    version: '1',
    runDir: '/run/q',
    fleet: { name: 'f', status: 'running' },
    topology: null,
    nodes,
    balancer: { settings: {}, upstreams: [] },
    traffic: { ledger: { acked: 0, checked: 0, lost: 0, stale: 0, checkedAt: null } },
    incidents: [],
    faults: [],
    timeline: [],
  }) as unknown as LabSnapshot;

beforeEach(() => {
  liveQueue.flush();
  useStore.setState(useStore.getInitialState(), true);
});

describe('the live apply queue', () => {
  it('applies nothing until the frame, then everything queued, in the order it came', () => {
    const clock = new FakeClock();
    const queue = new ApplyQueue(clock);
    const seen: string[] = [];
    for (const name of ['timeline', 'incident', 'balancer', 'node', 'traffic']) queue.push(() => seen.push(name));
    expect(seen).toEqual([]);
    expect(queue.size).toBe(5);
    expect(clock.frames).toHaveLength(1); // one frame for the five
    clock.frame();
    expect(seen).toEqual(['timeline', 'incident', 'balancer', 'node', 'traffic']);
    expect(queue.size).toBe(0);
    expect(clock.timers).toEqual([]); // the fallback timer went with the frame
  });

  it('keeps one node’s changes in order through the store: the last one received is shown', () => {
    const clock = new FakeClock();
    const queue = new ApplyQueue(clock);
    actions.applySnapshot(snapshot([node('a1', 'ready')]));
    queue.push(() => actions.applyNode(node('a1', 'backoff')));
    queue.push(() => actions.addTimelineEvents([event(1)]));
    queue.push(() => actions.applyNode(node('a1', 'starting')));
    queue.push(() => actions.addTimelineEvents([event(2)]));
    expect(useStore.getState().lab.nodes.a1?.status).toBe('ready');
    let notified = 0;
    const stop = useStore.subscribe(() => notified++);
    clock.frame();
    stop();
    expect(useStore.getState().lab.nodes.a1?.status).toBe('starting');
    expect(useStore.getState().timeline.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(notified).toBe(4); // four store changes in one task: React renders them once
  });

  it('a hidden page gets no frame: a timer applies the events', () => {
    const clock = new FakeClock();
    clock.isHidden = true;
    const queue = new ApplyQueue(clock);
    const seen: number[] = [];
    queue.push(() => seen.push(1));
    queue.push(() => seen.push(2));
    expect(clock.frames).toEqual([]);
    expect(clock.timers.map((t) => t.ms)).toEqual([0]);
    clock.elapse(0);
    expect(seen).toEqual([1, 2]);
  });

  it('a frame that does not come (a page that stopped painting) does not hold the events past the fallback', () => {
    const clock = new FakeClock();
    const queue = new ApplyQueue(clock);
    const seen: number[] = [];
    queue.push(() => seen.push(1));
    clock.elapse(FALLBACK_MS - 1);
    expect(seen).toEqual([]);
    clock.elapse(FALLBACK_MS);
    expect(seen).toEqual([1]);
    expect(clock.frames).toEqual([]); // the frame no longer runs the (empty) queue
    queue.push(() => seen.push(2)); // the next event asks for a frame of its own
    expect(clock.frames).toHaveLength(1);
    clock.frame();
    expect(seen).toEqual([1, 2]);
  });

  it('a flush from inside an apply goes on with the same queue, in order; one failing apply loses no other', () => {
    const clock = new FakeClock();
    const queue = new ApplyQueue(clock);
    const seen: number[] = [];
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    queue.push(() => {
      seen.push(1);
      queue.flush();
      seen.push(11);
    });
    queue.push(() => seen.push(2));
    queue.push(() => {
      throw new Error('bad event');
    });
    queue.push(() => seen.push(3));
    clock.frame();
    expect(error).toHaveBeenCalledTimes(1);
    error.mockRestore();
    expect(seen).toEqual([1, 2, 3, 11]);
    expect(queue.size).toBe(0);
  });

  it('a snapshot flushes the live queue first: a queued event never lands on top of it', () => {
    actions.applySnapshot(snapshot([node('a1', 'ready'), node('a2', 'ready')]));
    liveQueue.push(() => actions.applyNode(node('a1', 'backoff'))); // received before the snapshot was answered
    liveQueue.push(() => actions.applyNode(node('a2', 'stopped')));
    actions.applySnapshot(snapshot([node('a1', 'starting'), node('a2', 'ready')]));
    expect(liveQueue.size).toBe(0);
    liveQueue.flush(); // what the frame would do
    const { nodes } = useStore.getState().lab;
    expect([nodes.a1?.status, nodes.a2?.status]).toEqual(['starting', 'ready']);
  });
});
