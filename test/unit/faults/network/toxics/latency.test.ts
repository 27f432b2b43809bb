import { describe, expect, it } from 'vitest';
import { LatencyStage } from '../../../../../electron/engine/faults/network/toxics/latency';
import { chunk, ManualEnv, RecordingControl, RecordingSink } from '../manual-env';

function setup(attributes: Record<string, number>, randoms: number[] = []) {
  const env = new ManualEnv(randoms);
  const stage = new LatencyStage(env, new RecordingControl(env), attributes);
  const sink = new RecordingSink(env);
  stage.next = sink;
  return { env, stage, sink };
}

describe('latency toxic', () => {
  it('releases each chunk latency ms after it reached the proxy, minus the time it already spent', () => {
    const { env, stage, sink } = setup({ latency: 100, jitter: 0 });
    stage.push(chunk(env, 'a', env.time - 30)); // already waited 30 ms (an earlier toxic, a full socket)
    env.advance(69);
    expect(sink.text).toBe('');
    env.advance(1);
    expect(sink.data.map((d) => [d.text, d.t - 1_000])).toEqual([['a', 70]]);
    stage.push(chunk(env, 'b'));
    env.advance(100);
    expect(sink.data.map((d) => [d.text, d.t - 1_000])).toEqual([
      ['a', 70],
      ['b', 170],
    ]);
  });

  it('keeps order: a chunk never overtakes the one before it', () => {
    const { env, stage, sink } = setup({ latency: 50, jitter: 20 }, [0.999, 0]); // +~70, then +30
    stage.push(chunk(env, 'a'));
    env.advance(1);
    stage.push(chunk(env, 'b'));
    env.advance(68.95);
    expect(sink.text).toBe('');
    env.advance(0.05);
    // 'a' rolled 50 + 0.998 × 20 = 69.96 ms (to the µs, no whole-ms rounding); 'b' (31 ms) waits behind it.
    expect(sink.data.map((d) => [d.text, Math.round((d.t - 1_000) * 1000) / 1000])).toEqual([
      ['a', 69.96],
      ['b', 69.96],
    ]);
  });

  it('jitter is uniform in [latency − jitter, latency + jitter) and never negative', () => {
    const { stage } = setup({ latency: 50, jitter: 10 }, [0, 0.25, 0.5, 0.75]);
    expect([stage.delay(), stage.delay(), stage.delay(), stage.delay()]).toEqual([40, 45, 50, 55]);
    const clamped = setup({ latency: 5, jitter: 10 }, [0]);
    expect(clamped.stage.delay()).toBe(0);
  });

  it('stamps a released chunk with its release time, so two latency toxics add up', () => {
    const env = new ManualEnv();
    const first = new LatencyStage(env, new RecordingControl(env), { latency: 100, jitter: 0 });
    const second = new LatencyStage(env, new RecordingControl(env), { latency: 50, jitter: 0 });
    const sink = new RecordingSink(env);
    first.next = second;
    second.next = sink;
    first.push(chunk(env, 'x'));
    env.advance(149);
    expect(sink.text).toBe('');
    env.advance(1);
    expect(sink.data[0]?.t).toBe(1_150);
  });

  it('passes the end of the stream right behind the last chunk', () => {
    const { env, stage, sink } = setup({ latency: 100, jitter: 0 });
    stage.push(chunk(env, 'a'));
    stage.finish('end');
    env.advance(100);
    expect(sink.seen.map((s) => s.kind)).toEqual(['data', 'end']);
  });

  it('on removal hands on everything it holds at once, in order, the end included', () => {
    const { env, stage, sink } = setup({ latency: 2_000, jitter: 0 });
    for (const c of ['1', '2', '3']) stage.push(chunk(env, c));
    stage.finish('end');
    env.advance(10);
    stage.release();
    expect(sink.text).toBe('123');
    expect(sink.endings).toHaveLength(1);
    expect(sink.seen.every((s) => s.t === 1_010)).toBe(true);
    expect(env.pendingTimers).toBe(0);
  });

  it('an update replans what is queued', () => {
    const { env, stage, sink } = setup({ latency: 1_000, jitter: 0 });
    stage.push(chunk(env, 'a'));
    env.advance(10);
    stage.update({ latency: 20, jitter: 0 });
    env.advance(10);
    expect(sink.data.map((d) => d.t)).toEqual([1_020]);
  });

  it('a chunk whose time has passed leaves when the next one arrives, without waiting for its deadline to run', () => {
    const { env, stage, sink } = setup({ latency: 5, jitter: 0 });
    stage.push(chunk(env, 'a'));
    env.time += 7.5; // the loop was busy: the deadline at +5 has not run yet
    stage.push(chunk(env, 'b'));
    expect(sink.data.map((d) => [d.text, d.t - 1_000, d.at - 1_000])).toEqual([['a', 7.5, 5]]);
    env.advance(5);
    expect(sink.data.map((d) => [d.text, d.t - 1_000])).toEqual([
      ['a', 7.5],
      ['b', 12.5],
    ]);
    expect(env.pendingTimers).toBe(0);
  });

  it('fractional latency is kept to the microsecond (no whole-millisecond rounding)', () => {
    const { env, stage, sink } = setup({ latency: 2.375, jitter: 0 });
    stage.push(chunk(env, 'a', env.time + 0.25));
    env.advance(2.624);
    expect(sink.text).toBe('');
    env.advance(0.01);
    expect(sink.data[0]?.t).toBe(1_002.625);
  });

  it('dispose drops what is held and clears its timer', () => {
    const { env, stage, sink } = setup({ latency: 100, jitter: 0 });
    stage.push(chunk(env, 'a'));
    stage.dispose();
    env.advance(200);
    expect(sink.seen).toEqual([]);
    expect(env.pendingTimers).toBe(0);
  });
});
