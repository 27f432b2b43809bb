import { describe, expect, it } from 'vitest';
import { BandwidthStage } from '../../../../../electron/engine/faults/network/toxics/bandwidth';
import { chunk, ManualEnv, RecordingControl, RecordingSink } from '../manual-env';

function setup(rate: number) {
  const env = new ManualEnv();
  const stage = new BandwidthStage(env, new RecordingControl(env), { rate });
  const sink = new RecordingSink(env);
  stage.next = sink;
  return { env, stage, sink };
}

const bytes = (n: number, fill = 'x'): string => fill.repeat(n);

describe('bandwidth toxic', () => {
  it('rate is KB/s with KB = 1000 bytes: 100 bytes at 10 KB/s take 10 ms', () => {
    const { env, stage, sink } = setup(10);
    stage.push(chunk(env, bytes(100)));
    env.advance(9);
    expect(sink.data).toHaveLength(0);
    env.advance(1);
    expect(sink.data).toHaveLength(1);
  });

  it('back-to-back chunks share the wire: 10 × 100 bytes at 10 KB/s finish at +100 ms', () => {
    const { env, stage, sink } = setup(10);
    for (let i = 0; i < 10; i += 1) stage.push(chunk(env, bytes(100)));
    env.advance(100);
    expect(sink.data.map((d) => d.t - 1_000)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  });

  it('splits chunks bigger than 100 ms of wire time into 100 ms pieces', () => {
    const { env, stage, sink } = setup(1); // 100 bytes per 100 ms
    stage.push(chunk(env, bytes(100, 'a') + bytes(100, 'b') + bytes(50, 'c')));
    env.advance(250);
    expect(sink.data.map((d) => [d.text.length, d.text[0], d.t - 1_000])).toEqual([
      [100, 'a', 100],
      [100, 'b', 200],
      [50, 'c', 250],
    ]);
  });

  it('an idle link earns no burst credit', () => {
    const { env, stage, sink } = setup(10);
    stage.push(chunk(env, bytes(100)));
    env.advance(500);
    stage.push(chunk(env, bytes(100)));
    env.advance(10);
    expect(sink.data.map((d) => d.t - 1_000)).toEqual([10, 510]);
  });

  it('rate 0 means unlimited', () => {
    const { env, stage, sink } = setup(0);
    stage.push(chunk(env, bytes(1_000_000)));
    expect(sink.data).toHaveLength(1);
  });

  it('the end follows the last byte; removal releases everything at once', () => {
    const { env, stage, sink } = setup(1);
    stage.push(chunk(env, bytes(300)));
    stage.finish('end');
    env.advance(100);
    expect(sink.data).toHaveLength(1);
    stage.release();
    expect(sink.text).toHaveLength(300);
    expect(sink.seen.at(-1)).toMatchObject({ kind: 'end', ending: 'end' });
    expect(env.pendingTimers).toBe(0);
  });

  it('an update moves what is queued to the new rate, from now', () => {
    const { env, stage, sink } = setup(1);
    stage.push(chunk(env, bytes(100)));
    stage.push(chunk(env, bytes(100)));
    env.advance(50);
    stage.update({ rate: 10 });
    env.advance(20);
    expect(sink.data.map((d) => d.t - 1_000)).toEqual([60, 70]);
  });
});
