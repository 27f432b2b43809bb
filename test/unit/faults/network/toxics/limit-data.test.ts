import { describe, expect, it } from 'vitest';
import { LimitDataStage } from '../../../../../electron/engine/faults/network/toxics/limit-data';
import { chunk, ManualEnv, RecordingControl, RecordingSink } from '../manual-env';

function setup(bytes: number) {
  const env = new ManualEnv();
  const stage = new LimitDataStage(env, new RecordingControl(env), { bytes });
  const sink = new RecordingSink(env);
  stage.next = sink;
  return { env, stage, sink };
}

describe('limit_data toxic', () => {
  it('passes exactly `bytes` bytes, then closes the connection', () => {
    const { env, stage, sink } = setup(5);
    stage.push(chunk(env, 'abc'));
    expect(sink.endings).toHaveLength(0);
    stage.push(chunk(env, 'defgh'));
    stage.push(chunk(env, 'ijk'));
    expect(sink.text).toBe('abcde');
    expect(sink.endings).toEqual([{ kind: 'end', ending: 'close', t: 1_000 }]);
  });

  it('closes as the limit is reached exactly, not one chunk later', () => {
    const { env, stage, sink } = setup(3);
    stage.push(chunk(env, 'abc'));
    expect(sink.endings).toHaveLength(1);
  });

  it('bytes 0 closes at the first data, passing none', () => {
    const { env, stage, sink } = setup(0);
    stage.push(chunk(env, 'abc'));
    expect(sink.seen).toEqual([{ kind: 'end', ending: 'close', t: 1_000 }]);
  });

  it('a FIN before the limit passes as a FIN; the count survives updates', () => {
    const a = setup(100);
    a.stage.push(chunk(a.env, 'abc'));
    a.stage.finish('end');
    expect(a.sink.endings).toEqual([{ kind: 'end', ending: 'end', t: 1_000 }]);
    const b = setup(100);
    b.stage.push(chunk(b.env, 'abcd'));
    b.stage.update({ bytes: 6 });
    b.stage.push(chunk(b.env, 'efgh'));
    expect(b.sink.text).toBe('abcdef');
    expect(b.sink.endings).toHaveLength(1);
  });
});
