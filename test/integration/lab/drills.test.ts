import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { DrillRunStatus } from '../../../shared/drill/run.js';
import type { DrillSpecInput } from '../../../shared/drill/schema.js';
import { DrillReport } from '../../../shared/report/model.js';
import { procStat } from '../../../electron/engine/faults/process/process-identity.js';
import { pidOf, startLab, waitFor, type LabUnderTest } from '../../support/lab-client.js';
import { makeTempDir, removeDir } from '../../support/temp.js';

// Drills through the contract, as the UI runs them: real fleet, real faults, real reports on disk.
describe('lab: drills', () => {
  let t: LabUnderTest | undefined;
  let reportsDir: string | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
    await removeDir(reportsDir);
    reportsDir = undefined;
  });

  async function lab(): Promise<LabUnderTest & { steps: DrillRunStatus[]; verdict: () => Promise<DrillRunStatus> }> {
    reportsDir = await makeTempDir('fd-reports-');
    t = await startLab({ topology: { kind: 'active-active', nodes: 3 }, reportsDir, autoStart: false });
    const steps: DrillRunStatus[] = [];
    let resolveVerdict: (status: DrillRunStatus) => void = () => undefined;
    const verdict = new Promise<DrillRunStatus>((resolve) => (resolveVerdict = resolve));
    t.client.on('drill.step', (status) => steps.push(status));
    t.client.on('drill.verdict', (status) => resolveVerdict(status));
    return Object.assign(t, { steps, verdict: () => verdict });
  }

  const base = {
    title: 'test drill',
    concept: 'active-active',
    summary: 'a drill written for a test',
    topology: { kind: 'active-active', nodes: 3 },
    traffic: { rate: 150 },
  } as const;

  it('runs a drill to a pass: events, expectations, and a report in every format', async () => {
    const l = await lab();
    const spec: DrillSpecInput = {
      ...base,
      id: 'test-pass',
      seed: 42,
      hypothesis: { maxErrorRate: 0.02, maxP99Ms: 500 },
      steps: [
        { say: 'Three nodes share the load.' },
        { wait: 600 },
        { expect: { metric: 'node.share', node: 'a2', min: 0.2, max: 0.45 } },
        { mark: 'before-kill' },
        { fault: { inject: { type: 'kill', target: 'a2' } } },
        { expect: { event: 'incident.detected', within: 1000, node: 'a2' } },
        { expect: { event: 'incident.closed', within: 5000 } },
        { wait: 300 },
        { expect: { metric: 'incident.mttrMs', min: 1, max: 5000 } },
        { expect: { metric: 'traffic.errorRate', max: 0.02 } },
      ],
    };
    const started = await l.client.request('drill.run', { spec, auto: true, formats: ['json', 'html', 'md', 'junit'] });
    expect(started.state).toBe('preparing');
    const status = await l.verdict();
    expect(status.reason).toMatch(/held/);
    expect(status.verdict).toBe('pass');
    expect(status.expectations.map((e) => e.verdict)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass']);
    expect(status.steps.every((s) => s.status === 'done' || s.status === 'passed')).toBe(true);
    // Progress came step by step, each a valid status (the test lab checks every event against the contract).
    const indexes = new Set(l.steps.map((s) => s.current).filter((c) => c !== null));
    expect(indexes.size).toBe(spec.steps.length);

    const opened = await l.client.request('report.open', { id: status.reportId as string });
    const report = DrillReport.parse(JSON.parse(readFileSync(opened.files.json as string, 'utf8')));
    expect(report.verdict).toBe('pass');
    expect(report.seed).toBe(42);
    expect(report.traffic.settings?.seed).toBe(42);
    expect(report.marks.map((m) => m.name)).toContain('before-kill');
    expect(report.faults).toHaveLength(1);
    expect(report.incidents.some((i) => i.nodeId === 'a2' && i.mttdMs !== null && i.mttrMs !== null)).toBe(true);
    expect(report.series.tMs.length).toBeGreaterThan(10);
    expect(report.availability.mttrMs).toBeGreaterThan(0);
    for (const format of ['html', 'md', 'junit'] as const) expect(existsSync(opened.files[format] as string), format).toBe(true);
    expect(readFileSync(opened.files.junit as string, 'utf8')).toContain('<testsuite');

    // Over the contract a report is an id in the history, never a path on the engine's disk.
    await expect(l.client.request('report.open', { id: opened.files.json as string })).rejects.toMatchObject({ code: 'invalid-params', field: 'params.id' });
    const list = await l.client.request('report.list', {});
    expect(list.reports.map((r) => r.id)).toContain(status.reportId);
    // Every fault reverted, traffic stopped, the balancer as it was.
    const state = await l.state();
    expect(state.faults.filter((f) => f.status === 'active')).toEqual([]);
    expect(state.traffic.running).toBe(false);
  });

  it('waits for the operator: a prediction answered, an action performed on request', async () => {
    const l = await lab();
    const spec: DrillSpecInput = {
      ...base,
      id: 'test-operator',
      steps: [
        { predict: { question: 'What happens?', options: ['nothing', 'something'], answer: 1 } },
        { action: { text: 'Restart a3.', do: { command: 'node.restart', params: { id: 'a3' } } } },
        { expect: { event: 'node.ready', node: 'a3', within: 5000 } },
      ],
    };
    const { runId } = await l.client.request('drill.run', { spec });
    const predict = await waitFor('the prediction', () => l.steps.find((s) => s.waitingFor?.kind === 'predict'), 20_000);
    expect(predict.state).toBe('waiting');
    expect(predict.waitingFor?.options).toEqual(['nothing', 'something']);
    await expect(l.client.request('drill.answer', { runId, step: 0, option: 5 })).rejects.toMatchObject({ code: 'invalid-params', field: 'option' });
    await l.client.request('drill.answer', { runId, step: 0, option: 1 });
    const action = await waitFor('the action', () => l.steps.find((s) => s.waitingFor?.kind === 'action'));
    expect(action.waitingFor?.canPerform).toBe(true);
    await l.client.request('drill.answer', { runId, step: 1, perform: true });
    const status = await l.verdict();
    expect(status.verdict).toBe('pass');
    expect(status.predictions[0]).toMatchObject({ answer: 1, expected: 1, correct: true });
    expect(status.predictions[0]?.outcome).toMatch(/requests failed/);
    expect(status.steps[1]?.performedBy).toBe('auto');
  });

  it('a drill whose hypothesis is breached fails, and its report says why', async () => {
    const l = await lab();
    const spec: DrillSpecInput = {
      ...base,
      id: 'test-breach',
      // No retries and no passive ejection: a node answering 503 is seen by the clients.
      balancer: { retry: { enabled: false }, passive: { enabled: false } },
      hypothesis: { maxErrorRate: 0.01 },
      steps: [{ wait: 500 }, { fault: { inject: { type: 'http_error', target: 'a1', attributes: { status: 503 } } } }, { wait: 1500 }],
    };
    await l.client.request('drill.run', { spec, auto: true });
    const status = await l.verdict();
    expect(status.verdict).toBe('fail');
    expect(status.reason).toMatch(/hypothesis breached: error rate [\d.]+ % > 1\.00 %/);
    const check = status.hypothesis.find((h) => h.name === 'maxErrorRate');
    expect(check?.verdict).toBe('fail');
    expect(check?.worst).toBeGreaterThan(0.1);
    const { report, files } = await l.client.request('report.open', { id: status.reportId as string });
    expect(report.reason).toBe(status.reason);
    expect(readFileSync(files.junit as string, 'utf8')).toMatch(/<failure/);
    expect((await l.state()).faults.filter((f) => f.status === 'active')).toEqual([]);
  });

  it('abort mid-drill reverts every fault (a frozen node runs again) and stops the traffic', async () => {
    const l = await lab();
    const spec: DrillSpecInput = {
      ...base,
      id: 'test-abort',
      steps: [
        { fault: { inject: { type: 'pause', target: 'a1' }, as: 'freeze' } },
        { fault: { inject: { type: 'latency', target: 'a2', attributes: { latency: 100 } } } },
        { wait: 60_000 },
      ],
    };
    await l.client.request('drill.run', { spec, auto: true });
    await waitFor('the long wait', () => l.steps.find((s) => s.current === 2 && s.steps[2]?.status === 'running'), 20_000);
    const pid = pidOf(await l.state(), 'a1');
    expect(procStat(pid)?.state).toBe('T');
    expect((await l.state()).faults.filter((f) => f.status === 'active')).toHaveLength(2);

    await l.client.request('drill.abort', {});
    const status = await l.verdict();
    expect(status.verdict).toBe('aborted');
    expect(status.reason).toMatch(/aborted: by the operator/);
    expect(status.steps[2]?.status).toBe('skipped');
    const state = await l.state();
    expect(state.faults.filter((f) => f.status === 'active')).toEqual([]);
    expect(procStat(pid)?.state).not.toBe('T');
    expect(state.traffic.running).toBe(false);
    expect(status.elapsedMs).toBeLessThan(20_000);
  });

  it('a stop condition ends the drill when the error rate stays above its limit', async () => {
    const l = await lab();
    const spec: DrillSpecInput = {
      ...base,
      id: 'test-stop',
      balancer: { retry: { enabled: false }, passive: { enabled: false } },
      stop: { errorRateAbove: 0.2, forMs: 500 },
      steps: [
        { wait: 300 },
        { fault: { inject: { type: 'http_error', target: 'a1' } } },
        { fault: { inject: { type: 'http_error', target: 'a2' } } },
        { wait: 30_000 },
      ],
    };
    await l.client.request('drill.run', { spec, auto: true });
    const status = await l.verdict();
    expect(status.verdict).toBe('aborted');
    expect(status.reason).toMatch(/^stop condition: error rate above 20\.0 % for \d+ ms/);
    expect(status.elapsedMs).toBeLessThan(15_000);
    expect((await l.state()).faults.filter((f) => f.status === 'active')).toEqual([]);
  });
});
