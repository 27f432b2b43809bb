import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { IncidentStage, MetricsTick } from '../../../shared/contract/model.js';
import type { DrillRunStatus } from '../../../shared/drill/run.js';
import type { DrillSpecInput } from '../../../shared/drill/schema.js';
import { Recording } from '../../../shared/replay/recording.js';
import { ReplayCursor, stateAt } from '../../../shared/replay/replay.js';
import { RECORDING_FILE } from '../../../electron/engine/report-store/report-store.js';
import { pidOf, startLab, waitFor, type LabUnderTest } from '../../support/lab-client.js';
import { makeTempDir, removeDir } from '../../support/temp.js';

/** Requests a node answered in a tick's window. */
function served(tick: MetricsTick | null | undefined, id: string): number {
  return tick?.perNode[id]?.requests ?? 0;
}

// The lab's recording, read back through the contract and replayed with shared/replay: a real fleet, real kills.
describe('lab: the recording, replayed', () => {
  let t: LabUnderTest | undefined;
  let reportsDir: string | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
    await removeDir(reportsDir);
    reportsDir = undefined;
  });

  it('rebuilds a hot-standby failover under traffic: the primary serving before the kill, detected and ejected after, the standby promoted, the stages in order', async () => {
    t = await startLab({ topology: { kind: 'hot-standby', replication: 'sync' } });
    const lab = t;
    await waitFor('s1 in sync', () => lab.timeline.find((e) => e.kind === 'standby.in-sync' && e.nodeId === 's1'));
    await lab.client.request('traffic.start', { rate: 200, durationMs: 4_000, readShare: 0.5, keys: 200 });
    await new Promise((r) => setTimeout(r, 500));
    const beforeKill = lab.lab.recording.get().endedAt;
    process.kill(pidOf(await lab.state(), 'p1'), 'SIGKILL');
    const incident = await waitFor('the incident to close', () => [...lab.incidents.values()].find((i) => i.nodeId === 'p1' && !i.open));
    await new Promise((r) => setTimeout(r, 300));

    const info = await lab.client.request('recording.info', {});
    const recording = Recording.parse(await lab.client.request('recording.get', {}));
    expect(recording.keyframes.map((k) => k.at).slice(0, info.keyframes.length)).toEqual(info.keyframes); // one more may come between
    expect(info.startedAt).toBe(recording.startedAt);
    expect(recording.keyframes[0]!.at).toBeLessThanOrEqual(recording.startedAt);
    expect(recording.entries.some((e) => e.event === 'metrics.tick')).toBe(true);
    // Keyframes: the start, a fleet up, a failover's new routed nodes; not one per tick.
    console.log(`${recording.keyframes.length} keyframes over ${((recording.endedAt - recording.startedAt) / 1000).toFixed(1)} s: ${recording.keyframes.map((k) => JSON.stringify(k.state.balancer.upstreams.map((u) => u.id))).join(' ')}`);
    expect(recording.keyframes.length).toBeLessThanOrEqual(6 + (recording.endedAt - recording.startedAt) / 10_000);

    const before = stateAt(recording, beforeKill);
    expect(before.nodes.find((n) => n.id === 'p1')).toMatchObject({ role: 'primary', status: 'ready' });
    expect(before.balancer.upstreams.find((u) => u.id === 'p1')?.state).toBe('in-rotation');
    expect(served(before.metrics, 'p1')).toBeGreaterThan(0);
    expect(before.incidents.filter((i) => i.nodeId === 'p1')).toEqual([]);

    // Stages carry their ground-truth instants; the lab says them a little later (the entry's time).
    const detectedAt = incident.stages.detected as number;
    const said = recording.entries.find((e) => e.event === 'incident.changed' && (e.payload as typeof incident).id === incident.id && (e.payload as typeof incident).stages.ejected !== undefined)!;
    console.log(`detected at +${(detectedAt - beforeKill).toFixed(1)} ms, said at +${(said.at - beforeKill).toFixed(1)} ms; stages ${JSON.stringify(Object.fromEntries(Object.entries(incident.stages).map(([k, v]) => [k, +(v - beforeKill).toFixed(1)])))}`);
    const detected = stateAt(recording, said.at);
    const atDetection = detected.incidents.find((i) => i.id === incident.id)!;
    expect(atDetection.stages.detected).toBe(detectedAt);
    expect(atDetection.stages.ejected).toBeTypeOf('number');
    expect(atDetection.stages.recovered).toBeUndefined();
    expect(atDetection.open).toBe(true);
    expect(['ejected', 'down']).toContain(detected.balancer.upstreams.find((u) => u.id === 'p1')?.state);

    const closed = recording.entries.find((e) => e.event === 'incident.changed' && (e.payload as typeof incident).id === incident.id && !(e.payload as typeof incident).open)!;
    const after = stateAt(recording, closed.at);
    // Strict sync promotes s1 when it is in sync (it was waited for); on a starved machine the controller may hold instead.
    expect(after.nodes.find((n) => n.id === 's1')?.role).toBe(incident.failover?.outcome === 'held' ? 'standby' : 'primary');
    expect(after.incidents.find((i) => i.id === incident.id)).toMatchObject({ open: false, stages: incident.stages });

    // Played at 1/10x (10 ms of recording per 100 ms frame), the stages fill in as they happened.
    const order: IncidentStage[] = [];
    const cursor = new ReplayCursor(recording, beforeKill);
    while (cursor.at < (incident.stages.recovered as number) + 50) {
      const state = cursor.advance(10);
      const stages = state.incidents.find((i) => i.id === incident.id)?.stages ?? {};
      for (const stage of Object.keys(stages) as IncidentStage[]) if (!order.includes(stage)) order.push(stage);
    }
    const byTime = (Object.entries(incident.stages) as Array<[IncidentStage, number]>).sort((a, b) => a[1] - b[1]).map(([s]) => s);
    expect(order).toHaveLength(byTime.length);
    // Stages of the same instant come in together: compare the instants each appeared at.
    expect(order.map((s) => incident.stages[s])).toEqual(byTime.map((s) => incident.stages[s]));
    expect(order.indexOf('detected')).toBeLessThan(order.indexOf('failedOver'));
    expect(order.at(-1)).toBe('recovered');
  });

  it('keeps each drill run whole with its report (a gzipped sidecar), and a report without one still opens', async () => {
    reportsDir = await makeTempDir('fd-reports-');
    t = await startLab({ topology: { kind: 'active-active', nodes: 3 }, reportsDir, autoStart: false });
    const lab = t;
    let resolveVerdict: (status: DrillRunStatus) => void = () => undefined;
    const verdict = new Promise<DrillRunStatus>((resolve) => (resolveVerdict = resolve));
    lab.client.on('drill.verdict', (status) => resolveVerdict(status));
    const spec: DrillSpecInput = {
      id: 'test-recorded', title: 'recorded', concept: 'active-active', summary: 'a drill written for a test',
      topology: { kind: 'active-active', nodes: 3 }, traffic: { rate: 100 },
      steps: [{ wait: 300 }, { fault: { inject: { type: 'kill', target: 'a2' } } }, { expect: { event: 'incident.closed', within: 5000 } }, { wait: 200 }],
    };
    await lab.client.request('drill.run', { spec, auto: true });
    const status = await verdict;
    expect(status.verdict).toBe('pass');
    const id = status.reportId as string;

    const { recording } = await lab.client.request('report.recording', { id });
    expect(recording).not.toBeNull();
    const run = Recording.parse(recording);
    expect(run.keyframes[0]!.at).toBeLessThanOrEqual(status.startedAt);
    expect(run.endedAt).toBeGreaterThanOrEqual(status.startedAt + (status.elapsedMs ?? 0) - 1);
    expect(run.entries.filter((e) => e.event === 'drill.step').length).toBeGreaterThan(3);
    expect(run.keyframes.length).toBeLessThanOrEqual(6 + (run.endedAt - run.startedAt) / 10_000);
    const kill = run.entries.find((e) => e.event === 'fault.changed')!;
    expect(stateAt(run, kill.at - 1).nodes.find((n) => n.id === 'a2')?.status).toBe('ready');
    const end = stateAt(run, run.endedAt);
    expect(end.incidents.find((i) => i.nodeId === 'a2')?.open).toBe(false);
    expect(end.drill?.runId).toBe(status.runId);

    // A stretch of it, and the same bound on an answer as the live recording's.
    const stretch = (await lab.client.request('report.recording', { id, from: kill.at, to: kill.at + 100 })).recording!;
    expect(stretch.keyframes[0]!.at).toBeLessThanOrEqual(kill.at);
    expect(stretch.entries.every((e) => e.at <= kill.at + 100)).toBe(true);
    lab.lab.recording.settings.maxStretchBytes = 10_000;
    await expect(lab.client.request('report.recording', { id })).rejects.toMatchObject({ code: 'limit-exceeded', field: 'to' });
    await expect(lab.client.request('recording.get', {})).rejects.toMatchObject({ code: 'limit-exceeded', field: 'to' });
    await expect(lab.client.request('recording.get', { from: 2, to: 1 })).rejects.toMatchObject({ code: 'invalid-params', field: 'params.from' });

    // Damaged: a clear error naming the file; the report itself still opens.
    const { dir } = await lab.client.request('report.open', { id });
    console.log(`drill recording: ${run.entries.length} entries, ${run.keyframes.length} keyframes over ${((run.endedAt - run.startedAt) / 1000).toFixed(1)} s; ${(JSON.stringify(recording).length / 1024).toFixed(0)} KiB JSON, ${(statSync(join(dir, RECORDING_FILE)).size / 1024).toFixed(0)} KiB gzipped`);
    writeFileSync(join(dir, RECORDING_FILE), 'not gzip');
    await expect(lab.client.request('report.recording', { id })).rejects.toMatchObject({ code: 'invalid-params', message: expect.stringContaining(RECORDING_FILE) });
    // Written before recordings existed: none, and nothing else changes.
    rmSync(join(dir, RECORDING_FILE));
    expect(await lab.client.request('report.recording', { id })).toEqual({ recording: null });
    expect((await lab.client.request('report.open', { id })).report.verdict).toBe('pass');
  });
});
