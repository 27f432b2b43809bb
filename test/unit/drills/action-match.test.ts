import { describe, expect, it } from 'vitest';
import { contains } from '../../../electron/engine/drills/steps/action.js';

describe("an action step's act, matched against a command carried out", () => {
  it('matches when every field the drill names has the same value in the call (defaults the call adds do not matter)', () => {
    expect(contains({ id: 'a2' }, { id: 'a2' })).toBe(true);
    expect(contains({ id: 'a2', graceMs: 5000 }, { id: 'a2' })).toBe(true);
    expect(contains({ id: 'a3' }, { id: 'a2' })).toBe(false);
    expect(contains({ health: { intervalMs: 500, timeoutMs: 250, fall: 4 } }, { health: { intervalMs: 500, fall: 4 } })).toBe(true);
    expect(contains({ health: { intervalMs: 400, fall: 4 } }, { health: { intervalMs: 500, fall: 4 } })).toBe(false);
    expect(contains({ retry: { enabled: true } }, { retry: { enabled: false } })).toBe(false);
    expect(contains({ rate: 300, readShare: 0.4 }, { rate: 300, readShare: 0.4 })).toBe(true);
    expect(contains({ rate: 300 }, { rate: 300, readShare: 0.4 })).toBe(false);
    expect(contains({}, {})).toBe(true);
    expect(contains(null, { id: 'a2' })).toBe(false);
    expect(contains({ ids: ['a', 'b'] }, { ids: ['a', 'b'] })).toBe(true);
    expect(contains({ ids: ['a', 'b', 'c'] }, { ids: ['a', 'b'] })).toBe(false);
    // An inherited name is not a field the call has.
    expect(contains({}, { constructor: Object })).toBe(false);
  });
});
