// The expect step's results in plain words: the expectation's sentence, and for a failed one what
// was seen instead, against a real RunRecorder.
import { describe, expect, it } from 'vitest';
import type { TimelineEvent, TrafficStats } from '../../../shared/contract/model.js';
import type { ExpectationResult } from '../../../shared/drill/run.js';
import { now } from '../../../electron/engine/clock.js';
import type { DrillLab } from '../../../electron/engine/drills/drill-lab.js';
import { RunRecorder } from '../../../electron/engine/drills/run-recorder.js';
import { expectStep } from '../../../electron/engine/drills/steps/expect.js';
import { faultStep } from '../../../electron/engine/drills/steps/fault.js';
import type { Anchor, StepContext } from '../../../electron/engine/drills/steps/step-unit.js';
import { sleep } from '../../../shared/sleep.js';

function play(traffic: TrafficStats | null = null): { context: StepContext; recorder: RunRecorder; results: ExpectationResult[]; anchorAt: (label: string) => number } {
  const recorder = new RunRecorder(now());
  const results: ExpectationResult[] = [];
  let anchor: Anchor = { at: recorder.startedAt, label: 'the start' };
  const context = {
    index: 4,
    recorder,
    lab: { trafficStats: () => traffic } as unknown as DrillLab,
    signal: new AbortController().signal,
    anchor: () => anchor,
    sleep: (ms: number) => sleep(ms),
    expected: (result: ExpectationResult) => results.push(result),
  } as unknown as StepContext;
  return {
    context,
    recorder,
    results,
    anchorAt: (label) => {
      anchor = { at: now(), label };
      return anchor.at;
    },
  };
}

const event = (kind: string, at: number, nodeId?: string): TimelineEvent => ({ seq: 0, at, kind, detail: {}, ...(nodeId ? { nodeId } : {}) });

describe('expect: results in plain words', () => {
  it('a held event: its sentence, nothing missed, the pass detail as before', async () => {
    const { context, recorder, results, anchorAt } = play();
    const at = anchorAt('the action');
    recorder.timeline(event('balancer.readmitted', at + 300, 'a2'));
    expect(await expectStep.perform({ event: 'balancer.readmitted', node: 'a2', within: 8_000 }, context)).toBe('passed');
    expect(results[0]).toMatchObject({ sentence: 'a2 is back in rotation within 8 s of the action', missed: null, detail: 'seen 300 ms after the action (a2)' });
  });

  it('a missed event says what was seen on its node instead, timed from the anchor', async () => {
    const { context, recorder, results, anchorAt } = play();
    const at = anchorAt('the action');
    recorder.timeline(event('node.started', at + 400, 'a2'));
    recorder.timeline(event('node.started', at + 420, 'a3')); // another node: not listed
    recorder.timeline(event('log.restore.done', at + 1_500, 'a2'));
    expect(await expectStep.perform({ event: 'balancer.readmitted', node: 'a2', within: 100 }, context)).toBe('failed');
    expect(results[0]).toMatchObject({ detail: 'not seen within 100 ms', sentence: 'a2 is back in rotation within 100 ms of the action' });
    expect(results[0]?.missed).toBe("a2 is back in rotation within 100 ms of the action: not seen. Seen on a2 since the action instead: a2's process starts (+400 ms); a2 has restored its data (+1.5 s).");
  });

  it('a missed event with nothing seen, and one seen too late', async () => {
    const { context, recorder, results, anchorAt } = play();
    const at = anchorAt('the fault');
    expect(await expectStep.perform({ event: 'incident.detected', within: 50 }, context)).toBe('failed');
    expect(results[0]?.missed).toBe('the failure is detected within 50 ms of the fault: not seen. Nothing else was seen since the fault.');
    recorder.timeline(event('failover.done', at + 2_300, 's1'));
    expect(await expectStep.perform({ event: 'failover.done', node: 's1', within: 1_000 }, context)).toBe('failed');
    expect(results[1]?.missed).toBe('the failover to s1 is done within 1 s of the fault: no, only 2.3 s after the fault.');
  });

  it('a metric: its sentence, the file’s says:, and the value measured when it misses', async () => {
    const latency = { p50: 1, p90: 2, p99: 42, max: 50, count: 200 };
    const traffic: TrafficStats = { sent: 200, ok: 190, failed: 10, dropped: 0, retried: 3, reads: { sent: 200, failed: 10 }, writes: { sent: 0, failed: 0 }, latency, perNode: {} };
    const { context, results } = play(traffic);
    expect(await expectStep.perform({ metric: 'traffic.errorRate', max: 0.01 }, context)).toBe('failed');
    expect(results[0]).toMatchObject({
      sentence: 'at most 1 % of the requests fail (since the drill began)',
      missed: 'at most 1 % of the requests fail (since the drill began): no, measured 5.00 % (10 of 200 requests failed).',
    });
    expect(await expectStep.perform({ metric: 'traffic.p99', max: 250, says: 'answers stay quick' }, context)).toBe('passed');
    expect(results[1]).toMatchObject({ sentence: 'answers stay quick', missed: null, description: 'traffic.p99 ≤ 250' });
  });

  it('the pause before a fault says in words what is about to be injected', async () => {
    const asked: string[] = [];
    const context = {
      pauseBeforeFaults: true,
      waitForOperator: (wait: { text: string }) => {
        asked.push(wait.text);
        return Promise.reject(new Error('stop here'));
      },
    } as unknown as StepContext;
    await expect(faultStep.perform({ inject: { type: 'pause', target: 'a2', attributes: {}, toxicity: 1, stream: 'downstream' } }, context)).rejects.toThrow('stop here');
    expect(asked).toEqual(['Next: the lab injects **pause** on **a2**: freeze a2 (SIGSTOP: it stops, its port stays open). Look at the lab as it is now, then continue.']);
  });
});
