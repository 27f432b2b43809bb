// Issue 14 on a real lab: numbers that mean what they say (the MTTR of a manual recovery split,
// the learner's reading time kept out of the system's MTTR and the availability), and the lab
// put back after a drill (or, with put-back off, what the drill left listed).
import { afterEach, describe, expect, it } from 'vitest';
import type { DrillRunStatus } from '../../../shared/drill/run.js';
import type { DrillSpecInput } from '../../../shared/drill/schema.js';
import { sleep } from '../../../shared/sleep.js';
import { startLab, waitFor, type LabUnderTest } from '../../support/lab-client.js';
import { makeTempDir, removeDir } from '../../support/temp.js';

/** The learner reads the prompt this long before doing the act. */
const READING_MS = 3_000;
/** The drill keeps the node dead this long (a scripted wait) before asking for the act. */
const SCRIPTED_MS = 1_500;

describe('lab: the numbers of a drill, and the lab after it', () => {
  let t: LabUnderTest | undefined;
  let reportsDir: string | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
    await removeDir(reportsDir);
    reportsDir = undefined;
  });

  async function lab(topology: { kind: 'active-active'; nodes: number }, autoStart = true): Promise<LabUnderTest> {
    reportsDir = await makeTempDir('fd-reports-');
    t = await startLab({ topology, reportsDir, autoStart });
    return t;
  }

  function verdictOf(l: LabUnderTest): () => Promise<DrillRunStatus> {
    let verdict: DrillRunStatus | undefined;
    l.client.on('drill.verdict', (status) => (verdict = status));
    return () => waitFor('the verdict', () => verdict, 120_000);
  }

  it('a manual start: the reading time is operator time, the scripted wait is the drill’s, neither is in the availability', async () => {
    const l = await lab({ kind: 'active-active', nodes: 2 }, false);
    const spec: DrillSpecInput = {
      id: 'manual-start',
      title: 'Manual start',
      concept: 'active-active',
      summary: 'A node killed, kept down by the drill, started by hand.',
      topology: { kind: 'active-active', nodes: 2, needed: 1, restart: { policy: 'never' } },
      traffic: { rate: 40, readShare: 1 },
      steps: [
        { wait: 500 },
        { fault: { inject: { type: 'kill', target: 'a2', attributes: { signal: 'SIGKILL' } } } },
        { wait: SCRIPTED_MS },
        { action: { text: 'Start a2 again.', do: { command: 'node.start', params: { id: 'a2' } } } },
        { expect: { event: 'balancer.readmitted', node: 'a2', within: 8_000 } },
        { wait: 500 },
      ],
    };
    const verdict = verdictOf(l);
    const { runId } = await l.client.request('drill.run', { spec });
    let acted = false;
    l.client.on('drill.step', (status) => {
      if (status.waitingFor?.kind !== 'action' || acted) return;
      acted = true;
      // The learner reads, then does the act on the lab itself (a card's Start); the step sees it.
      void sleep(READING_MS).then(() => l.client.request('node.start', { id: 'a2' }));
    });
    const status = await verdict();
    expect(status.runId).toBe(runId);
    expect(status.verdict, status.reason ?? '').toBe('pass');
    const action = status.steps[3];
    expect(action?.operatorWaitMs).toBeGreaterThanOrEqual(READING_MS - 50);
    expect(action?.operatorWaitMs).toBeLessThan(READING_MS + 2_000);

    const { report } = await l.client.request('report.open', { id: status.reportId as string });
    const incident = report.incidents.find((i) => i.nodeId === 'a2' && i.mttrMs !== null);
    expect(incident, JSON.stringify(report.incidents)).toBeDefined();
    const split = incident?.mttrSplit;
    expect(split, 'the incident has its MTTR split').toBeTruthy();
    if (!split || !incident || incident.mttrMs === null) return;
    // The parts add up to the MTTR.
    expect(split.detectionMs + split.drillMs + split.operatorMs + split.automaticMs).toBeCloseTo(incident.mttrMs, 0);
    // The reading time is the operator's, the scripted wait the drill's; what is left is a restart and a readmission.
    expect(split.operatorMs).toBeGreaterThanOrEqual(READING_MS - 50);
    expect(split.operatorMs).toBeLessThan(READING_MS + 2_000);
    expect(split.drillMs).toBeGreaterThanOrEqual(SCRIPTED_MS - 50);
    expect(split.drillMs).toBeLessThan(SCRIPTED_MS + 3_000);
    expect(split.detectionMs).toBeLessThan(1_000);
    expect(split.automaticMs).toBeLessThan(incident.mttrMs - READING_MS - SCRIPTED_MS + 100);
    // The availability uses the system's part only, and says what it left out.
    expect(report.availability.mttrMs).toBeCloseTo(split.detectionMs + split.automaticMs, 0);
    expect(report.availability.mttrTotalMs).toBeCloseTo(incident.mttrMs, 0);
    expect(report.availability.explanation).toMatch(/waiting on a person or on the drill's script/);
  }, 150_000);

  const changingDrill = (): DrillSpecInput => ({
    id: 'changes-the-lab',
    title: 'Changes the lab',
    concept: 'active-active',
    summary: 'Another topology, another balancer, other traffic.',
    topology: { kind: 'active-active', nodes: 3 },
    balancer: { strategy: 'least-connections', retry: { enabled: false } },
    traffic: { rate: 60, readShare: 1 },
    steps: [{ wait: 500 }, { fault: { inject: { type: 'kill', target: 'a3', attributes: { signal: 'SIGKILL' } } } }, { wait: 500 }],
  });

  it('put back: the topology, the balancer, the traffic settings and the running traffic are as they were', async () => {
    const l = await lab({ kind: 'active-active', nodes: 2 });
    await l.client.request('balancer.set', { strategy: 'random' });
    await l.client.request('traffic.start', { rate: 25, readShare: 0.5, durationMs: 120_000 });
    const before = await l.state();
    const verdict = verdictOf(l);
    await l.client.request('drill.run', { spec: changingDrill(), auto: true });
    const status = await verdict();
    expect(status.labAfter?.putBack).toBe(true);
    expect(status.labAfter?.left, JSON.stringify(status.labAfter)).toEqual([]);
    expect(status.labAfter?.restored.join('\n')).toMatch(/topology: active-active, 2 nodes, as before/);
    expect(status.labAfter?.restored.join('\n')).toMatch(/traffic running again/);
    const after = await l.state();
    expect(after.topology).toEqual(before.topology);
    expect(after.nodes.map((n) => n.id)).toEqual(['a1', 'a2']);
    expect(after.nodes.every((n) => n.status === 'ready')).toBe(true);
    expect(after.balancer.settings).toEqual(before.balancer.settings);
    expect(after.traffic.running).toBe(true);
    expect({ ...after.traffic.settings, durationMs: 0 }).toEqual({ ...before.traffic.settings, durationMs: 0 });
    expect(after.traffic.settings.durationMs).toBe(120_000);
    // And in words, on the timeline.
    const word = l.timeline.find((e) => e.kind === 'drill.lab-after');
    expect(String(word?.detail.words)).toMatch(/^The drill put the lab back\. Put back: /);
    // The report's recording is the drill, not the put-back after it.
    const { recording } = await l.client.request('report.recording', { id: status.reportId as string });
    const kinds = (recording?.entries ?? []).flatMap((e) => (e.event === 'timeline.event' ? [(e.payload as { kind: string }).kind] : []));
    expect(kinds).toContain('fault.injected');
    expect(kinds).not.toContain('drill.lab-after');
    expect(kinds.filter((k) => k === 'topology.changed').length, 'only the drill’s own rebuild').toBeLessThanOrEqual(1);
    await l.client.request('traffic.stop', {});
  }, 150_000);

  it('put-back off: what the drill changed is listed as left, and left so', async () => {
    const l = await lab({ kind: 'active-active', nodes: 2 });
    await l.client.request('balancer.set', { strategy: 'random' });
    await l.client.request('traffic.start', { rate: 25, readShare: 0.5, durationMs: 120_000 });
    const verdict = verdictOf(l);
    await l.client.request('drill.run', { spec: changingDrill(), auto: true, putBack: false });
    const status = await verdict();
    expect(status.labAfter?.putBack).toBe(false);
    expect(status.labAfter?.restored).toEqual([]);
    const left = status.labAfter?.left.join('\n') ?? '';
    expect(left).toMatch(/topology: the drill's active-active, 3 nodes \(before: active-active, 2 nodes\)/);
    expect(left).toMatch(/balancer: the drill's settings \(least-connections/);
    expect(left).toMatch(/traffic settings: the drill's \(60 req\/s/);
    expect(left).toMatch(/traffic stopped \(it was running before the drill\)/);
    const after = await l.state();
    expect(after.topology?.nodes).toBe(3);
    expect(after.balancer.settings.strategy).toBe('least-connections');
    expect(after.traffic.running).toBe(false);
    expect(String(l.timeline.find((e) => e.kind === 'drill.lab-after')?.detail.words)).toMatch(/did not put the lab back \(put-back was off\)/);
  }, 150_000);
});
