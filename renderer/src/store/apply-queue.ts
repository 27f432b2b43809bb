// Live events are applied to the store once per animation frame, not one by one as they arrive: a
// node's exit sends five or so events at once (timeline, incident, balancer, node, traffic), and
// each store change applied alone costs a React render on the main thread before the next message
// is even read. Queued, they are applied together in the frame that paints them: one render.
// Order is kept (one FIFO for every event), and whatever replaces the store's lab wholesale
// (a snapshot, a command's answer) flushes the queue first, so a queued event never lands on top of it.

/** What the queue needs of the page: frames, timers, and whether the page is hidden (no frames then). */
export interface FrameClock {
  requestFrame(run: () => void): () => void;
  setTimer(run: () => void, ms: number): () => void;
  hidden(): boolean;
}

/**
 * A frame that has not come by then (a page that stopped painting without saying it is hidden, a
 * frame held up by a long task) does not hold the events longer: they are applied by a timer.
 */
export const FALLBACK_MS = 100;

const browserClock: FrameClock = {
  requestFrame: (run) => {
    if (typeof requestAnimationFrame !== 'function') return browserClock.setTimer(run, 0);
    const id = requestAnimationFrame(() => run());
    return () => cancelAnimationFrame(id);
  },
  setTimer: (run, ms) => {
    const id = setTimeout(run, ms);
    return () => clearTimeout(id);
  },
  hidden: () => typeof document !== 'undefined' && document.visibilityState === 'hidden',
};

export class ApplyQueue {
  private items: Array<() => void> = [];
  private head = 0;
  private cancels: Array<() => void> = [];

  constructor(
    private readonly clock: FrameClock = browserClock,
    private readonly fallbackMs = FALLBACK_MS,
  ) {}

  /** Events waiting for the next frame. */
  get size(): number {
    return this.items.length - this.head;
  }

  /** Queues one store change; it runs at the next frame (or flush), after everything queued before it. */
  push(apply: () => void): void {
    this.items.push(apply);
    if (this.cancels.length > 0) return;
    const run = () => this.flush();
    // A hidden page gets no frames: a timer applies the events (browsers slow it down; it still runs).
    if (this.clock.hidden()) this.cancels.push(this.clock.setTimer(run, 0));
    else this.cancels.push(this.clock.requestFrame(run), this.clock.setTimer(run, this.fallbackMs));
  }

  /** Applies everything queued, in order, now. Safe to call from inside an apply: the same queue goes on in order. */
  flush(): void {
    for (const cancel of this.cancels.splice(0)) cancel();
    while (this.head < this.items.length) {
      const apply = this.items[this.head++]!;
      try {
        apply();
      } catch (error) {
        // One event the store could not take must not lose the ones after it.
        console.error('firedrill: a live event could not be applied', error);
      }
    }
    this.items = [];
    this.head = 0;
  }
}

/** The live connection's queue; `applySnapshot` and command answers flush it first. */
export const liveQueue = new ApplyQueue();
