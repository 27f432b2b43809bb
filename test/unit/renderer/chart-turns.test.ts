import { afterEach, describe, expect, it, vi } from 'vitest';

// The renderer is type-checked by its own (web) tsconfig: loaded here by a path tsc does not follow.
const { ChartTurns, CATCH_UP_MS } = (await import(`${'../../../renderer/src/components/charts/'}chart-turns`)) as {
  ChartTurns: new (every: number, turn: number, redraw: () => void, visible: () => boolean) => { stale: boolean; frame(): void; shown(): void; dispose(): void };
  CATCH_UP_MS: number;
};

afterEach(() => vi.useRealTimers());

describe('charts taking turns', () => {
  it('three charts redrawn every third frame share the frames: one each, and each on every third', () => {
    const drawn: string[][] = [];
    let frame: string[] = [];
    const charts = ['a', 'b', 'c'].map((id, turn) => new ChartTurns(3, turn, () => frame.push(id), () => true));
    for (let i = 0; i < 9; i++) {
      frame = [];
      for (const c of charts) c.frame();
      drawn.push(frame);
    }
    expect(drawn.map((f) => f.length)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(drawn.flat().filter((id) => id === 'a')).toHaveLength(3);
  });

  it('live frames every 100 ms: no redraw besides its turns (the catch-up never fires)', () => {
    vi.useFakeTimers();
    let draws = 0;
    const chart = new ChartTurns(3, 0, () => draws++, () => true);
    for (let i = 0; i < 30; i++) {
      chart.frame();
      vi.advanceTimersByTime(100);
    }
    expect(draws).toBe(10);
    chart.dispose();
  });

  it('the frames stop on one that was not its turn (a replay paused): it catches up by itself, once', () => {
    vi.useFakeTimers();
    let draws = 0;
    const chart = new ChartTurns(3, 0, () => draws++, () => true);
    chart.frame(); // skipped: turn 1 of 3
    expect(chart.stale).toBe(true);
    expect(draws).toBe(0);
    vi.advanceTimersByTime(CATCH_UP_MS * 3 - 1);
    expect(draws).toBe(0);
    vi.advanceTimersByTime(1);
    expect(draws).toBe(1);
    expect(chart.stale).toBe(false);
    vi.advanceTimersByTime(10_000);
    expect(draws).toBe(1);
  });

  it('out of view: never redrawn, and drawn at once when shown again if behind', () => {
    vi.useFakeTimers();
    let draws = 0;
    let visible = false;
    const chart = new ChartTurns(1, 0, () => draws++, () => visible);
    for (let i = 0; i < 5; i++) chart.frame();
    vi.advanceTimersByTime(10_000);
    expect(draws).toBe(0);
    visible = true;
    chart.shown();
    expect(draws).toBe(1);
    chart.shown(); // not behind now
    expect(draws).toBe(1);
  });
});
