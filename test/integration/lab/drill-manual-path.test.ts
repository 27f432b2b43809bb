// A drill's manual steps played the way a learner plays them (issue 14): at each prompt the act is
// done on the lab itself — the command a node card's button or the CLI sends —, the learner looks at
// the lab for a while, and only then says Done. The built-in drills that failed that way (the
// expected event came before Done, and the drill only started watching after it) must pass.
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandName } from '../../../shared/contract/commands.js';
import type { DrillRunStatus } from '../../../shared/drill/run.js';
import type { DrillSpec, DrillSpecInput } from '../../../shared/drill/schema.js';
import { sleep } from '../../../shared/sleep.js';
import { startLab, waitFor, type LabUnderTest } from '../../support/lab-client.js';
import { makeTempDir, removeDir } from '../../support/temp.js';

/** How long the learner looks at the lab between doing the act and saying Done. */
const LOOKING_MS = 2_500;

describe('lab: a drill played by hand, the act first and Done after', () => {
  let t: LabUnderTest | undefined;
  let reportsDir: string | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
    await removeDir(reportsDir);
    reportsDir = undefined;
  });

  /** Runs a built-in drill, playing each prompt as a learner would: the act on the lab, a look, then Done (if `sayDone`). */
  async function playByHand(id: string, sayDone: boolean): Promise<{ status: DrillRunStatus; lateDone: number }> {
    reportsDir = await makeTempDir('fd-reports-');
    t = await startLab({ topology: { kind: 'active-active', nodes: 3 }, reportsDir, autoStart: false });
    const l = t;
    const { spec } = await l.client.request('drill.get', { id });
    let verdict: DrillRunStatus | undefined;
    let lateDone = 0;
    const answered = new Set<number>();
    let playing: Promise<void> = Promise.resolve();
    l.client.on('drill.verdict', (status) => (verdict = status));
    const { runId } = await l.client.request('drill.run', { id, profile: 'short' });
    l.client.on('drill.step', (status) => {
      const waiting = status.waitingFor;
      if (!waiting || answered.has(waiting.step)) return;
      answered.add(waiting.step);
      playing = playing.then(async () => {
        if (waiting.kind === 'predict') {
          await l.client.request('drill.answer', { runId, step: waiting.step, option: 0 });
          return;
        }
        const act = actionOf(spec, waiting.step);
        await l.client.request(act.command, act.params as never);
        await sleep(LOOKING_MS);
        if (!sayDone) return;
        // The step may have completed itself on seeing the act: then a late Done is refused, and nothing else happens.
        await l.client.request('drill.answer', { runId, step: waiting.step }).catch((error: { code?: string }) => {
          if (error.code !== 'conflict') throw error;
          lateDone++;
        });
      });
    });
    const status = await waitFor('the verdict', () => verdict, 170_000);
    await playing;
    return { status, lateDone };
  }

  function actionOf(spec: DrillSpec, step: number): { command: CommandName; params: unknown } {
    const s = spec.steps[step];
    if (!s || !('action' in s) || !s.action.do) throw new Error(`step ${step} of ${spec.id} is not an action with a do`);
    return { command: s.action.do.command as CommandName, params: s.action.do.params ?? {} };
  }

  const failed = (status: DrillRunStatus): string => JSON.stringify(status.expectations.filter((e) => e.verdict === 'fail'));

  /** Every built-in drill with a manual step; the first three failed this way before the step watched for its act. */
  const withActions = [
    'kill-one-of-three',
    'cascading-overload',
    'manual-failover',
    'corrupt-every-checkpoint',
    'corrupt-newest-checkpoint',
    'frozen-node-active-vs-passive-detection',
    'health-check-tuning',
    'kill-with-and-without-retries',
    'periodic-vs-event-driven-checkpoints',
    'retry-storm-without-budget',
    'slow-node-round-robin-vs-least-response-time',
  ];

  it('the library has no other drill with a manual step (a new one joins this walk)', async () => {
    reportsDir = await makeTempDir('fd-reports-');
    t = await startLab({ topology: { kind: 'active-active', nodes: 3 }, reportsDir, autoStart: false });
    const { drills } = await t.client.request('drill.list', {});
    const manual: string[] = [];
    for (const d of drills.filter((d) => d.source === 'builtin')) {
      const { spec } = await t.client.request('drill.get', { id: d.id });
      if (spec.steps.some((s) => 'action' in s)) manual.push(d.id);
    }
    expect(manual.sort()).toEqual([...withActions].sort());
  });

  it('an act done and never reported Done still completes its step, anchored at the act', async () => {
    const { status, lateDone } = await playByHand('kill-one-of-three', false);
    expect(status.verdict, failed(status)).toBe('pass');
    expect(lateDone).toBe(0);
  }, 200_000);

  it('Done after an act other than the one the drill names: what happened since the prompt counts, said as such', async () => {
    reportsDir = await makeTempDir('fd-reports-');
    t = await startLab({ topology: { kind: 'active-active', nodes: 3 }, reportsDir, autoStart: false });
    const l = t;
    let verdict: DrillRunStatus | undefined;
    l.client.on('drill.verdict', (status) => (verdict = status));
    const spec: DrillSpecInput = {
      id: 'restart-by-hand',
      title: 'restart by hand',
      concept: 'active-active',
      summary: 'a drill written for a test',
      topology: { kind: 'active-active', nodes: 3 },
      steps: [
        { action: { text: 'Restart a3.', do: { command: 'node.restart', params: { id: 'a3' } } } },
        { expect: { event: 'node.ready', node: 'a3', within: 3000 } },
      ],
    };
    const { runId } = await l.client.request('drill.run', { spec });
    const waiting = await waitFor('the action prompt', async () => (await l.client.request('drill.status', {})).run?.waitingFor ?? undefined, 60_000);
    // Not the drill's node.restart: a stop and a start, as someone might do it.
    await l.client.request('node.stop', { id: 'a3' });
    await l.client.request('node.start', { id: 'a3' });
    await sleep(LOOKING_MS);
    await l.client.request('drill.answer', { runId, step: waiting.step });
    const status = await waitFor('the verdict', () => verdict, 60_000);
    expect(status.verdict, failed(status)).toBe('pass');
    expect(status.steps[0]?.performedBy).toBe('operator');
    expect(status.expectations[0]?.detail).toMatch(/^seen before the action was reported done/);
  }, 120_000);

  it.each(withActions)(
    '%s passes when each act is done on the lab and Done comes 2.5 s later',
    async (id) => {
      const { status, lateDone } = await playByHand(id, true);
      expect(status.verdict, failed(status)).toBe('pass');
      // Each action step saw its act and went on by itself, before the learner's Done.
      const actions = status.steps.filter((s) => s.performedBy !== null);
      expect(actions.length).toBeGreaterThan(0);
      expect(actions.every((s) => s.performedBy === 'operator')).toBe(true);
      expect(lateDone).toBe(actions.length);
    },
    200_000,
  );
});
