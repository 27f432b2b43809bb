import { describe, expect, it } from 'vitest';
import { availabilityFrom, availabilityLines, formatAvailability, meanMttr, serviceUnavailability } from '../../../shared/report/availability.js';

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
});
