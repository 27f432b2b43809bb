// Found by the nemesis (schedule 20 of seed 20261104): the standby cut off (partition of its
// replication link), frozen, then killed; the supervisor restarts it. Its primary must notice it
// talks to a new process — and say when that one is in sync — even under steady writes, when no
// idle heartbeat comes to compare boot ids. Every apply's answer names the process that made it.
import { afterEach, describe, expect, it } from 'vitest';
import { startLab, waitFor, type LabUnderTest } from '../../support/lab-client.js';
import { sleep } from '../../../shared/sleep.js';

let t: LabUnderTest | undefined;
afterEach(async () => {
  await t?.client.request('fault.halt', {}).catch(() => undefined);
  await t?.close();
  t = undefined;
});

describe('a standby restarted behind its primary\'s back', () => {
  it('partitioned, paused, killed, restarted: the primary re-syncs it, by its new pid', { timeout: 90_000 }, async () => {
    t = await startLab({ topology: { kind: 'hot-standby', replication: 'sync', restart: { backoffInitialMs: 50, crashLoopAfter: 100 } } });
    const lab = t;
    await waitFor('s1 in sync', () => lab.timeline.find((e) => e.kind === 'standby.in-sync' && e.nodeId === 's1'));
    await lab.client.request('traffic.start', { rate: 150, readShare: 0.3, keys: 10_000, durationMs: 60_000, timeoutMs: 3_000 });
    for (let round = 0; round < 5; round++) {
      await sleep(300);
      const before = (await lab.state()).nodes.find((n) => n.id === 's1')?.pid;
      const seen = lab.timeline.length;
      await lab.client.request('fault.inject', { type: 'partition', target: 's1', attributes: { links: 'replication' }, durationMs: 1_200 });
      await sleep(150);
      await lab.client.request('fault.inject', { type: 'pause', target: 's1', durationMs: 1_000 });
      await sleep(140);
      await lab.client.request('fault.inject', { type: 'kill', target: 's1', attributes: { signal: 'SIGKILL' } });
      await sleep(300);
      await lab.client.request('fault.halt', {});
      const synced = await waitFor(
        `round ${round}: s1's new process in sync`,
        () => lab.timeline.slice(seen).find((e) => e.kind === 'standby.in-sync' && e.nodeId === 's1'),
        15_000,
      );
      expect(synced.detail.pid).not.toBe(before);
      expect(synced.detail.pid).toBe((await lab.state()).nodes.find((n) => n.id === 's1')?.pid);
    }
    await lab.client.request('traffic.stop', {});
    expect((await lab.client.request('ledger.check', {})).lost).toBe(0);
  });
});
