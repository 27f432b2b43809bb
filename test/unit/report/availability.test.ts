import { describe, expect, it } from 'vitest';
import { availabilityFrom, availabilityLines, formatAvailability, kOfNUnavailability, meanMttr, meanSystemMttr, serviceUnavailability } from '../../../shared/report/availability.js';

const HOUR = 3_600_000;
const MINUTES_PER_YEAR = 525_960;

describe('availability arithmetic', () => {
  it('A = MTBF / (MTBF + MTTR) and 1 - (1 - A)^n, with known numbers', () => {
    // MTTR 1 h against MTBF 720 h: A = 720/721; two replicas: 1 - (1/721)^2.
    const one = availabilityFrom({ mttrMs: HOUR, replicas: 1, mtbfHours: 720 });
    expect(one.single).toBeCloseTo(720 / 721, 12);
    expect(one.combined).toBeCloseTo(720 / 721, 12);
    expect(one.downtimeMinutesPerYear).toBeCloseTo(MINUTES_PER_YEAR / 721, 6); // 729.487 min
    const two = availabilityFrom({ mttrMs: HOUR, replicas: 2, mtbfHours: 720 });
    expect(two.combined).toBeCloseTo(1 - 1 / 721 ** 2, 12);
    expect(two.downtimeMinutesPerYear).toBeCloseTo(1.011771, 5);
    expect(two.replicas).toBe(2);
  });

  it('defaults MTBF to 30 days and keeps digits that 1 - A would round away', () => {
    const a = availabilityFrom({ mttrMs: 300, replicas: 1 });
    expect(a.mtbfHours).toBe(720);
    const u = 300 / (720 * HOUR + 300);
    expect(a.single).toBeCloseTo(1 - u, 15);
    expect(a.downtimeMinutesPerYear).toBeCloseTo(u * MINUTES_PER_YEAR, 9); // ≈ 3.65 s a year
    // Three replicas: (1 - A)^3 ≈ 1.6e-21, far below a double's resolution around 1, but the downtime keeps it.
    const three = availabilityFrom({ mttrMs: 300, replicas: 3 });
    expect(three.combined).toBe(1);
    expect(three.downtimeMinutesPerYear).toBeGreaterThan(0);
    expect((three.downtimeMinutesPerYear ?? 0) / (u ** 3 * MINUTES_PER_YEAR)).toBeCloseTo(1, 9);
    expect((serviceUnavailability(three) ?? 0) / u ** 3).toBeCloseTo(1, 9);
  });

  it('explains itself: MTBF assumed, MTTR measured, with the numbers', () => {
    const a = availabilityFrom({ mttrMs: 290, replicas: 2 });
    expect(a.explanation).toMatch(/MTBF, 720 h \(30 days\).*is an assumption/);
    expect(a.explanation).toMatch(/MTTR, 290 ms, is measured/);
    expect(a.explanation).toContain('1 − (1 − A)^2');
    const lines = availabilityLines(a);
    expect(lines.some((line) => line.includes('MTBF / (MTBF + MTTR) = 720 h / (720 h + 290 ms)'))).toBe(true);
  });

  it('says there is nothing to compute when nothing recovered', () => {
    const a = availabilityFrom({ mttrMs: null, replicas: 3 });
    expect(a).toMatchObject({ mttrMs: null, single: null, combined: null, downtimeMinutesPerYear: null, replicas: 3 });
    expect(a.explanation).toMatch(/no measured MTTR/);
  });

  it('refuses a non-positive MTBF and treats fewer than one replica as one', () => {
    expect(() => availabilityFrom({ mttrMs: 100, replicas: 1, mtbfHours: 0 })).toThrow(RangeError);
    expect(availabilityFrom({ mttrMs: 100, replicas: 0 }).replicas).toBe(1);
  });

  it('meanMttr averages the incidents that recovered', () => {
    expect(meanMttr([{ mttrMs: 100 }, { mttrMs: null }, { mttrMs: 300 }])).toBe(200);
    expect(meanMttr([{ mttrMs: null }])).toBeNull();
    expect(meanMttr([])).toBeNull();
  });

  it('formats an availability with two digits of what is missing', () => {
    expect(formatAvailability(300 / (720 * HOUR + 300))).toBe('99.999988 %');
    expect(formatAvailability(0.01)).toBe('99.0 %');
    expect(formatAvailability(0)).toBe('100 %');
    expect(formatAvailability(1e-21)).toBe('> 99.9999999999 % (21 nines)');
    expect(formatAvailability(1.8e-17)).not.toMatch(/e-/);
    expect(formatAvailability(null)).toBe('—');
  });

  it('k of n: the binomial sum, with known numbers (2 of 3 needed, N+1)', () => {
    const u = 0.01;
    // Down when 2 or 3 of 3 are down: 3u²(1 − u) + u³.
    expect(kOfNUnavailability(u, 3, 2)).toBeCloseTo(3 * u ** 2 * (1 - u) + u ** 3, 15);
    expect(kOfNUnavailability(u, 3, 1)).toBeCloseTo(u ** 3, 18);
    expect(kOfNUnavailability(u, 3, 3)).toBeCloseTo(1 - (1 - u) ** 3, 15);
    expect(kOfNUnavailability(u, 5, 3)).toBeCloseTo(10 * u ** 3 * (1 - u) ** 2 + 5 * u ** 4 * (1 - u) + u ** 5, 15);
    // MTTR 1 h against MTBF 720 h, 3 replicas, 2 needed.
    const a = availabilityFrom({ mttrMs: HOUR, replicas: 3, needed: 2, mtbfHours: 720 });
    const uNode = 1 / 721;
    expect(a.needed).toBe(2);
    expect(1 - (a.combined ?? 0)).toBeCloseTo(3 * uNode ** 2 * (1 - uNode) + uNode ** 3, 12);
    expect(serviceUnavailability(a)).toBeCloseTo(3 * uNode ** 2 * (1 - uNode) + uNode ** 3, 15);
    // Needing 2 of 3 is far worse than needing 1 of 3, and the words say which was used.
    const any = availabilityFrom({ mttrMs: HOUR, replicas: 3, mtbfHours: 720 });
    expect((serviceUnavailability(a) ?? 0) / (serviceUnavailability(any) ?? 1)).toBeGreaterThan(1000);
    expect(a.explanation).toContain('3 replicas of which 2 are needed to carry the load (1 spare)');
    expect(availabilityLines(a)).toContain('k needed        = 2');
    expect(availabilityLines(a).some((line) => line.startsWith('A (service)     = Σ i=2..3 C(3,i) A^i (1 − A)^(3−i) ='))).toBe(true);
    expect(any.explanation).toMatch(/does not say how many nodes its load needs/);
    // All needed: A^n; more needed than there are: all of them.
    expect(availabilityFrom({ mttrMs: HOUR, replicas: 2, needed: 2, mtbfHours: 720 }).explanation).toContain('A^2');
    expect(availabilityFrom({ mttrMs: HOUR, replicas: 2, needed: 5 }).needed).toBe(2);
  });

  it('uses the system MTTR, without operator and drill time, and says what was left out', () => {
    const incidents = [
      { mttrMs: 13_000, mttrSplit: { detectionMs: 5, drillMs: 4995, operatorMs: 6800, automaticMs: 1200 } },
      { mttrMs: 400 }, // an older report's incident: its whole MTTR
      { mttrMs: null },
    ];
    expect(meanSystemMttr(incidents)).toBeCloseTo((1205 + 400) / 2, 9);
    const a = availabilityFrom({ mttrMs: meanSystemMttr(incidents), mttrTotalMs: meanMttr(incidents), replicas: 3, needed: 2 });
    expect(a.mttrMs).toBeCloseTo(802.5, 9);
    expect(a.mttrTotalMs).toBe(6700);
    expect(a.explanation).toMatch(/detection \+ automatic recovery/);
    expect(a.explanation).toMatch(/waiting on a person or on the drill's script/);
    expect(availabilityLines(a)[1]).toMatch(/\(detection \+ automatic; 6.70 s with operator and drill time\)/);
  });
});
