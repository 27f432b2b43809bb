// When toxics release what they hold: one scheduler per thread for every proxy's deadlines, on
// the monotonic clock (`clock.ts`). Node's timers count whole milliseconds (a timer may fire up to
// a millisecond before or after the time asked), so the scheduler keeps one timer, aimed a little
// before the earliest deadline, and finishes the last stretch by turning the event loop
// (`setImmediate`) until the deadline has passed — I/O still runs between turns. On every wake it
// runs every deadline that has passed, in deadline order. A deadline is never run early.
//
// Turning the loop costs CPU while it waits, so it is bounded: the scheduler spins only when a
// deadline is at most `spinWindowMs` away, and only as long as its turns cost at most `spinShare`
// of a core in each `budgetWindowMs`. Each turn is charged `turnCostMs`, what an idle turn costs
// (0.8 µs measured on the 2-core VM; charged 1 µs); a loop busy with I/O takes fewer turns, so the
// same budget allows more spinning there. Past the budget it falls back to plain timers (a release
// then lands up to ~1 ms late, as before this scheduler) until the next window.

export interface SchedulerHost {
  /** Milliseconds, monotonic, sub-millisecond (the toxics' clock). */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setImmediate(fn: () => void): unknown;
  clearImmediate(handle: unknown): void;
}

export interface SchedulerOptions {
  /** The timer is aimed this many ms before the deadline, so it wakes before it (Node's timers may also fire late). */
  guardMs?: number;
  /** Spin (turn the loop) only when the deadline is at most this far; further off, a timer. ≥ guardMs + 1. */
  spinWindowMs?: number;
  /** At most this share (0–1) of a core spent turning the loop per budget window; 0 never spins. */
  spinShare?: number;
  budgetWindowMs?: number;
  /** What one idle turn of the loop costs (ms of CPU), to charge the budget. */
  turnCostMs?: number;
}

/** A pending deadline; the handle `at` returns. */
export interface Deadline {
  readonly due: number;
  /** @internal */ fn: () => void;
  /** @internal position in the heap, −1 once run or cancelled */ index: number;
  /** @internal FIFO among equal deadlines */ seq: number;
}

export interface SchedulerStats {
  /** Deadlines run. */
  fired: number;
  /** Sum and max of (run time − deadline), ms: how late the scheduler ran them. */
  lateSumMs: number;
  lateMaxMs: number;
  /** Wakes by a timer, and turns of the loop taken (setImmediate). */
  timerWakes: number;
  turns: number;
  /** Wall time spent spinning before a deadline, ms (the loop may have done other work meanwhile). */
  spinMs: number;
  /** Turns taken while spinning (each charged `turnCostMs`). */
  spinTurns: number;
  /** Wakes from `poll` (an I/O event) that found deadlines due. */
  polled: number;
  /** Times the spin budget was spent and a timer used instead. */
  overBudget: number;
  /** Deadlines pending now. */
  pending: number;
}

const DEFAULTS: Required<SchedulerOptions> = { guardMs: 0.25, spinWindowMs: 2.5, spinShare: 0.25, budgetWindowMs: 100, turnCostMs: 0.001 };

export class DeadlineScheduler {
  private readonly heap: Deadline[] = [];
  private readonly options: Required<SchedulerOptions>;
  private seq = 0;
  private timer: unknown = null;
  /** The deadline the armed timer aims at (a later head keeps it: an early wake costs nothing). */
  private timerFor = Infinity;
  private immediate: unknown = null;
  private running = false;
  /** When the current spin began (an immediate queued for a deadline not yet due). */
  private spinSince: number | null = null;
  private windowStart = -Infinity;
  /** CPU charged to spinning in the current budget window, ms. */
  private windowSpin = 0;
  private readonly counters = { fired: 0, lateSumMs: 0, lateMaxMs: 0, timerWakes: 0, turns: 0, spinMs: 0, spinTurns: 0, polled: 0, overBudget: 0 };

  constructor(
    private readonly host: SchedulerHost,
    options: SchedulerOptions = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
    this.options.spinWindowMs = Math.max(this.options.spinWindowMs, this.options.guardMs + 1);
  }

  now(): number {
    return this.host.now();
  }

  /** Runs `fn` once, at `due` or as soon after as the loop allows; never before. */
  at(due: number, fn: () => void): Deadline {
    const entry: Deadline = { due, fn, index: this.heap.length, seq: this.seq++ };
    this.heap.push(entry);
    this.up(entry.index);
    if (entry.index === 0) this.arm();
    return entry;
  }

  /** Forgets a deadline not yet run (run or cancelled ones are ignored). */
  cancel(entry: Deadline): void {
    const i = entry.index;
    if (i < 0 || this.heap[i] !== entry) return;
    entry.index = -1;
    const last = this.heap.pop() as Deadline;
    if (last !== entry) {
      this.heap[i] = last;
      last.index = i;
      this.down(i);
      this.up(last.index);
    }
    if (this.heap.length === 0) this.disarm();
  }

  /**
   * Runs what has passed now, if anything: called on every I/O event of the proxies (a socket read),
   * so under load deadlines are met by turns the loop takes anyway, without spinning for them.
   */
  poll(): void {
    const head = this.heap[0];
    if (this.running || !head || head.due > this.host.now()) return;
    this.counters.polled += 1;
    this.wake();
  }

  stats(): SchedulerStats {
    return { ...this.counters, pending: this.heap.length };
  }

  /** Sets the wake for the earliest deadline: a turn of the loop if it is close or passed, else a timer. */
  private arm(): void {
    if (this.running) return; // the wake in progress arms once it is done
    const head = this.heap[0];
    if (!head) {
      this.disarm();
      return;
    }
    if (this.immediate !== null) return; // the next turn looks again
    const now = this.host.now();
    const wait = head.due - now;
    if (wait <= 0) {
      this.turn(now, false);
      return;
    }
    const spin = wait <= this.options.spinWindowMs && this.spinAllowed(now);
    if (spin) {
      this.turn(now, true);
      return;
    }
    if (this.timer !== null && this.timerFor <= head.due) return;
    if (this.timer !== null) this.host.clearTimeout(this.timer);
    // Aimed early (the spin finishes), or — over budget — at the deadline itself, re-armed if early.
    const ms = this.spinBudgetLeft(now) ? Math.floor(wait - this.options.guardMs) : Math.ceil(wait);
    this.timer = this.host.setTimeout(this.onTimer, Math.max(1, ms));
    this.timerFor = head.due;
  }

  private turn(now: number, spinning: boolean): void {
    if (this.timer !== null) {
      this.host.clearTimeout(this.timer);
      this.timer = null;
      this.timerFor = Infinity;
    }
    if (spinning && this.spinSince === null) this.spinSince = now;
    this.immediate = this.host.setImmediate(this.onImmediate);
  }

  private disarm(): void {
    if (this.timer !== null) this.host.clearTimeout(this.timer);
    if (this.immediate !== null) this.host.clearImmediate(this.immediate);
    this.timer = null;
    this.timerFor = Infinity;
    this.immediate = null;
    if (this.spinSince !== null) this.endSpin(this.host.now());
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    this.timerFor = Infinity;
    this.counters.timerWakes += 1;
    this.wake();
  };

  private readonly onImmediate = (): void => {
    this.immediate = null;
    this.counters.turns += 1;
    if (this.spinSince !== null) {
      this.counters.spinTurns += 1;
      this.windowSpin += this.options.turnCostMs;
    }
    this.wake();
  };

  /** Runs every deadline that has passed, earliest first (ones added meanwhile included), then re-arms. */
  private wake(): void {
    const now = this.host.now();
    if (this.spinSince !== null) this.endSpin(now);
    this.running = true;
    try {
      for (;;) {
        const head = this.heap[0];
        if (!head || head.due > now) break;
        this.pop();
        const late = now - head.due;
        this.counters.fired += 1;
        this.counters.lateSumMs += late;
        if (late > this.counters.lateMaxMs) this.counters.lateMaxMs = late;
        head.fn();
      }
    } finally {
      this.running = false;
      this.arm();
    }
  }

  private endSpin(now: number): void {
    this.counters.spinMs += now - (this.spinSince as number);
    this.spinSince = null;
  }

  private spinBudgetLeft(now: number): boolean {
    if (now - this.windowStart >= this.options.budgetWindowMs) {
      this.windowStart = now;
      this.windowSpin = 0;
    }
    return this.windowSpin < this.options.spinShare * this.options.budgetWindowMs;
  }

  private spinAllowed(now: number): boolean {
    if (this.spinBudgetLeft(now)) return true;
    this.counters.overBudget += 1;
    return false;
  }

  private pop(): void {
    const top = this.heap[0] as Deadline;
    top.index = -1;
    const last = this.heap.pop() as Deadline;
    if (last !== top) {
      this.heap[0] = last;
      last.index = 0;
      this.down(0);
    }
  }

  private before(a: Deadline, b: Deadline): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  private up(i: number): void {
    const heap = this.heap;
    const item = heap[i] as Deadline;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as Deadline;
      if (!this.before(item, p)) break;
      heap[i] = p;
      p.index = i;
      i = parent;
    }
    heap[i] = item;
    item.index = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const item = heap[i] as Deadline;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && this.before(heap[r] as Deadline, heap[l] as Deadline) ? r : l;
      const c = heap[child] as Deadline;
      if (!this.before(c, item)) break;
      heap[i] = c;
      c.index = i;
      i = child;
    }
    heap[i] = item;
    item.index = i;
  }
}

let shared: DeadlineScheduler | null = null;

/** This thread's scheduler on the real clock and Node's timers (one for every proxy in the thread). */
export function threadScheduler(now: () => number): DeadlineScheduler {
  shared ??= new DeadlineScheduler({
    now,
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    setImmediate: (fn) => setImmediate(fn),
    clearImmediate: (handle) => clearImmediate(handle as ReturnType<typeof setImmediate>),
  });
  return shared;
}
