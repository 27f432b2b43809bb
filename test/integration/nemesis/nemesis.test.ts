// The nemesis (nemesis.ts): 20 seeded schedules of kills, pauses, partitions and restarts on both
// nodes of a hot standby with strict `sync`, under real traffic — 0 acknowledged writes lost after
// every one. The same schedule family with `sync-degradable` does lose writes, and the lab says so:
// the test can fail. `npm run bench -- nemesis` runs 200 schedules.
import { describe, expect, it } from 'vitest';
import { formatSchedule, runNemesis } from './nemesis';

const SEED = 20_261_104;

describe('nemesis: hot standby under kills, pauses, partitions and restarts', () => {
  it('strict sync: 20 schedules, 0 lost acknowledged writes after each', { timeout: 180_000 }, async () => {
    const summary = await runNemesis({ replication: 'sync', seed: SEED, schedules: 20, onSchedule: (r) => console.log(formatSchedule(r)) });
    const { schedules, ...totals } = summary;
    console.log(`strict: ${JSON.stringify(totals)}`);
    expect(schedules).toHaveLength(20);
    expect(schedules.filter((r) => r.lost > 0).map(formatSchedule)).toEqual([]);
    expect(summary.lost).toBe(0);
    expect(summary.maxLost).toBe(0);
    expect(summary.incidentsReportingLoss).toBe(0);
    // The schedules did what they are for: writes were acknowledged, failovers held (the standby died first), some promoted.
    expect(summary.acked).toBeGreaterThan(300);
    expect(summary.held).toBeGreaterThan(0);
    // (A strict failover may still say promoted-behind: when the standby's own process dies while it is
    // being promoted, what comes back is only what it recovered. The ledger above is the verdict.)
  });

  it('sync-degradable: the same schedules lose acknowledged writes, and the lab reports them', { timeout: 120_000 }, async () => {
    // The standby stays down 700 ms after a kill, so the primary's kill that follows (50–300 ms later)
    // always finds it gone: with 50 ms restarts it is often back and caught up first, and nothing is lost.
    const summary = await runNemesis({ replication: 'sync-degradable', seed: SEED, schedules: 9, stopAfterLosses: 1, restartBackoffMs: 700, onSchedule: (r) => console.log(formatSchedule(r)) });
    const { schedules, ...totals } = summary;
    console.log(`degradable: ${JSON.stringify(totals)}`);
    expect(summary.schedulesWithLoss).toBeGreaterThan(0);
    expect(summary.maxLost).toBeGreaterThan(0);
    // Said at the time (the promotion of a standby that was behind) and counted on an incident.
    expect(summary.promotedBehind).toBeGreaterThan(0);
    expect(summary.incidentsReportingLoss).toBeGreaterThan(0);
    expect(summary.held + summary.heldServing).toBe(0);
    expect(schedules.length).toBeLessThanOrEqual(9);
  });
});
