import { describe, expect, it } from 'vitest';
import { TimeoutStage } from '../../../../../electron/engine/faults/network/toxics/timeout';
import { chunk, ManualEnv, RecordingControl, RecordingSink } from '../manual-env';

function setup(timeout: number) {
  const env = new ManualEnv();
  const stage = new TimeoutStage(env, new RecordingControl(env), { timeout });
  const sink = new RecordingSink(env);
  stage.next = sink;
  return { env, stage, sink };
}

describe('timeout toxic', () => {
  it('passes nothing, then closes the connection timeout ms after it started, dropping what it held', () => {
    const { env, stage, sink } = setup(300);
    stage.push(chunk(env, 'abc'));
    env.advance(299);
    expect(sink.seen).toEqual([]);
    env.advance(1);
    expect(sink.seen).toEqual([{ kind: 'end', ending: 'close', t: 1_300 }]);
    stage.push(chunk(env, 'late'));
    stage.release();
    expect(sink.text).toBe('');
  });

  it('timeout 0 holds forever (no timer); removal releases everything in order, FIN included', () => {
    const { env, stage, sink } = setup(0);
    expect(env.pendingTimers).toBe(0);
    stage.push(chunk(env, '1'));
    stage.push(chunk(env, '2'));
    stage.finish('end');
    env.advance(60_000);
    expect(sink.seen).toEqual([]);
    stage.release();
    expect(sink.text).toBe('12');
    expect(sink.endings).toHaveLength(1);
  });

  it('an update restarts the clock; dispose clears it', () => {
    const { env, stage, sink } = setup(100);
    env.advance(90);
    stage.update({ timeout: 100 });
    env.advance(90);
    expect(sink.endings).toHaveLength(0);
    env.advance(10);
    expect(sink.endings).toHaveLength(1);
    const other = setup(100);
    other.stage.dispose();
    expect(other.env.pendingTimers).toBe(0);
  });
});
