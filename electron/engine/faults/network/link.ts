// One direction of one proxied connection: source socket → toxic stages → destination socket
// (Toxiproxy's ToxicLink). With no toxic, chunks go straight from `data` to `dest.write` with
// the usual backpressure, nothing else. Stages are appended and removed live; since this all
// runs on one thread, a swap happens between two chunks and never loses or reorders bytes.
import type { Socket } from 'node:net';
import type { Chunk, ChunkSink, Ending, ToxicAttributes, ToxicStage } from './toxic-stage';
import type { ToxicStream } from './toxic-spec';

/** Bytes read but not yet written that make the link stop reading (a toxic holding data). */
export const HIGH_WATER_BYTES = 1 << 20;
const LOW_WATER_BYTES = HIGH_WATER_BYTES / 2;

export interface LinkOwner {
  /** A toxic closed the connection (FIN both ways once written). */
  closeGracefully(): void;
}

export interface ByteCounters {
  upstream: number;
  downstream: number;
}

export class Link {
  private readonly stages: Array<{ name: string; stage: ToxicStage }> = [];
  private readonly sink: ChunkSink;
  private head: ChunkSink;
  /** Read from the source and not yet handed to `dest.write`. */
  private pending = 0;
  private destFull = false;
  private sourcePaused = false;
  private frozen = false;
  private readonly frozenItems: Array<Chunk | Ending> = [];
  private done = false;

  constructor(
    readonly direction: ToxicStream,
    private readonly source: Socket,
    private readonly dest: Socket,
    private readonly owner: LinkOwner,
    private readonly counters: ByteCounters,
    private readonly clock: () => number,
    /** Runs the thread's overdue toxic deadlines (any connection's): every read is a chance to. */
    private readonly poll: () => void = () => undefined,
  ) {
    this.sink = { push: (chunk) => this.deliver(chunk), finish: (ending) => this.end(ending) };
    this.head = this.sink;
  }

  start(): void {
    this.source.on('data', this.onData);
    this.source.on('end', this.onEnd);
    this.dest.on('drain', this.onDrain);
    this.flow();
    if (!this.sourcePaused) this.source.resume();
  }

  get toxicNames(): string[] {
    return this.stages.map((s) => s.name);
  }

  /** Appends at the end of the chain (as Toxiproxy does): data already held upstream of it passes through it too. */
  addStage(name: string, stage: ToxicStage): void {
    if (this.done) {
      stage.dispose();
      return;
    }
    stage.next = this.sink;
    const last = this.stages[this.stages.length - 1];
    if (last) last.stage.next = stage;
    else this.head = stage;
    this.stages.push({ name, stage });
  }

  updateStage(name: string, attributes: ToxicAttributes): void {
    this.stages.find((s) => s.name === name)?.stage.update(attributes);
  }

  /** Hands on what the stage holds, in order, then takes it out of the chain. */
  removeStage(name: string): void {
    const index = this.stages.findIndex((s) => s.name === name);
    const entry = this.stages[index];
    if (!entry) return;
    entry.stage.release();
    if (this.done) return; // releasing a held FIN/close may have ended the connection
    const previous = this.stages[index - 1];
    if (previous) previous.stage.next = entry.stage.next;
    else this.head = entry.stage.next;
    this.stages.splice(index, 1);
    entry.stage.dispose();
    this.flow();
  }

  /** Blackhole: stop reading, keep what arrives at the end of the chain until `thaw`. */
  freeze(): void {
    this.frozen = true;
    this.flow();
  }

  thaw(): void {
    if (!this.frozen) return;
    this.frozen = false;
    for (const item of this.frozenItems.splice(0)) {
      if (this.done) return;
      if (typeof item === 'string') this.end(item);
      else this.deliver(item);
    }
    this.flow();
  }

  /** The connection is over: timers off, nothing more is written. */
  dispose(): void {
    if (this.done) return;
    this.done = true;
    for (const { stage } of this.stages) stage.dispose();
    this.stages.length = 0;
    this.head = this.sink;
    this.frozenItems.length = 0;
    this.source.off('data', this.onData);
    this.source.off('end', this.onEnd);
    this.dest.off('drain', this.onDrain);
  }

  private readonly onData = (data: Buffer): void => {
    this.poll(); // may end this very connection (a held close), hence the check after it
    if (this.done) return;
    if (this.head === this.sink && !this.frozen) {
      this.write(data);
      return;
    }
    this.pending += data.length;
    this.head.push({ data, at: this.clock() });
    this.flow();
  };

  private readonly onEnd = (): void => {
    if (!this.done) this.head.finish('end');
  };

  private readonly onDrain = (): void => {
    this.destFull = false;
    this.flow();
  };

  private deliver(chunk: Chunk): void {
    if (this.done) return;
    if (this.frozen) {
      this.frozenItems.push(chunk);
      return;
    }
    this.pending -= chunk.data.length;
    this.write(chunk.data);
    this.flow();
  }

  private write(data: Buffer): void {
    if (this.dest.destroyed || this.dest.writableEnded) return;
    this.counters[this.direction] += data.length;
    if (!this.dest.write(data)) {
      this.destFull = true;
      this.flow();
    }
  }

  private end(ending: Ending): void {
    if (this.done) return;
    if (this.frozen) {
      this.frozenItems.push(ending);
      return;
    }
    if (ending === 'close') this.owner.closeGracefully();
    else if (!this.dest.destroyed && !this.dest.writableEnded) this.dest.end();
  }

  /** Pauses the source while the destination is full, the chain holds too much, or the link is frozen. */
  private flow(): void {
    if (this.done) return;
    const stop = this.frozen || this.destFull || this.pending >= HIGH_WATER_BYTES;
    if (stop && !this.sourcePaused) {
      this.sourcePaused = true;
      this.source.pause();
    } else if (!stop && this.sourcePaused && this.pending <= LOW_WATER_BYTES) {
      this.sourcePaused = false;
      this.source.resume();
    }
  }
}
