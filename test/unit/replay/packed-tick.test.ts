import { describe, expect, it } from 'vitest';
import type { MetricsTick } from '../../../shared/contract/model.js';
import { isPackedTick, packTick, unpackTick, type PackedTick } from '../../../shared/replay/packed-tick.js';
import { Recording } from '../../../shared/replay/recording.js';
import { stateAt } from '../../../shared/replay/replay.js';
import { SyntheticLab, T0, syntheticTick } from '../../support/synthetic-lab.js';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `n${i}`);

describe('a packed metrics tick (recording/2)', () => {
  it('unpacks to the very tick the lab emitted, ids a plain object would answer itself included', () => {
    const tick = syntheticTick(T0, ['a1', 'constructor', 'tostring', 'b2']);
    const packed = packTick(tick);
    expect(isPackedTick(packed)).toBe(true);
    expect(packed.nodes).toHaveLength(4 * 6);
    const back = unpackTick(packed);
    expect(back).toEqual(tick);
    expect(Object.keys(back.perNode)).toEqual(Object.keys(tick.perNode));
    expect(back.perNode['constructor']).toEqual(tick.perNode['constructor']);
    // A tick as emitted (recording/1) is read as it is.
    expect(unpackTick(tick)).toBe(tick);
  });

  it('shares one id list between ticks of the same nodes, and not otherwise', () => {
    const first = packTick(syntheticTick(T0, ids(3)));
    const second = packTick(syntheticTick(T0 + 100, ids(3)), first.ids);
    expect(second.ids).toBe(first.ids);
    const fewer = packTick(syntheticTick(T0 + 200, ids(2)), second.ids);
    expect(fewer.ids).not.toBe(second.ids);
    expect(fewer.ids).toEqual(['n0', 'n1']);
    const reordered = packTick(syntheticTick(T0 + 300, ['n1', 'n0']), fewer.ids);
    expect(reordered.ids).toEqual(['n1', 'n0']);
  });

  it('weighs about a third of the tick as emitted at 64 nodes (JSON)', () => {
    const tick = syntheticTick(T0, ids(64));
    const ratio = JSON.stringify(packTick(tick)).length / JSON.stringify(tick).length;
    expect(ratio).toBeLessThan(0.4);
    expect(ratio).toBeGreaterThan(0.2);
  });
});

describe('the recording keeps ticks packed, and replays both forms', () => {
  it('records metrics.tick packed; the replayed state carries the tick as emitted', () => {
    const lab = new SyntheticLab(ids(8));
    const emitted: MetricsTick[] = [];
    for (let i = 0; i < 25; i++) {
      lab.advance(100);
      const tick = syntheticTick(lab.t, lab.ids);
      emitted.push(tick);
      lab.emit('metrics.tick', tick);
    }
    const recording = Recording.parse(lab.recording.get());
    expect(recording.format).toBe('firedrill.recording/2');
    const recorded = recording.entries.filter((e) => e.event === 'metrics.tick').map((e) => e.payload as PackedTick);
    expect(recorded.every(isPackedTick)).toBe(true);
    expect(new Set(recorded.map((t) => t.ids)).size).toBe(1);
    const at = emitted[17]!.at;
    expect(stateAt(recording, at).metrics).toEqual(emitted[17]);
    // The same state twice: the same tick object (unpacked once).
    expect(stateAt(recording, at).metrics).toEqual(stateAt(recording, at + 1).metrics);
  });

  it('replays a recording/1 (a report written before ticks were packed) the same', () => {
    const lab = new SyntheticLab(ids(5));
    lab.run(1);
    const v2 = Recording.parse(lab.recording.get());
    const v1 = Recording.parse({
      ...v2,
      format: 'firedrill.recording/1',
      entries: v2.entries.map((e) => (e.event === 'metrics.tick' ? { ...e, payload: unpackTick(e.payload as PackedTick) } : e)),
    });
    for (const t of [T0 + 5_000, T0 + 31_234, v2.endedAt]) expect(stateAt(v1, t)).toEqual(stateAt(v2, t));
    expect(() => Recording.parse({ ...v2, format: 'firedrill.recording/3' })).toThrow();
  });
});
