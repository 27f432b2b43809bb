import { describe, expect, it } from 'vitest';
import type { Incident } from '../../../shared/contract/model.js';
import { formatMttrSplit, incidentSystemMttr, liveMttrSplit, mttrSplit, operatorWaits, systemMttr } from '../../../shared/report/mttr-split.js';

const sum = (s: { detectionMs: number; drillMs: number; operatorMs: number; automaticMs: number }): number => s.detectionMs + s.drillMs + s.operatorMs + s.automaticMs;

describe('mttrSplit', () => {
  it('a node killed and restarted by the supervisor: detection, then all automatic', () => {
    const split = mttrSplit({ incident: { stages: { injected: 1000, observed: 1002, detected: 1004, restarted: 1100, restored: 1400, recovered: 1500 }, mttdMs: 4, mttrMs: 500 } });
    expect(split).toEqual({ detectionMs: 4, drillMs: 0, operatorMs: 0, automaticMs: 496 });
  });

  it('a manual start: the drill’s steps before the prompt and the reading time are not the system’s', () => {
    // Killed at 1000, detected at 1005; the drill waits 5 s, then shows the prompt at 6000; the
    // learner starts the node at 12800; it is back in rotation at 14000.
    const waits = [{ fromMs: 6000, toMs: 12_800 }];
    const split = mttrSplit({ incident: { stages: { injected: 1000, detected: 1005, restarted: 12_810, restored: 13_500, recovered: 14_000 }, mttdMs: 5, mttrMs: 13_000 }, operatorWaits: waits });
    expect(split).not.toBeNull();
    expect(split?.detectionMs).toBe(5);
    expect(split?.drillMs).toBe(4995); // 1005 → 6000
    expect(split?.operatorMs).toBe(6800); // 6000 → 12800
    expect(split?.automaticMs).toBe(1200); // 12800 → 14000
    expect(sum(split!)).toBeCloseTo(13_000, 6);
    expect(systemMttr(split!)).toBe(1205);
    expect(formatMttrSplit(split!)).toBe('detection 5.0 ms + drill 5.00 s + operator 6.80 s + automatic 1.20 s');
  });

  it('a prompt shown while the system was already recovering costs nothing', () => {
    // The supervisor restarted the node at 1100; a question showed 1200 → 9000: recovery was not waiting on it.
    const split = mttrSplit({ incident: { stages: { injected: 1000, detected: 1004, restarted: 1100, recovered: 1500 }, mttdMs: 4, mttrMs: 500 }, operatorWaits: [{ fromMs: 1200, toMs: 9000 }] });
    expect(split).toEqual({ detectionMs: 4, drillMs: 0, operatorMs: 0, automaticMs: 496 });
  });

  it('prompts before the fault or after the recovery are left out; one across the detection counts from it', () => {
    const incident = { stages: { injected: 1000, detected: 1010, recovered: 5000 }, mttdMs: 10, mttrMs: 4000 };
    expect(mttrSplit({ incident, operatorWaits: [{ fromMs: 0, toMs: 900 }, { fromMs: 6000, toMs: 7000 }] })?.operatorMs).toBe(0);
    const across = mttrSplit({ incident, operatorWaits: [{ fromMs: 500, toMs: 3000 }] });
    expect(across).toEqual({ detectionMs: 10, drillMs: 0, operatorMs: 1990, automaticMs: 2000 });
  });

  it('a fault the drill had not reverted holds the node down: drill time, not recovery', () => {
    // A frozen node, detected at 1500, unfrozen by the drill at 6000, serving again at 6300.
    const split = mttrSplit({ incident: { stages: { injected: 1000, detected: 1500, recovered: 6300 }, mttdMs: 500, mttrMs: 5300 }, drillHolds: [{ fromMs: 1000, toMs: 6000 }] });
    expect(split).toEqual({ detectionMs: 500, drillMs: 4500, operatorMs: 0, automaticMs: 300 });
  });

  it('nothing to split without a recovery; old incidents fall back to the whole MTTR', () => {
    expect(mttrSplit({ incident: { stages: { injected: 1000, detected: 1004 }, mttdMs: 4, mttrMs: null } })).toBeNull();
    expect(incidentSystemMttr({ mttrMs: 800 })).toBe(800);
    expect(incidentSystemMttr({ mttrMs: 800, mttrSplit: { detectionMs: 5, drillMs: 100, operatorMs: 500, automaticMs: 195 } })).toBe(200);
    expect(incidentSystemMttr({ mttrMs: null })).toBeNull();
  });

  it('reads the prompts from the step records, shifted to another origin', () => {
    const steps = [{}, { operatorWaitFromMs: 100, operatorWaitMs: 50 }, { operatorWaitFromMs: 300 }];
    expect(operatorWaits(steps)).toEqual([{ fromMs: 100, toMs: 150 }]);
    expect(operatorWaits(steps, 1000)).toEqual([{ fromMs: 1100, toMs: 1150 }]);
  });

  it('live: from the run the incident happened in (epoch ms), and no prompts or holds outside a run', () => {
    const incident: Incident = {
      id: 'inc-1', nodeId: 'a2', cause: 'exit', detectedVia: 'exit', lostWrites: null, staleWrites: null, open: false,
      stages: { injected: 101_000, detected: 101_005, restarted: 112_810, recovered: 114_000 }, mttdMs: 5, mttrMs: 13_000,
    };
    const run = { startedAt: 100_000, steps: [{ operatorWaitFromMs: 6_000, operatorWaitMs: 6_800 }] } as never;
    expect(liveMttrSplit(incident, run, [])).toEqual({ detectionMs: 5, drillMs: 4_995, operatorMs: 6_800, automaticMs: 1_200 });
    expect(liveMttrSplit(incident, null, [])).toEqual({ detectionMs: 5, drillMs: 0, operatorMs: 0, automaticMs: 12_995 });
    // An incident from before the run is not the run's.
    expect(liveMttrSplit(incident, { startedAt: 102_000, steps: [] } as never, [])?.operatorMs).toBe(0);
    // Its own split wins.
    const own = { detectionMs: 1, drillMs: 2, operatorMs: 3, automaticMs: 4 };
    expect(liveMttrSplit({ ...incident, mttrSplit: own }, run, [])).toBe(own);
  });
});
