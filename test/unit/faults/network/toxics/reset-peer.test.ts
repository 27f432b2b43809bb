import { describe, expect, it } from 'vitest';
import { ResetPeerStage } from '../../../../../electron/engine/faults/network/toxics/reset-peer';
import { chunk, ManualEnv, RecordingControl, RecordingSink } from '../manual-env';

function setup(timeout: number) {
  const env = new ManualEnv();
  const control = new RecordingControl(env);
  const stage = new ResetPeerStage(env, control, { timeout });
  const sink = new RecordingSink(env);
  stage.next = sink;
  return { env, stage, sink, control };
}

describe('reset_peer toxic', () => {
  it('does nothing until data flows; the first chunk starts the clock; then RST', () => {
    const { env, stage, sink, control } = setup(200);
    env.advance(1_000);
    expect(control.resets).toEqual([]);
    stage.push(chunk(env, 'x'));
    env.advance(199);
    expect(control.resets).toEqual([]);
    env.advance(1);
    expect(control.resets).toEqual([2_200]);
    expect(sink.seen).toEqual([]);
  });

  it('timeout 0 resets at the first chunk, synchronously', () => {
    const { env, stage, control } = setup(0);
    stage.push(chunk(env, 'x'));
    expect(control.resets).toEqual([1_000]);
  });

  it('a FIN also triggers it', () => {
    const { stage, control } = setup(0);
    stage.finish('end');
    expect(control.resets).toHaveLength(1);
  });

  it('removal before it fires cancels the reset and releases what was held', () => {
    const { env, stage, sink, control } = setup(500);
    stage.push(chunk(env, 'ab'));
    stage.push(chunk(env, 'cd'));
    env.advance(100);
    stage.release();
    env.advance(1_000);
    expect(control.resets).toEqual([]);
    expect(sink.text).toBe('abcd');
    expect(env.pendingTimers).toBe(0);
  });
});
