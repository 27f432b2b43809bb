import { describe, expect, it } from 'vitest';
import { afterIncident, causeWords, formatAfter, formatClock, formatDecimal, formatDuration, formatPercent } from '../../../../shared/words/format.js';

describe('formatDuration: a tenth of a ms below 10, whole ms above', () => {
  it.each([
    [0, '0 ms'],
    [1e-12, '0 ms'],
    [0.01, '< 0.1 ms'],
    [0.42, '0.4 ms'],
    [4.94, '4.9 ms'],
    [9.96, '10 ms'],
    [10.4, '10 ms'],
    [312.49, '312 ms'],
    [999.6, '1.00 s'],
    [1_204.4, '1.20 s'],
    [12_345, '12.3 s'],
    [59_960, '1 min 00 s'],
    [67_104, '1 min 07 s'],
    [3_600_000, '1 h 00 min'],
    [-4.2, '−4.2 ms'],
    [-0.01, '< 0.1 ms'],
    [null, '—'],
    [Number.NaN, '—'],
    [Number.POSITIVE_INFINITY, '—'],
  ])('%s → %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe('formatPercent: no float noise, never 0 or 100 when it is not', () => {
  it.each([
    [0, 2, '0 %'],
    [1.8e-17, 2, '0 %'],
    [-1.8e-17, 2, '0 %'],
    [0.018, 2, '1.8 %'],
    [0.0005, 2, '0.05 %'],
    [0.00001, 2, '< 0.01 %'],
    [0.00001, 3, '0.001 %'],
    [0.9999999, 2, '> 99.99 %'],
    [0.9999999, 0, '> 99 %'],
    [1 - 1e-16, 2, '100 %'],
    [1, 2, '100 %'],
    [0.5, 0, '50 %'],
    [0.1 + 0.2, 2, '30 %'],
    [null, 2, '—'],
  ])('%s (%s digits) → %s', (share, digits, text) => expect(formatPercent(share, digits)).toBe(text));
});

describe('formatDecimal', () => {
  it.each([
    [3, '3'],
    [3.5, '3.5'],
    [0.0421, '0.04'],
    [-0.001, '0'],
    [1.8e-15, '0'],
    [1e22, '10000000000000000000000'],
  ])('%s → %s', (value, text) => expect(formatDecimal(value)).toBe(text));
});

describe('formatClock: a wall clock to the millisecond', () => {
  it('reads UTC', () => {
    expect(formatClock(Date.UTC(2026, 11, 5, 12, 4, 31, 512), 'utc')).toBe('12:04:31.512');
    expect(formatClock(Date.UTC(2026, 11, 5, 0, 0, 0, 7) + 0.6, 'utc')).toBe('00:00:00.008');
  });
  it('reads the local zone', () => {
    const at = Date.UTC(2026, 11, 5, 12, 4, 31, 512);
    expect(formatClock(at)).toMatch(/^\d\d:04:31\.512$/);
    expect(formatClock(null)).toBe('—');
  });
});

describe('formatAfter: the time after what it belongs to', () => {
  it.each([
    [1_204.4, 'the kill', '+1.204 s after the kill'],
    [312.2, 'the kill', '+312 ms after the kill'],
    [0, 'the kill', '+0 ms after the kill'],
    [67_104, 'the freeze', '+1 min 07.104 s after the freeze'],
    [-1_000, 'the kill', '−1.000 s before the kill'],
    [1_500, undefined, '+1.500 s'],
    [4.24, undefined, '+4.2 ms'],
    [9.96, undefined, '+10 ms'],
  ])('%s %s → %s', (ms, what, text) => expect(formatAfter(ms, what)).toBe(text));
  it('never a bare +mm:ss.mmm', () => {
    for (const ms of [0, 999, 61_000, 3_599_999]) expect(formatAfter(ms, 'the kill')).not.toMatch(/^\+\d\d:\d\d\.\d{3}$/);
  });
});

describe('causeWords', () => {
  it.each([
    ['fault:kill', 'the kill'],
    ['fault:pause', 'the freeze'],
    ['fault:slow_close', 'the slow close fault'],
    ['exit', 'the exit'],
    ['detected:passive', 'the detection'],
  ])('%s → %s', (cause, words) => expect(causeWords(cause)).toBe(words));
});

describe('afterIncident', () => {
  const spans = [
    { cause: 'fault:kill', start: 1_000, end: 3_000 },
    { cause: 'fault:pause', start: 10_000, end: null },
  ];
  it('reads the time after the incident an instant falls in', () => {
    expect(afterIncident(2_204, spans)).toBe('+1.204 s after the kill');
    expect(afterIncident(10_312, spans)).toBe('+312 ms after the freeze');
  });
  it('an event of a node reads its time after that node\'s own incident, else the latest one', () => {
    const two = [
      { cause: 'fault:pause', start: 1_000, end: null, nodeId: 'a3' },
      { cause: 'fault:kill', start: 1_010, end: null, nodeId: 'a5' },
    ];
    expect(afterIncident(1_300, two, 'a3')).toBe('+300 ms after the freeze');
    expect(afterIncident(1_300, two, 'a5')).toBe('+290 ms after the kill');
    // The standby's promotion belongs to the primary's kill; a lab event to the latest incident.
    expect(afterIncident(1_300, two, 's1')).toBe('+290 ms after the kill');
    expect(afterIncident(1_300, two, null)).toBe('+290 ms after the kill');
  });
  it('is null outside every incident, and at its very start', () => {
    expect(afterIncident(500, spans)).toBeNull();
    expect(afterIncident(3_001, spans)).toBeNull();
    expect(afterIncident(1_000, spans)).toBeNull();
  });
});
