// drill.run with onLabFleet, through the contract: the drill runs on the lab's own fleet (restarted
// afresh, never the drill's topology), and a drill naming a node that fleet lacks ends as an error
// that names the field, with every node of the fleet back up and no fault left behind.
import { afterEach, describe, expect, it } from 'vitest';
import type { DrillRunStatus } from '../../../shared/drill/run';
import type { DrillSpecInput } from '../../../shared/drill/schema';
import { startLab, waitFor, type LabUnderTest } from '../../support/lab-client';
import { makeTempDir, removeDir } from '../../support/temp';

describe('a drill on the lab\'s own fleet (drill.run onLabFleet)', () => {
  let t: LabUnderTest | undefined;
  let reportsDir: string | undefined;
  afterEach(async () => {
    await t?.close();
    await removeDir(reportsDir);
    t = undefined;
  });

  const fleet = { name: 'two of mine', nodes: [{ id: 'web-a', role: 'stateless' as const }, { id: 'web-b', role: 'stateless' as const }] };
  const drill = (target: string): DrillSpecInput => ({
    id: 'on-my-fleet',
    title: 'on my fleet',
    concept: 'active-active',
    summary: 'a kill on a fleet of the lab',
    topology: { kind: 'active-active', nodes: 3 },
    traffic: { rate: 100, readShare: 1 },
    steps: [{ wait: 300 }, { fault: { inject: { type: 'kill', target } } }, { expect: { event: 'incident.detected', within: 2000 } }, { wait: 300 }],
  });

  async function run(spec: DrillSpecInput): Promise<DrillRunStatus> {
    reportsDir = await makeTempDir('fd-fleet-drill-');
    t = await startLab({ fleet, reportsDir });
    let verdict: DrillRunStatus | undefined;
    t.client.on('drill.verdict', (status) => (verdict = status));
    await t.client.request('drill.run', { spec, auto: true, formats: ['json'], onLabFleet: true });
    return waitFor('the verdict', () => verdict, 30_000);
  }

  it('runs on the fleet, not the drill\'s topology', { timeout: 60_000 }, async () => {
    const status = await run(drill('web-b'));
    expect(status.verdict, status.reason ?? '').toBe('pass');
    const state = await t!.state();
    expect(state.topology).toBeNull();
    expect(state.nodes.map((n) => n.id)).toEqual(['web-a', 'web-b']);
    expect(t!.timeline.filter((e) => e.kind === 'topology.changed')).toEqual([]);
  });

  it('a node the fleet lacks: an error naming the field, the fleet running, no fault left', { timeout: 60_000 }, async () => {
    const status = await run(drill('a2'));
    expect(status.verdict).toBe('error');
    expect(status.reason).toContain('steps.1.fault.inject.target: no node "a2" in the fleet (it has web-a, web-b)');
    const state = await t!.state();
    expect(state.nodes.map((n) => [n.id, n.status])).toEqual([
      ['web-a', 'ready'],
      ['web-b', 'ready'],
    ]);
    expect(state.faults.filter((f) => f.status === 'active')).toEqual([]);
  });
});
