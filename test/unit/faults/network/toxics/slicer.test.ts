import { describe, expect, it } from 'vitest';
import { SlicerStage, sliceOffsets } from '../../../../../electron/engine/faults/network/toxics/slicer';
import { chunk, ManualEnv, RecordingControl, RecordingSink } from '../manual-env';

function setup(attributes: Record<string, number>) {
  const env = new ManualEnv();
  const stage = new SlicerStage(env, new RecordingControl(env), attributes);
  const sink = new RecordingSink(env);
  stage.next = sink;
  return { env, stage, sink };
}

function sizes(ends: number[]): number[] {
  return ends.map((end, i) => end - (ends[i - 1] ?? 0));
}

describe('slicer toxic', () => {
  it('cuts like Toxiproxy: recursive halving until a piece is ≤ average_size + size_variation', () => {
    expect(sizes(sliceOffsets(1_000, 100, 0, Math.random))).toEqual([62, 63, 62, 63, 62, 63, 62, 63, 62, 63, 62, 63, 62, 63, 62, 63]);
    expect(sliceOffsets(50, 100, 10, Math.random)).toEqual([50]);
  });

  it('every piece is within (0, average_size + size_variation] and they add up, whatever the rolls', () => {
    for (let round = 0; round < 200; round += 1) {
      const length = 1 + Math.floor(Math.random() * 70_000);
      const pieces = sizes(sliceOffsets(length, 64, 32, Math.random));
      expect(pieces.reduce((a, b) => a + b, 0)).toBe(length);
      expect(Math.max(...pieces)).toBeLessThanOrEqual(96);
      expect(Math.min(...pieces)).toBeGreaterThan(0);
    }
    // size_variation ≥ average_size (Toxiproxy refuses it) is clamped, and still terminates.
    const wild = sizes(sliceOffsets(10_000, 10, 50, Math.random));
    expect(wild.reduce((a, b) => a + b, 0)).toBe(10_000);
  });

  it('delay is in microseconds between pieces, as in Toxiproxy', () => {
    const { env, stage, sink } = setup({ average_size: 10, size_variation: 0, delay: 2_000 }); // 2 ms
    stage.push(chunk(env, 'x'.repeat(40))); // 4 pieces of 10
    expect(sink.data).toHaveLength(1);
    env.advance(6);
    expect(sink.data.map((d) => [d.text.length, d.t - 1_000])).toEqual([
      [10, 0],
      [10, 2],
      [10, 4],
      [10, 6],
    ]);
    stage.push(chunk(env, 'y'.repeat(10)));
    env.advance(2);
    expect(sink.data.at(-1)).toMatchObject({ text: 'y'.repeat(10), t: 1_008 });
  });

  it('a delay under a millisecond is kept: 250 µs between pieces', () => {
    const { env, stage, sink } = setup({ average_size: 10, size_variation: 0, delay: 250 });
    stage.push(chunk(env, 'x'.repeat(40)));
    env.advance(0.75);
    expect(sink.data.map((d) => d.t - 1_000)).toEqual([0, 0.25, 0.5, 0.75]);
  });

  it('with delay 0 all pieces leave at once; the end follows; removal flushes', () => {
    const a = setup({ average_size: 4, size_variation: 0, delay: 0 });
    a.stage.push(chunk(a.env, 'abcdefgh'));
    a.stage.finish('end');
    expect(a.sink.data.map((d) => d.text)).toEqual(['abcd', 'efgh']);
    expect(a.sink.endings).toHaveLength(1);
    const b = setup({ average_size: 4, size_variation: 0, delay: 1_000_000 });
    b.stage.push(chunk(b.env, 'abcdefgh'));
    b.stage.release();
    expect(b.sink.text).toBe('abcdefgh');
  });
});
