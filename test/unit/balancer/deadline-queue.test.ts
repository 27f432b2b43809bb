import { describe, expect, it } from 'vitest';
import { now } from '../../../electron/engine/clock';
import { DeadlineQueue, type DeadlineEntry } from '../../../electron/engine/balancer/deadline-queue';
import { sleep } from '../../../shared/sleep';

interface Entry extends DeadlineEntry {
  name: string;
}
const entry = (name: string): Entry => ({ name, deadline: 0, dqPrev: null, dqNext: null, dqQueued: false });

describe('deadline queue (one timer for every per-try timeout)', () => {
  it('fires each entry at its deadline, in order, and never a removed one', async () => {
    const fired: Array<{ name: string; late: number }> = [];
    const queue = new DeadlineQueue<Entry>((e, at) => fired.push({ name: e.name, late: at - e.deadline }));
    const t = now();
    const a = entry('a');
    const b = entry('b');
    const c = entry('c');
    const d = entry('d');
    queue.add(a, t + 40);
    queue.add(b, t + 80);
    queue.add(c, t + 60);
    queue.add(d, t + 20); // earlier than the head: the timer is re-armed
    queue.remove(b);
    expect(queue.size).toBe(3);
    await sleep(150);
    expect(fired.map((f) => f.name)).toEqual(['d', 'a', 'c']);
    // Measured on a 2-core machine: a timer fires within a few ms of its deadline.
    for (const f of fired) {
      expect(f.late).toBeGreaterThanOrEqual(0);
      expect(f.late).toBeLessThan(25);
    }
    expect(queue.size).toBe(0);
    queue.dispose();
  });

  it('dispose stops the timer', async () => {
    const fired: string[] = [];
    const queue = new DeadlineQueue<Entry>((e) => fired.push(e.name));
    queue.add(entry('x'), now() + 10);
    queue.dispose();
    await sleep(40);
    expect(fired).toEqual([]);
  });
});
