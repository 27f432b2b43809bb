import { describe, expect, it } from 'vitest';
import { SlowCloseStage } from '../../../../../electron/engine/faults/network/toxics/slow-close';
import { chunk, ManualEnv, RecordingControl, RecordingSink } from '../manual-env';

function setup(delay: number) {
  const env = new ManualEnv();
  const stage = new SlowCloseStage(env, new RecordingControl(env), { delay });
  const sink = new RecordingSink(env);
  stage.next = sink;
  return { env, stage, sink };
}

describe('slow_close toxic', () => {
  it('passes data at once and holds the FIN for delay ms', () => {
    const { env, stage, sink } = setup(300);
    stage.push(chunk(env, 'abc'));
    expect(sink.text).toBe('abc');
    stage.finish('end');
    env.advance(299);
    expect(sink.endings).toHaveLength(0);
    env.advance(1);
    expect(sink.endings).toEqual([{ kind: 'end', ending: 'end', t: 1_300 }]);
  });

  it('also delays a close asked for by an earlier toxic', () => {
    const { env, stage, sink } = setup(100);
    stage.finish('close');
    env.advance(100);
    expect(sink.endings[0]).toMatchObject({ ending: 'close', t: 1_100 });
  });

  it('removal lets the held FIN go at once; an update moves it', () => {
    const a = setup(1_000);
    a.stage.finish('end');
    a.env.advance(10);
    a.stage.release();
    expect(a.sink.endings[0]?.t).toBe(1_010);
    const b = setup(1_000);
    b.stage.finish('end');
    b.stage.update({ delay: 50 });
    b.env.advance(50);
    expect(b.sink.endings[0]?.t).toBe(1_050);
  });
});
