// When a live chart redraws: on every n-th metrics frame (its turn, so that charts shown many at
// once share the frames), at once when it comes back into view behind, and by itself once the
// frames stop while it is behind (a replay paused on a frame that was not its turn).

/** A chart that skipped the last frame redraws after this (times its `every`) if no frame came since. */
export const CATCH_UP_MS = 120;

export class ChartTurns {
  /** Whether what it shows is older than the last frame. */
  stale = false;
  private frames: number;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * `every`: redraw on every n-th frame; `turn`: where it starts among them (charts made together
   * take consecutive turns); `visible`: whether it is in view now (out of view it is never redrawn).
   */
  constructor(
    private readonly every: number,
    turn: number,
    private readonly redraw: () => void,
    private readonly visible: () => boolean,
    private readonly catchUpMs = CATCH_UP_MS,
  ) {
    this.frames = turn;
  }

  /** A metrics frame arrived. */
  frame(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const visible = this.visible();
    if (visible && ++this.frames % this.every === 0) return this.draw();
    this.stale = true;
    if (!visible) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stale && this.visible()) this.draw();
    }, this.catchUpMs * this.every);
  }

  /** It came into view: drawn at once if it is behind. */
  shown(): void {
    if (this.stale) this.draw();
  }

  dispose(): void {
    clearTimeout(this.timer);
  }

  private draw(): void {
    this.stale = false;
    this.redraw();
  }
}
