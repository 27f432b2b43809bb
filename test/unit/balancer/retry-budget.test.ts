import { describe, expect, it } from 'vitest';
import { RetryBudget } from '../../../electron/engine/balancer/retry-budget';

describe('retry budget', () => {
  it('allows percent of requests plus the minimum × 10 over the window', () => {
    const budget = new RetryBudget();
    const t0 = 1_000_000;
    for (let i = 0; i < 1_000; i++) budget.countRequest(t0 + i);
    expect(budget.usage(t0 + 1_000, 10, 2)).toEqual({ used: 0, allowed: 120 });
    let granted = 0;
    while (budget.tryAcquire(t0 + 1_000, 10, 2)) granted++;
    expect(granted).toBe(120);
    expect(budget.usage(t0 + 1_000, 10, 2).used).toBe(120);
  });

  it('forgets what is older than 10 s', () => {
    const budget = new RetryBudget();
    const t0 = 2_000_000;
    for (let i = 0; i < 100; i++) budget.countRequest(t0);
    expect(budget.tryAcquire(t0, 10, 0)).toBe(true);
    expect(budget.usage(t0 + 9_000, 10, 0)).toEqual({ used: 1, allowed: 10 });
    expect(budget.usage(t0 + 10_000, 10, 0)).toEqual({ used: 0, allowed: 0 });
    expect(budget.tryAcquire(t0 + 10_000, 10, 0)).toBe(false);
  });
});
