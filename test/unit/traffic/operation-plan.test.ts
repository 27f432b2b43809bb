import { describe, expect, it } from 'vitest';
import { OperationPlan, ZipfSampler, keyName, mulberry32, ZIPF_EXPONENT } from '../../../electron/engine/traffic';

function ops(seed: number, count: number, extra: Partial<ConstructorParameters<typeof OperationPlan>[0]> = {}): string[] {
  const plan = new OperationPlan({ seed, readShare: 0.7, keys: 1000, distribution: 'uniform', ...extra });
  return Array.from({ length: count }, () => {
    const op = plan.next();
    return `${op.kind} ${plan.keyName(op.keyIndex)}`;
  });
}

describe('OperationPlan', () => {
  it('the same seed gives the same operations and keys; another seed does not', () => {
    for (const distribution of ['uniform', 'zipf'] as const) {
      const a = ops(42, 2000, { distribution });
      expect(ops(42, 2000, { distribution })).toEqual(a);
      const b = ops(43, 2000, { distribution });
      expect(b).not.toEqual(a);
      // Different, not merely shifted: most positions differ.
      expect(a.filter((op, i) => op === b[i]).length).toBeLessThan(a.length * 0.5);
    }
  });

  it('mixes reads and writes by readShare (0.7 ± 0.02 over 20 000)', () => {
    const reads = ops(5, 20_000).filter((op) => op.startsWith('read')).length / 20_000;
    expect(reads).toBeGreaterThan(0.68);
    expect(reads).toBeLessThan(0.72);
    expect(ops(5, 1000, { readShare: 0 }).every((op) => op.startsWith('write'))).toBe(true);
    expect(ops(5, 1000, { readShare: 1 }).every((op) => op.startsWith('read'))).toBe(true);
  });

  it('uniform keys cover the key space evenly (each of 100 keys 1 % ± 0.4 % over 50 000)', () => {
    const counts = new Map<string, number>();
    for (const op of ops(9, 50_000, { keys: 100 })) counts.set(op.split(' ')[1]!, (counts.get(op.split(' ')[1]!) ?? 0) + 1);
    expect(counts.size).toBe(100);
    for (const n of counts.values()) {
      expect(n / 50_000).toBeGreaterThan(0.006);
      expect(n / 50_000).toBeLessThan(0.014);
    }
  });

  it('zipf: the most popular key takes its theoretical share (1/H(1000, 0.99) ≈ 13 %, ± 1.5 points), > 100× uniform', () => {
    let h = 0;
    for (let k = 1; k <= 1000; k++) h += k ** -ZIPF_EXPONENT;
    const expected = 1 / h;
    const counts = new Map<string, number>();
    const n = 20_000;
    for (const op of ops(17, n, { distribution: 'zipf' })) counts.set(op.split(' ')[1]!, (counts.get(op.split(' ')[1]!) ?? 0) + 1);
    const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    expect(sorted[0]![0]).toBe('key-000000');
    const top = sorted[0]![1] / n;
    expect(Math.abs(top - expected)).toBeLessThan(0.015);
    expect(top).toBeGreaterThan(100 / 1000);
    // Rank 2 about half of rank 1 (2^-0.99), within 20 %.
    const second = (counts.get('key-000001') ?? 0) / sorted[0]![1];
    expect(second).toBeGreaterThan(0.5 * 0.8);
    expect(second).toBeLessThan(0.5 * 1.2);
  });

  it('ZipfSampler stays in 1..n for small and large n', () => {
    const random = mulberry32(1);
    for (const n of [1, 2, 3, 1_000_000]) {
      const z = new ZipfSampler(n);
      for (let i = 0; i < 5000; i++) {
        const k = z.sample(random);
        expect(Number.isInteger(k) && k >= 1 && k <= n).toBe(true);
      }
    }
  });

  it('names keys key-000042, wider when the key space needs it', () => {
    expect(keyName(42, 1000)).toBe('key-000042');
    expect(keyName(42, 10_000_000)).toBe('key-0000042');
    expect(new OperationPlan({ seed: 1, readShare: 1, keys: 1000, distribution: 'uniform' }).keyName(7)).toBe('key-000007');
  });

  it('mulberry32 is in [0, 1) and seed-determined', () => {
    const a = mulberry32(123);
    const b = mulberry32(123);
    for (let i = 0; i < 1000; i++) {
      const x = a();
      expect(x).toBe(b());
      expect(x >= 0 && x < 1).toBe(true);
    }
  });
});
