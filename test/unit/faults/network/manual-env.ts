// A virtual clock and deadlines for toxic stages, plus a sink that records what comes out,
// so each toxic's rules are checked exactly, without sleeping.
import type { Chunk, ChunkSink, Ending, LinkControl, ToxicEnv } from '../../../../electron/engine/faults/network/toxic-stage';

export class ManualEnv implements ToxicEnv {
  time = 1_000;
  private nextId = 1;
  private readonly timers = new Map<number, { due: number; fn: () => void }>();

  constructor(private readonly randomValues: number[] = []) {}

  now = (): number => this.time;

  random = (): number => {
    const value = this.randomValues.shift();
    return value ?? 0.5;
  };

  /** As the scheduler: exactly at `due`, never before (a passed deadline runs on the next advance). */
  at = (due: number, fn: () => void): unknown => {
    const id = this.nextId++;
    this.timers.set(id, { due, fn });
    return id;
  };

  cancel = (handle: unknown): void => {
    this.timers.delete(handle as number);
  };

  /** Runs what is due at the current time (as the scheduler does on an I/O event). */
  poll = (): void => {
    this.advance(0);
  };

  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward, firing timers in due order at their due time. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      let next: [number, { due: number; fn: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].due <= target && (!next || entry[1].due < next[1].due)) next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = Math.max(this.time, next[1].due);
      next[1].fn();
    }
    this.time = target;
  }
}

export type Seen = { kind: 'data'; text: string; at: number; t: number } | { kind: 'end'; ending: Ending; t: number };

export class RecordingSink implements ChunkSink {
  readonly seen: Seen[] = [];
  constructor(private readonly env: ManualEnv) {}

  push(chunk: Chunk): void {
    this.seen.push({ kind: 'data', text: chunk.data.toString(), at: chunk.at, t: this.env.time });
  }

  finish(ending: Ending): void {
    this.seen.push({ kind: 'end', ending, t: this.env.time });
  }

  get text(): string {
    return this.seen.map((s) => (s.kind === 'data' ? s.text : '')).join('');
  }

  get data(): Array<Extract<Seen, { kind: 'data' }>> {
    return this.seen.filter((s): s is Extract<Seen, { kind: 'data' }> => s.kind === 'data');
  }

  get endings(): Array<Extract<Seen, { kind: 'end' }>> {
    return this.seen.filter((s): s is Extract<Seen, { kind: 'end' }> => s.kind === 'end');
  }
}

export class RecordingControl implements LinkControl {
  resets: number[] = [];
  constructor(private readonly env: ManualEnv) {}
  reset = (): void => {
    this.resets.push(this.env.time);
  };
}

export function chunk(env: ManualEnv, text: string, at = env.time): Chunk {
  return { data: Buffer.from(text), at };
}
