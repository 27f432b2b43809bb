import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrillRunStatus } from '../../../shared/drill/run.js';
import { loadLibrary } from '../../../electron/engine/drills/library.js';
import { startLab, type LabUnderTest } from '../../support/lab-client.js';
import { makeTempDir, removeDir } from '../../support/temp.js';

// Every built-in drill passes headless on a healthy build, one after the other in one lab (as a
// class would run them), in the short profile that halves waits and traffic.
const library = loadLibrary({ builtin: 'drills/library' });

describe('the built-in drill library', () => {
  let t: LabUnderTest;
  let reportsDir = '';
  const verdicts: DrillRunStatus[] = [];
  beforeAll(async () => {
    reportsDir = await makeTempDir('fd-builtin-reports-');
    t = await startLab({ topology: { kind: 'active-active', nodes: 3 }, reportsDir, autoStart: false });
    t.client.on('drill.verdict', (status) => verdicts.push(status));
  });
  afterAll(async () => {
    await t?.close();
    await removeDir(reportsDir);
  });

  it('loads without problems, at least 12 drills', () => {
    expect(library.problems).toEqual([]);
    expect(library.drills.length).toBeGreaterThanOrEqual(12);
  });

  for (const { spec, summary } of library.drills) {
    it(`${spec.id} passes (short profile)`, { timeout: summary.estimatedMs + 90_000 }, async () => {
      const { runId } = await t.client.request('drill.run', { id: spec.id, auto: true, profile: 'short', formats: ['json'] });
      const status = await new Promise<DrillRunStatus>((resolve) => {
        const poll = setInterval(() => {
          const found = verdicts.find((v) => v.runId === runId);
          if (found) {
            clearInterval(poll);
            resolve(found);
          }
        }, 50);
      });
      const failed = status.expectations.filter((e) => e.verdict !== 'pass').map((e) => `step ${e.step + 1} ${e.description}: ${e.detail}`);
      expect({ verdict: status.verdict, reason: status.reason, failed }).toEqual({ verdict: 'pass', reason: expect.any(String), failed: [] });
      const state = await t.state();
      expect(state.faults.filter((f) => f.status === 'active'), 'every fault reverted').toEqual([]);
      expect(state.traffic.running).toBe(false);
    });
  }
});
