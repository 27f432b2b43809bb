import { afterEach, describe, expect, it } from 'vitest';
import type { Incident, TrafficStats } from '../../../shared/contract/index.js';
import { sleep } from '../../../shared/sleep.js';
import { pidOf, startLab, waitFor, type LabUnderTest } from '../../support/lab-client.js';
import { request } from '../balancer/helpers.js';

interface PostAnswer {
  status: number;
  retryAfter: string | undefined;
}

// The whole lab: real nodes, the real balancer, the lab's own GET traffic, a kill -9 of the primary
// in hot standby from here (as a terminal would), and POSTs sent through the gap by hand.
describe('lab: a failover no idempotent client sees (hot standby)', () => {
  let t: LabUnderTest | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function killUnderGets(hold: boolean, kind: 'hot-standby' | 'warm-standby' | 'cold-standby' = 'hot-standby', retries = true): Promise<{ incident: Incident; stats: TrafficStats; posts: PostAnswer[]; metrics: string }> {
    t = await startLab({ topology: { kind, replication: 'sync', server: { checkpointIntervalMs: 200 } } });
    const lab = t;
    if (!hold) await lab.client.request('balancer.set', { failover: { hold: false }, ...(retries ? {} : { retry: { enabled: false } }) });
    // Strict sync promotes only a standby the primary said is in sync (else it restarts in place).
    if (kind === 'hot-standby') await waitFor('s1 in sync', () => lab.timeline.find((e) => e.kind === 'standby.in-sync' && e.nodeId === 's1'));
    else {
      // Something for the standby to restore: a few writes, checkpointed and shipped.
      for (let i = 0; i < 5; i++) expect((await request(lab.lab.balancerUrl, { method: 'PUT', path: `/kv/key-00000${i}`, body: 'v' })).status).toBe(200);
      await waitFor('a checkpoint shipped', () => lab.timeline.find((e) => e.kind === 'checkpoint.shipped'));
    }
    // Bounded: 300 GET/s for 3 s (900 requests), reads only.
    await lab.client.request('traffic.start', { rate: 300, durationMs: 3_000, readShare: 1, keys: 100 });
    await sleep(800);
    // A writer that does not know HTTP's idempotent methods: a POST every few ms, through the gap.
    const posts: PostAnswer[] = [];
    let posting = true;
    const poster = (async () => {
      while (posting) {
        const answer = await request(lab.lab.balancerUrl, { method: 'POST', path: '/kv/posted', body: 'v', timeoutMs: 5_000 }).catch(() => null);
        posts.push(answer ? { status: answer.status, retryAfter: answer.headers['retry-after'] as string | undefined } : { status: 0, retryAfter: undefined });
        await sleep(2);
      }
    })();
    await sleep(100);
    process.kill(pidOf(await lab.state(), 'p1'), 'SIGKILL');
    const closed = await waitFor('the incident to close', () => [...lab.incidents.values()].find((i) => i.nodeId === 'p1' && !i.open));
    await waitFor('the failover to be done', () => lab.timeline.find((e) => e.kind === 'failover.done'));
    await sleep(200);
    posting = false;
    await poster;
    await waitFor('traffic to finish', async () => !(await lab.state()).traffic.running, 15_000);
    await sleep(100); // the last outcome batch (10 ms) reaches the incident
    const state = await lab.state();
    const incident = state.incidents.find((i) => i.id === closed.id) as Incident;
    const metrics = (await lab.lab.metricsExposition()).body;
    return { incident, stats: state.traffic.stats as TrafficStats, posts, metrics };
  }

  it('kill -9 of the primary under GET traffic: no GET fails, the held ones show on the incident; a POST in the gap gets 503 + Retry-After, counted', async () => {
    const { incident, stats, posts, metrics } = await killUnderGets(true);
    const story = (t as LabUnderTest).timeline.filter((e) => /^(balancer|failover|node\.(exited|ready))/.test(e.kind)).map((e) => `${e.kind} ${e.nodeId ?? ''}`);
    expect(incident.failover?.outcome, story.join(', ')).toBe('promoted');
    expect(stats.sent).toBeGreaterThan(800);
    expect(stats.reads.failed, JSON.stringify(stats)).toBe(0);
    expect(stats.failed).toBe(0);
    // The gap was there, and GETs waited in it.
    expect(incident.held, JSON.stringify(incident)).toBeDefined();
    const held = incident.held!;
    expect(held.requests).toBeGreaterThan(0);
    expect(held.served).toBe(held.requests);
    expect(held.expired).toBe(0);
    expect(held.maxMs).toBeGreaterThan(0);
    expect(held.maxMs).toBeLessThan(1_000); // the hot-standby deadline
    // POSTs: 405 from a node before and after (the bundled server has no POST on /kv), never a 502.
    const refused = posts.filter((p) => p.status === 503);
    expect(refused.length, JSON.stringify(posts.map((p) => p.status))).toBeGreaterThan(0);
    for (const p of refused) expect(p.retryAfter).toBe('1');
    expect(posts.filter((p) => p.status !== 503 && p.status !== 405)).toEqual([]);
    // ... and each is counted: on the incident, and in /metrics.
    expect(held.refusedWrites).toBe(refused.length);
    expect(metrics).toMatch(new RegExp(`^firedrill_failover_refused_writes_total ${refused.length}$`, 'm'));
    const servedSeries = /^firedrill_failover_held_requests_total\{result="served"\} (\d+)$/m.exec(metrics);
    expect(Number(servedSeries?.[1])).toBeGreaterThanOrEqual(held.requests);
    console.log(`hold: ${held.requests} GETs held (max ${held.maxMs} ms, total ${held.totalMs} ms), ${refused.length} POSTs answered 503 + Retry-After; ${stats.sent} GETs, ${stats.failed} failed; MTTR ${incident.mttrMs} ms`);
  });

  it('with the hold off (balancer.set failover.hold false) and no retries, the same kill fails GETs', async () => {
    // The control. Retries off too: with them a GET caught in a 25 ms gap can still succeed on a
    // later try once s1 is in rotation (0 of 900 failed, twice in a row, in a full run tonight,
    // against 6–15 alone), so only the hold and retries together tell what the hold does.
    const { incident, stats } = await killUnderGets(false, 'hot-standby', false);
    expect(incident.failover?.outcome).toBe('promoted');
    expect(incident.held?.requests ?? 0).toBe(0);
    console.log(`no hold, no retries: ${stats.reads.failed} of ${stats.sent} GETs failed (MTTR ${incident.mttrMs} ms)`);
    expect(stats.reads.failed, JSON.stringify(stats)).toBeGreaterThan(0);
  });

  for (const kind of ['warm-standby', 'cold-standby'] as const) {
    it(`${kind}: the same kill, no GET fails either (a longer deadline for a longer promotion)`, async () => {
      const { incident, stats } = await killUnderGets(true, kind);
      const done = (t as LabUnderTest).timeline.find((e) => e.kind === 'failover.done');
      expect(incident.failover?.outcome).toBe('promoted');
      expect(stats.reads.failed, JSON.stringify(stats)).toBe(0);
      expect(incident.held?.requests).toBeGreaterThan(0);
      expect(incident.held?.expired).toBe(0);
      console.log(`${kind}: failover.done ${String(done?.detail?.durationMs)} ms after the loss; ${incident.held?.requests} GETs held, max ${incident.held?.maxMs} ms; ${stats.sent} GETs, ${stats.failed} failed`);
    });
  }
});
