// One shared timer for every per-try timeout. Entries are kept in deadline order in an intrusive
// doubly linked list (no allocation per entry); the single timer is armed for the earliest
// deadline. Tries mostly arrive in deadline order, so an insert is O(1) and a removal (the usual
// case: the response came in time) is O(1) and touches no timer.
import { now } from '../clock';

export interface DeadlineEntry {
  deadline: number;
  dqPrev: DeadlineEntry | null;
  dqNext: DeadlineEntry | null;
  dqQueued: boolean;
}

export class DeadlineQueue<E extends DeadlineEntry> {
  private head: E | null = null;
  private tail: E | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** The deadline the timer is armed for (Infinity when unarmed). */
  private armedFor = Infinity;
  private disposed = false;

  /** `onExpire(entry, at)` runs when an entry's deadline passes; `at` is when the timer fired. */
  constructor(private readonly onExpire: (entry: E, at: number) => void) {}

  get size(): number {
    let n = 0;
    for (let e = this.head; e !== null; e = e.dqNext as E | null) n++;
    return n;
  }

  add(entry: E, deadline: number): void {
    if (this.disposed) return;
    entry.deadline = deadline;
    entry.dqQueued = true;
    // Walk back from the tail past later deadlines (only after a shorter timeout was set).
    let after = this.tail;
    while (after !== null && after.deadline > deadline) after = after.dqPrev as E | null;
    entry.dqPrev = after;
    entry.dqNext = after === null ? this.head : after.dqNext;
    if (entry.dqNext === null) this.tail = entry;
    else entry.dqNext.dqPrev = entry;
    if (after === null) this.head = entry;
    else after.dqNext = entry;
    if (deadline < this.armedFor) this.arm(deadline);
  }

  remove(entry: E): void {
    if (!entry.dqQueued) return;
    entry.dqQueued = false;
    const prev = entry.dqPrev as E | null;
    const next = entry.dqNext as E | null;
    if (prev === null) this.head = next;
    else prev.dqNext = next;
    if (next === null) this.tail = prev;
    else next.dqPrev = prev;
    entry.dqPrev = null;
    entry.dqNext = null;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    while (this.head !== null) this.remove(this.head);
  }

  private arm(deadline: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.armedFor = deadline;
    this.timer = setTimeout(this.fire, Math.max(1, Math.ceil(deadline - now())));
    this.timer.unref();
  }

  private readonly fire = (): void => {
    this.timer = null;
    this.armedFor = Infinity;
    const at = now();
    while (this.head !== null && this.head.deadline <= at) {
      const entry = this.head;
      this.remove(entry);
      this.onExpire(entry, at);
    }
    if (this.head !== null && this.head.deadline < this.armedFor) this.arm(this.head.deadline);
  };
}
