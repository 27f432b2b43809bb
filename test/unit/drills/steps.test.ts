// The step units on their own: how each kind is listed, and how the ones with logic of their own
// play, against a real RunRecorder and a lab that answers only what a step asks of it.
import { describe, expect, it } from 'vitest';
import type { FaultRecord, TimelineEvent, TrafficStats } from '../../../shared/contract/model.js';
import type { ExpectationResult, StepRecord } from '../../../shared/drill/run.js';
import { DrillStep, stepKinds } from '../../../shared/drill/schema.js';
import { now } from '../../../electron/engine/clock.js';
import type { DrillLab } from '../../../electron/engine/drills/drill-lab.js';
import { RunRecorder } from '../../../electron/engine/drills/run-recorder.js';
import { stepUnits, unitOf } from '../../../electron/engine/drills/steps/index.js';
import { NamedFaults, type StepContext } from '../../../electron/engine/drills/steps/step-unit.js';
import { sleep } from '../../../shared/sleep.js';

const listed = (step: unknown): { label: string; text?: string } => {
  const { unit, body } = unitOf(DrillStep.parse(step));
  return unit.list(body);
};

function stats(ok: number, failed: number): TrafficStats {
  const latency = { p50: 1, p90: 2, p99: 42, max: 50, count: ok + failed };
  return { sent: ok + failed, ok, failed, dropped: 0, retried: 3, reads: { sent: ok + failed, failed }, writes: { sent: 0, failed: 0 }, latency, perNode: {} };
}

interface Played {
  context: StepContext;
  recorder: RunRecorder;
  calls: Array<[string, unknown]>;
  expectations: ExpectationResult[];
  abort: (reason: Error) => void;
}

/** A context over a real recorder; the lab records the commands it is given and answers fault.inject. */
function play(options: { auto?: boolean; scale?: number; traffic?: TrafficStats | null; pauseBeforeFaults?: boolean; operator?: StepContext['waitForOperator'] } = {}): Played {
  const recorder = new RunRecorder(now());
  const calls: Array<[string, unknown]> = [];
  const expectations: ExpectationResult[] = [];
  const controller = new AbortController();
  const lab = {
    call: async (name: string, params: unknown) => {
      calls.push([name, params]);
      if (name === 'fault.inject') return { id: `f-${calls.length}`, type: 'kill', target: 'p1', status: 'applied-once', injectedAt: now() } as unknown as FaultRecord;
      return {};
    },
    trafficStats: () => options.traffic ?? null,
  } as unknown as DrillLab;
  let anchor = { at: recorder.startedAt, label: 'the start' };
  const record = { faultId: null, performedBy: null } as unknown as StepRecord;
  const context: StepContext = {
    index: 3,
    record,
    lab,
    recorder,
    auto: options.auto ?? true,
    pauseBeforeFaults: options.pauseBeforeFaults ?? false,
    scale: options.scale ?? 1,
    signal: controller.signal,
    faults: new NamedFaults(),
    anchor: () => anchor,
    setAnchor: (label) => {
      anchor = { at: now(), label };
    },
    sleep: (ms) => sleep(ms, controller.signal),
    waitForOperator: options.operator ?? (() => Promise.reject(new Error('no operator here'))),
    checkLedger: () => Promise.reject(new Error('no ledger here')),
    predicted: () => {},
    expected: (result) => {
      expectations.push(result);
    },
  };
  return { context, recorder, calls, expectations, abort: (reason) => controller.abort(reason) };
}

const event = (kind: string, at: number, nodeId?: string): TimelineEvent => ({ seq: 0, at, kind, detail: {}, ...(nodeId ? { nodeId } : {}) });

describe('drill step units', () => {
  it('has a unit for every step kind, under its own name', () => {
    expect(Object.keys(stepUnits).sort()).toEqual([...stepKinds].sort());
    for (const kind of stepKinds) expect(stepUnits[kind].kind).toBe(kind);
  });

  it('lists each step in one line', () => {
    expect(listed({ say: '**Kill** the `primary`.\nThen watch.' })).toEqual({ label: 'Kill the primary.', text: '**Kill** the `primary`.\nThen watch.' });
    expect(listed({ say: 'x'.repeat(100) }).label).toBe(`${'x'.repeat(79)}…`);
    expect(listed({ wait: 1500 })).toEqual({ label: 'wait 1500 ms' });
    expect(listed({ mark: 'kill-sent' })).toEqual({ label: 'mark kill-sent' });
    expect(listed({ fault: { inject: { type: 'kill', target: 'p1' }, as: 'primary' } })).toEqual({ label: 'inject kill on p1 as primary' });
    expect(listed({ fault: { revert: 'primary' } })).toEqual({ label: 'revert primary' });
    expect(listed({ fault: { halt: true } })).toEqual({ label: 'halt every fault' });
    expect(listed({ action: { text: 'Restart *p1*' } })).toEqual({ label: 'action: Restart p1', text: 'Restart *p1*' });
    expect(listed({ predict: { question: 'Who serves?', options: ['p1', 's1'] } })).toEqual({ label: 'predict: Who serves?', text: 'Who serves?' });
    expect(listed({ expect: { event: 'failover.done', node: 's1', within: 2000 } })).toEqual({ label: 'expect failover.done on s1 within 2000 ms' });
    expect(listed({ expect: { metric: 'traffic.errorRate', min: 0, max: 0.05 } })).toEqual({ label: 'expect traffic.errorRate ≥ 0 ≤ 0.05' });
  });

  it('wait: plays the written time at the profile’s share', async () => {
    const { context } = play({ scale: 0.5 });
    const started = performance.now();
    await stepUnits.wait.perform(1_000, context);
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(499);
    expect(took).toBeLessThan(950);
  });

  it('fault: a fault injected `as` a name is reverted by that name, and each moves the anchor', async () => {
    const { context, calls } = play();
    await stepUnits.fault.perform({ inject: { type: 'kill', target: 'p1' } as never, as: 'primary' }, context);
    const injectedId = context.record.faultId;
    expect(injectedId).toMatch(/^f-/);
    expect(context.anchor().label).toBe('the fault');
    await stepUnits.fault.perform({ revert: 'primary' }, context);
    expect(calls.at(-1)).toEqual(['fault.revert', { id: injectedId }]);
    expect(context.faults.names.get(injectedId as string)).toBe('primary');
  });

  it('fault, learning mode: waits for the operator before an injection (not before a revert), and the anchor is set after the wait', async () => {
    const asked: Array<{ kind: string; text: string }> = [];
    let release = (): void => {};
    const { context, calls } = play({
      pauseBeforeFaults: true,
      operator: (wait) => {
        asked.push({ kind: wait.kind, text: wait.text });
        return new Promise((resolve) => (release = () => resolve({})));
      },
    });
    const injecting = stepUnits.fault.perform({ inject: { type: 'kill', target: 'p1' } as never, as: 'primary' }, context);
    await sleep(30);
    expect(calls).toEqual([]); // nothing injected while the learner reads
    const released = now();
    release();
    await injecting;
    expect(calls.map((c) => c[0])).toEqual(['fault.inject']);
    expect(context.anchor().at).toBeGreaterThanOrEqual(released);
    expect(asked).toEqual([{ kind: 'continue', text: expect.stringContaining('**kill** on **p1**') as string }]);
    await stepUnits.fault.perform({ revert: 'primary' }, context);
    expect(asked).toHaveLength(1);
  });

  describe('fault `after`: its moment, not the Continue click', () => {
    const kill = { type: 'kill', target: 'p1' } as never;
    const after = { event: 'log.checkpoint.written', node: 'p1', within: 2_000, delayMs: 150 };

    it('waits for the next event on the node (not one already seen, not another node’s), then the delay from that event', async () => {
      const { context, recorder, calls } = play();
      recorder.timeline(event('log.checkpoint.written', now() - 5, 'p1')); // before the step: not it
      let checkpointAt = 0;
      setTimeout(() => recorder.timeline(event('log.checkpoint.written', now(), 's1')), 20); // another node: not it
      setTimeout(() => {
        checkpointAt = now();
        recorder.timeline(event('log.checkpoint.written', checkpointAt, 'p1'));
      }, 80);
      const injecting = stepUnits.fault.perform({ inject: kill, after }, context);
      await sleep(150);
      expect(calls, 'nothing injected before the moment').toEqual([]);
      await injecting;
      const injectedAt = context.anchor().at;
      expect(calls.map((c) => c[0])).toEqual(['fault.inject']);
      expect(checkpointAt).toBeGreaterThan(0);
      // 150 ms after the checkpoint, give or take a busy machine's timer.
      expect(injectedAt - checkpointAt).toBeGreaterThanOrEqual(145); // a timer may fire up to a millisecond early
      expect(injectedAt - checkpointAt).toBeLessThan(400);
    });

    it('learning mode: the wait for the moment starts after Continue', async () => {
      let release = (): void => {};
      const { context, recorder, calls } = play({ pauseBeforeFaults: true, operator: () => new Promise((resolve) => (release = () => resolve({}))) });
      const injecting = stepUnits.fault.perform({ inject: kill, after: { ...after, delayMs: 0 } }, context);
      await sleep(20);
      recorder.timeline(event('log.checkpoint.written', now(), 'p1')); // while the learner reads: not it
      release();
      await sleep(60);
      expect(calls).toEqual([]);
      const checkpointAt = now();
      recorder.timeline(event('log.checkpoint.written', checkpointAt, 'p1'));
      await injecting;
      expect(calls.map((c) => c[0])).toEqual(['fault.inject']);
      expect(context.anchor().at).toBeGreaterThanOrEqual(checkpointAt);
    });

    it('fails the step, injecting nothing, when the moment does not come in time', async () => {
      const { context, calls } = play();
      await expect(stepUnits.fault.perform({ inject: kill, after: { ...after, within: 100 } }, context)).rejects.toThrow(
        'the fault was to be injected 150 ms after p1 writes a checkpoint, and that was not seen within 100 ms of the step',
      );
      expect(calls).toEqual([]);
    });
  });

  describe('expect event', () => {
    it('passes on an event already seen after the anchor, and counts from the anchor', async () => {
      const { context, recorder, expectations } = play();
      await sleep(20); // the run began 20 ms before the fault: an event in between is the run's, not the fault's
      context.setAnchor('the fault');
      const at = context.anchor().at;
      recorder.timeline(event('failover.done', at - 5, 's1')); // before the anchor: not it
      recorder.timeline(event('failover.done', at + 120, 'p1')); // another node: not it
      recorder.timeline(event('failover.done', at + 340, 's1'));
      const end = await stepUnits.expect.perform({ event: 'failover.done', node: 's1', within: 1_000 }, context);
      expect(end).toBe('passed');
      expect(expectations[0]).toMatchObject({ step: 3, kind: 'event', verdict: 'pass', observed: 340, detail: 'seen 340 ms after the fault (s1)', description: 'failover.done on s1 within 1000 ms of the fault' });
    });

    it('waits for an event still to come, and fails one that never does at its limit', async () => {
      const { context, recorder, expectations } = play();
      setTimeout(() => recorder.timeline(event('node.ready', now())), 50);
      expect(await stepUnits.expect.perform({ event: 'node.ready', within: 2_000 }, context)).toBe('passed');
      // The limit counts from the anchor, not from the step's start.
      context.setAnchor('the action');
      const started = performance.now();
      expect(await stepUnits.expect.perform({ event: 'node.gone', within: 150 }, context)).toBe('failed');
      const took = performance.now() - started;
      expect(took).toBeGreaterThanOrEqual(145);
      expect(took).toBeLessThan(1_500);
      expect(expectations[1]).toMatchObject({ verdict: 'fail', observed: null, detail: 'not seen within 150 ms' });
    });

    it('gives up at once when the run is aborted, with the run’s reason', async () => {
      const { context, abort } = play();
      const reason = new Error('aborted by the operator');
      setTimeout(() => abort(reason), 30);
      const started = performance.now();
      await expect(stepUnits.expect.perform({ event: 'node.gone', within: 10_000 }, context)).rejects.toBe(reason);
      expect(performance.now() - started).toBeLessThan(2_000);
    });
  });

  describe('expect metric', () => {
    it('reads the run’s traffic, with its unit and in words', async () => {
      const { context, expectations } = play({ traffic: stats(196, 4) });
      expect(await stepUnits.expect.perform({ metric: 'traffic.errorRate', max: 0.05 }, context)).toBe('passed');
      expect(await stepUnits.expect.perform({ metric: 'traffic.p99', max: 40 }, context)).toBe('failed');
      expect(await stepUnits.expect.perform({ metric: 'traffic.retried', min: 1 }, context)).toBe('passed');
      expect(expectations.map((e) => [e.unit, e.observed, e.detail])).toEqual([
        ['ratio', 0.02, '2.00 % (4 of 200 requests failed)'],
        ['ms', 42, '42 ms (over 200 requests)'],
        ['count', 3, '3 (retries for 200 requests)'],
      ]);
      expect(expectations[0]?.description).toBe('traffic.errorRate ≤ 0.05');
    });

    it('fails with no value when there is nothing to measure', async () => {
      const { context, expectations } = play({ traffic: null });
      expect(await stepUnits.expect.perform({ metric: 'traffic.failed', max: 0 }, context)).toBe('failed');
      expect(expectations[0]).toMatchObject({ verdict: 'fail', observed: null, unit: 'count', detail: 'no value (no traffic)' });
    });
  });
});
