import type { LogLine } from '../../../shared/contract/model.js';

/** A fixed-size ring of log lines: pushing past the capacity overwrites the oldest line. */
export class LogRing {
  private readonly lines: LogLine[] = [];
  private start = 0;
  /** Lines overwritten here, plus lines the engine reported dropped for this node. */
  dropped = 0;
  /** Lines ever pushed: line k (0-based, oldest first) keeps the same number while it is kept. */
  pushed = 0;

  constructor(readonly capacity: number) {}

  push(line: LogLine): void {
    this.pushed++;
    if (this.lines.length < this.capacity) {
      this.lines.push(line);
      return;
    }
    this.lines[this.start] = line;
    this.start = (this.start + 1) % this.capacity;
    this.dropped++;
  }

  get size(): number {
    return this.lines.length;
  }

  /** The newest `count` lines, oldest first, and the number of the first one (a stable key). */
  tail(count: number): { first: number; lines: LogLine[] } {
    const ordered = this.start === 0 ? this.lines : [...this.lines.slice(this.start), ...this.lines.slice(0, this.start)];
    const lines = ordered.slice(Math.max(0, ordered.length - count));
    return { first: this.pushed - lines.length, lines };
  }
}
