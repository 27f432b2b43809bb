// What every toxic stage is: one step of a link's chain (Toxiproxy's ToxicStub running one
// toxic). Chunks go in with `push`, the end of the stream with `finish`; the stage hands them
// to `next` when it sees fit. Single-threaded, so swapping `next` never races a chunk.

/** A piece of one direction's byte stream, stamped with when it reached the proxy (ms, `clock.ts`). */
export interface Chunk {
  data: Buffer;
  at: number;
}

/**
 * How a direction stops: `end` is the sender's FIN (passed on as a half-close); `close` is a toxic
 * closing the whole connection after what it let through (Toxiproxy's `stub.Close()`).
 */
export type Ending = 'end' | 'close';

export interface ChunkSink {
  push(chunk: Chunk): void;
  finish(ending: Ending): void;
}

/** Time and chance, injected so stages run on a virtual clock in unit tests. */
export interface ToxicEnv {
  /** ms on the monotonic clock (`clock.ts`), sub-millisecond. */
  now(): number;
  /** Calls `fn` once at `due` (ms on `now`'s clock) or just after, never before (`deadline-scheduler.ts`). */
  at(due: number, fn: () => void): unknown;
  /** Forgets a call `at` set (one already made or cancelled is ignored). */
  cancel(handle: unknown): void;
  /** Runs the calls whose time has passed, now (an I/O event: the loop is turning anyway). */
  poll(): void;
  /** Uniform in [0, 1). */
  random(): number;
}

/** What a stage may do to its connection besides passing data on. */
export interface LinkControl {
  /** RST both sides now, dropping whatever is held anywhere. */
  reset(): void;
}

export type ToxicAttributes = Record<string, number>;

const nowhere: ChunkSink = { push: () => undefined, finish: () => undefined };

export abstract class ToxicStage implements ChunkSink {
  /** Set by the link; read at every release, so relinking takes effect at once. */
  next: ChunkSink = nowhere;
  protected disposed = false;

  constructor(
    protected readonly env: ToxicEnv,
    protected readonly control: LinkControl,
  ) {}

  abstract push(chunk: Chunk): void;
  abstract finish(ending: Ending): void;
  /** New attributes (already validated, defaults filled) for this connection's stage. */
  abstract update(attributes: ToxicAttributes): void;
  /** The toxic is being removed: hand on everything held, in order, now. Never drops data. */
  abstract release(): void;

  /** The connection is gone: stop timers and forget what is held. */
  dispose(): void {
    this.disposed = true;
  }
}

/** A FIFO without O(n) shifts (a latency toxic may hold thousands of chunks). */
export class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head] as T;
    this.items[this.head] = undefined as T;
    this.head += 1;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  forEach(fn: (item: T) => void): void {
    for (let i = this.head; i < this.items.length; i += 1) fn(this.items[i] as T);
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}

export interface Scheduled {
  due: number;
  chunk: Chunk | null;
  ending: Ending | null;
}

/**
 * A stage that releases each item at a due time, in order (due times never go backwards), with
 * one deadline for the head on the thread's scheduler. Whenever it runs — its deadline, or a new
 * item arriving while the loop was too busy to run it — it releases every item whose time has
 * passed, so nothing waits for a later tick once its time has come.
 */
export abstract class ScheduledStage extends ToxicStage {
  private readonly queue = new Fifo<Scheduled>();
  private timer: unknown = null;
  private lastDue = -Infinity;

  protected get queued(): number {
    return this.queue.length;
  }

  /** Latency stamps the chunk with its release time so a later latency toxic adds to it. */
  protected stampOnRelease = false;

  protected schedule(due: number, chunk: Chunk | null, ending: Ending | null): void {
    if (this.disposed) return;
    const at = Math.max(due, this.lastDue);
    this.lastDue = at;
    if (this.queue.length > 0) {
      const now = this.env.now();
      // The head's time has passed but the loop has not run its deadline yet: release now.
      if ((this.queue.peek() as Scheduled).due <= now) this.releaseDue(now);
      if (this.disposed) return;
    }
    if (this.queue.length === 0 && at <= this.env.now()) {
      this.emit({ due: at, chunk, ending }, true);
      return;
    }
    this.queue.push({ due: at, chunk, ending });
    if (this.queue.length === 1) this.arm();
  }

  /** Recomputes every queued due time (attributes changed), keeping the order. */
  protected replan(dueOf: (item: Readonly<Scheduled>) => number): void {
    let last = -Infinity;
    this.queue.forEach((item) => {
      item.due = Math.max(dueOf(item), last);
      last = item.due;
    });
    this.lastDue = last;
    this.arm();
  }

  release(): void {
    this.cancel();
    while (!this.disposed && this.queue.length > 0) this.emit(this.queue.shift() as Scheduled, false);
  }

  override dispose(): void {
    super.dispose();
    this.cancel();
    this.queue.clear();
  }

  private emit(item: Scheduled, onTime: boolean): void {
    if (item.chunk) {
      if (onTime && this.stampOnRelease) item.chunk.at = item.due;
      this.next.push(item.chunk);
    } else if (item.ending) {
      this.next.finish(item.ending);
    }
  }

  private cancel(): void {
    if (this.timer !== null) this.env.cancel(this.timer);
    this.timer = null;
  }

  private arm(): void {
    this.cancel();
    const head = this.queue.peek();
    if (!head || this.disposed) return;
    this.timer = this.env.at(head.due, this.onDue);
  }

  /** Emits, in order, every item due by `now`; re-arms for the next one. */
  private releaseDue(now: number): void {
    for (;;) {
      const head = this.queue.peek();
      if (this.disposed || !head || head.due > now) break;
      this.emit(this.queue.shift() as Scheduled, true);
    }
    if (!this.disposed) this.arm();
  }

  private readonly onDue = (): void => {
    this.timer = null;
    this.releaseDue(this.env.now());
  };
}

/** A stage that holds everything reaching it until it is released (the toxic removed) or its own timer acts. */
export abstract class HoldingStage extends ToxicStage {
  protected readonly held = new Fifo<Chunk | Ending>();
  protected timer: unknown = null;

  /** Passes on everything held, in order, endings included. */
  release(): void {
    this.cancel();
    while (!this.disposed && this.held.length > 0) {
      const item = this.held.shift() as Chunk | Ending;
      if (typeof item === 'string') this.next.finish(item);
      else this.next.push(item);
    }
  }

  override dispose(): void {
    super.dispose();
    this.cancel();
    this.held.clear();
  }

  protected cancel(): void {
    if (this.timer !== null) this.env.cancel(this.timer);
    this.timer = null;
  }
}
