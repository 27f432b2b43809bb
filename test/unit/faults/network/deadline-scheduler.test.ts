import { describe, expect, it } from 'vitest';
import { DeadlineScheduler, type SchedulerOptions } from '../../../../electron/engine/faults/network/deadline-scheduler';
import { LatencyStage } from '../../../../electron/engine/faults/network/toxics/latency';
import type { Chunk, ToxicEnv } from '../../../../electron/engine/faults/network/toxic-stage';
import { FakeLoop } from './fake-loop';

function setup(options: SchedulerOptions = {}) {
  const loop = new FakeLoop();
  const scheduler = new DeadlineScheduler(loop, options);
  const fired: Array<{ id: number; due: number; t: number }> = [];
  const add = (id: number, due: number) => scheduler.at(due, () => fired.push({ id, due, t: loop.time }));
  return { loop, scheduler, fired, add };
}

/** A deterministic spread of fractional offsets. */
const offsets = (n: number, spacing: number): number[] => Array.from({ length: n }, (_, i) => (i + 1) * spacing + ((i * 0.618) % 1));

describe('deadline scheduler (on a loop with Node’s whole-millisecond timers)', () => {
  it('runs sub-millisecond deadlines on time: never before, at most one loop turn after', () => {
    const { loop, fired, add } = setup();
    const start = loop.time + 0.37;
    offsets(40, 7.3).forEach((o, i) => add(i, start + o));
    loop.run(400);
    expect(fired).toHaveLength(40);
    for (const f of fired) {
      expect(f.t).toBeGreaterThanOrEqual(f.due);
      expect(f.t - f.due).toBeLessThanOrEqual(loop.turnMs + 1e-9);
    }
  });

  it('with the spin budget at 0 it falls back to timers: never early, but up to ~1 ms late (what it fixes)', () => {
    const { loop, fired, add } = setup({ spinShare: 0 });
    offsets(40, 7.3).forEach((o, i) => add(i, loop.time + 0.37 + o));
    loop.run(400);
    const late = fired.map((f) => f.t - f.due);
    expect(Math.min(...late)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...late)).toBeGreaterThan(0.5);
    expect(Math.max(...late)).toBeLessThanOrEqual(1 + loop.timerWakeMs + 1e-9);
  });

  it('keeps one timer however many deadlines are pending, and runs them in deadline order (FIFO on ties)', () => {
    const { loop, fired, add } = setup();
    const dues = Array.from({ length: 1_000 }, (_, i) => loop.time + 1 + ((i * 7919) % 500) + (i % 3) * 0.25);
    dues.forEach((due, i) => add(i, due));
    add(1_000, dues[10] as number); // the same deadline as #10, added later
    loop.run(600);
    expect(fired).toHaveLength(1_001);
    expect(loop.maxTimers).toBeLessThanOrEqual(1);
    expect(loop.maxImmediates).toBeLessThanOrEqual(1);
    expect(loop.maxTimers + loop.maxImmediates).toBeGreaterThanOrEqual(1);
    for (let i = 1; i < fired.length; i += 1) expect((fired[i] as { due: number }).due).toBeGreaterThanOrEqual((fired[i - 1] as { due: number }).due);
    const tie = fired.findIndex((f) => f.id === 10);
    expect(fired[tie + 1]?.id).toBe(1_000);
    expect(fired.every((f) => f.t >= f.due)).toBe(true);
  });

  it('one wake runs every deadline that has passed (the loop was busy), in order', () => {
    const { loop, scheduler, fired, add } = setup();
    add(1, loop.time + 5);
    add(2, loop.time + 5.5);
    add(3, loop.time + 6.25);
    add(4, loop.time + 50);
    loop.block(10);
    const before = scheduler.stats();
    loop.run(0.1);
    expect(fired.map((f) => f.id)).toEqual([1, 2, 3]);
    expect(new Set(fired.map((f) => f.t)).size).toBe(1); // the same wake
    const after = scheduler.stats();
    expect(after.timerWakes + after.turns - (before.timerWakes + before.turns)).toBe(1);
  });

  it('a deadline already passed runs on the next turn of the loop, not a timer tick later', () => {
    const { loop, fired, add } = setup();
    const t0 = loop.time;
    add(1, t0 - 3);
    loop.run(0.5);
    expect(fired).toHaveLength(1);
    expect((fired[0] as { t: number }).t - t0).toBeLessThanOrEqual(loop.turnMs);
  });

  it('deadlines added by a callback that are already due run in the same wake', () => {
    const { loop, scheduler, fired } = setup();
    scheduler.at(loop.time + 2, () => {
      fired.push({ id: 1, due: 0, t: loop.time });
      scheduler.at(loop.time - 0.1, () => fired.push({ id: 2, due: 0, t: loop.time }));
    });
    loop.run(5);
    expect(fired.map((f) => f.id)).toEqual([1, 2]);
    expect(fired[1]?.t).toBe(fired[0]?.t);
  });

  it('a cancelled deadline never runs; with none left nothing stays armed', () => {
    const { loop, scheduler, fired, add } = setup();
    const a = add(1, loop.time + 3);
    const b = add(2, loop.time + 4);
    add(3, loop.time + 5);
    scheduler.cancel(a);
    scheduler.cancel(a); // twice is harmless
    loop.run(10);
    expect(fired.map((f) => f.id)).toEqual([2, 3]);
    scheduler.cancel(b); // already run: ignored
    const c = add(4, loop.time + 100);
    scheduler.cancel(c);
    expect(loop.count('timer') + loop.count('immediate')).toBe(0);
    expect(scheduler.stats().pending).toBe(0);
  });

  it('poll (an I/O event) runs what has passed at once, and nothing that has not', () => {
    const { loop, scheduler, fired, add } = setup({ spinShare: 0 });
    add(1, loop.time + 3.2);
    add(2, loop.time + 3.6);
    loop.block(3.4); // the loop is busy with I/O: its timer has not run
    scheduler.poll();
    expect(fired.map((f) => f.id)).toEqual([1]);
    expect((fired[0] as { t: number; due: number }).t - (fired[0] as { due: number }).due).toBeCloseTo(0.2, 9);
    expect(scheduler.stats().polled).toBe(1);
    scheduler.poll(); // #2 not due yet: nothing
    expect(fired).toHaveLength(1);
    loop.run(2);
    expect(fired.map((f) => f.id)).toEqual([1, 2]);
  });

  it('a throwing callback does not stop the others', () => {
    const { loop, scheduler, fired, add } = setup();
    scheduler.at(loop.time + 1, () => {
      throw new Error('boom');
    });
    add(2, loop.time + 1.5);
    expect(() => loop.run(1.2)).toThrow('boom');
    loop.run(5);
    expect(fired.map((f) => f.id)).toEqual([2]);
  });

  it('spinning is bounded: dense deadlines spin for at most the budget share of wall time', () => {
    const { loop, scheduler, fired, add } = setup({ spinShare: 0.25, budgetWindowMs: 100, turnCostMs: 0.005 }); // a turn charged what it costs here
    const n = 5_000; // one every 0.2 ms for a second
    for (let i = 0; i < n; i += 1) add(i, loop.time + 1 + i * 0.2 + ((i * 0.37) % 0.1));
    loop.run(1_010);
    expect(fired).toHaveLength(n);
    const stats = scheduler.stats();
    expect(stats.spinMs).toBeLessThanOrEqual(0.25 * 1_010 + 0.25 * 100);
    expect(stats.overBudget).toBeGreaterThan(0);
    const late = fired.map((f) => f.t - f.due).sort((a, b) => a - b);
    expect(late[0]).toBeGreaterThanOrEqual(0);
    expect(late[late.length - 1]).toBeLessThanOrEqual(1 + loop.timerWakeMs + 1e-9);
  });

  it('sparse deadlines spin only the last stretch: under guard + 2 ms per deadline', () => {
    const { loop, scheduler, add } = setup({ guardMs: 0.25 });
    for (let i = 0; i < 50; i += 1) add(i, loop.time + 20 * (i + 1) + ((i * 0.618) % 1));
    loop.run(1_100);
    const stats = scheduler.stats();
    expect(stats.fired).toBe(50);
    expect(stats.spinMs / 50).toBeLessThanOrEqual(2.25);
    expect(stats.spinMs / 50).toBeGreaterThan(0);
    expect(stats.lateMaxMs).toBeLessThanOrEqual(loop.turnMs + 1e-9);
  });

  it('drives a latency toxic: each chunk leaves at arrival + latency to the microsecond', () => {
    const loop = new FakeLoop();
    const scheduler = new DeadlineScheduler(loop);
    const env: ToxicEnv = { now: () => scheduler.now(), at: (due, fn) => scheduler.at(due, fn), cancel: (h) => scheduler.cancel(h as never), poll: () => scheduler.poll(), random: () => 0.5 };
    const stage = new LatencyStage(env, { reset: () => undefined }, { latency: 5, jitter: 0 });
    const out: Array<{ at: number; t: number }> = [];
    const sent: number[] = [];
    stage.next = { push: (c: Chunk) => out.push({ at: c.at, t: loop.time }), finish: () => undefined };
    for (let i = 0; i < 30; i += 1) {
      loop.run(0.731);
      sent.push(loop.time);
      stage.push({ data: Buffer.from('x'), at: loop.time });
    }
    loop.run(10);
    expect(out).toHaveLength(30);
    out.forEach((o, i) => {
      expect(o.t - ((sent[i] as number) + 5)).toBeGreaterThanOrEqual(0);
      expect(o.t - ((sent[i] as number) + 5)).toBeLessThanOrEqual(loop.turnMs + 1e-9);
    });
  });
});
