// A virtual event loop with Node's timer rules, for the deadline scheduler's unit tests: a
// timer counts whole milliseconds from the loop's whole-millisecond clock (so it may fire up to
// 1 ms before `now + ms`, and a little after, as libuv wakes), and a turn of the loop
// (`setImmediate`) costs a few microseconds. `block` is the loop busy with other work.
import type { SchedulerHost } from '../../../../electron/engine/faults/network/deadline-scheduler';

interface Pending {
  at: number;
  fn: () => void;
  kind: 'timer' | 'immediate';
  order: number;
}

export class FakeLoop implements SchedulerHost {
  time = 1_000;
  /** How long after its whole-ms expiry a timer's callback runs (libuv waking up). */
  timerWakeMs = 0.05;
  /** The cost of one turn of the loop. */
  turnMs = 0.005;
  private order = 0;
  private readonly pending = new Set<Pending>();
  maxTimers = 0;
  maxImmediates = 0;

  now = (): number => this.time;

  setTimeout = (fn: () => void, ms: number): unknown => this.add({ at: Math.floor(this.time) + Math.max(1, Math.trunc(ms)) + this.timerWakeMs, fn, kind: 'timer', order: this.order++ });

  clearTimeout = (handle: unknown): void => {
    this.pending.delete(handle as Pending);
  };

  setImmediate = (fn: () => void): unknown => this.add({ at: this.time + this.turnMs, fn, kind: 'immediate', order: this.order++ });

  clearImmediate = (handle: unknown): void => {
    this.pending.delete(handle as Pending);
  };

  count(kind: Pending['kind']): number {
    let n = 0;
    for (const p of this.pending) if (p.kind === kind) n += 1;
    return n;
  }

  /** The loop does other work for `ms`: nothing of ours runs meanwhile. */
  block(ms: number): void {
    this.time += ms;
  }

  /** Runs whatever is due, in time order, until `until` (absolute). */
  runUntil(until: number): void {
    for (;;) {
      let next: Pending | undefined;
      for (const p of this.pending) if (p.at <= until && (!next || p.at < next.at || (p.at === next.at && p.order < next.order))) next = p;
      if (!next) break;
      this.pending.delete(next);
      this.time = Math.max(this.time, next.at);
      next.fn();
    }
    this.time = Math.max(this.time, until);
  }

  run(ms: number): void {
    this.runUntil(this.time + ms);
  }

  private add(p: Pending): Pending {
    this.pending.add(p);
    this.maxTimers = Math.max(this.maxTimers, this.count('timer'));
    this.maxImmediates = Math.max(this.maxImmediates, this.count('immediate'));
    return p;
  }
}
