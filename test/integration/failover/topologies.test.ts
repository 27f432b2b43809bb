// Failover end to end, per topology: real supervisor, real bundled servers, real files and
// sockets; the balancer is a recording stand-in. A kill -9 of the primary mid-stream, then:
// who was promoted, how long it took, and which acknowledged writes survived.
import { afterEach, describe, expect, it } from 'vitest';
import { FailoverLab, missing } from './harness';

let lab: FailoverLab | undefined;
afterEach(async () => {
  if (lab) expect(await lab.cleanup()).toEqual([]);
  lab = undefined;
});

/** Failover durations measured by the controller, for the cold > hot comparison. */
const durations: Record<string, number> = {};

const restart = { backoffInitialMs: 50 };

async function failoverDone(l: FailoverLab): Promise<{ durationMs: number; from: string; to: string }> {
  const done = await l.waitFor(() => l.events('failover.done')[0], 15_000, 'failover.done');
  return done.detail as { durationMs: number; from: string; to: string };
}

/** Nothing ever routed to two nodes, nor to the lost primary after its loss. */
function expectNoSplitBrain(l: FailoverLab, lost: string): void {
  const sets = l.balancer.upstreamSets();
  expect(sets.every((s) => s.length <= 1)).toBe(true);
  const lossIndex = sets.findIndex((s) => s.length === 0);
  expect(sets.slice(lossIndex).flat()).not.toContain(lost);
}

describe('hot standby', () => {
  for (const replication of ['sync', 'async'] as const) {
    it(`${replication}: kill -9 of the primary → one promotion, the old primary rejoins as a standby and catches up`, async () => {
      lab = new FailoverLab({ kind: 'hot-standby', nodes: 3, replication, restart });
      const l = lab;
      await l.start();
      expect(l.balancer.upstreamSets()).toEqual([['p1']]);
      await l.until(async () => ((await l.status(l.node('p1').port)).replication as { replicas: Array<{ connected: boolean }> }).replicas[0]?.connected === true, 5_000, 'p1 → s1 connected');
      // Strict sync promotes only a standby known to be in sync (else it holds: standby-dies-first.test.ts).
      if (replication === 'sync') await l.waitFor(() => l.events('standby.in-sync', 's1')[0], 5_000, 's1 in sync');

      const { acked, killedAt } = await l.streamAndKill('p1', 400);
      const done = await failoverDone(l);
      durations[`hot-${replication}`] = done.durationMs;
      expect(done).toMatchObject({ from: 'p1', to: 's1' });
      // Loss is the exit the supervisor saw (after our kill); done when the balancer pointed at s1.
      const exitedAt = l.events('node.exited', 'p1')[0]!.at;
      expect(exitedAt).toBeGreaterThanOrEqual(killedAt - 1);
      expect(done.durationMs).toBeGreaterThan(0);
      expect(done.durationMs).toBeLessThan(2_000);

      // Passive and active detections of the same loss arrive late: still one promotion.
      l.controller.detected({ nodeId: 'p1', via: 'passive', at: exitedAt + 5, reason: '3 failures in a row' });
      l.controller.detected({ nodeId: 'p1', via: 'active', at: exitedAt + 9, reason: 'probe refused' });

      const s1 = l.node('s1');
      expect(s1.role).toBe('primary');
      const { entries } = await l.dump(s1.port);
      const lost = missing(acked, entries);
      console.log(`hot ${replication}: failover ${done.durationMs} ms, ${acked.size} acknowledged, ${lost.length} lost`);
      if (replication === 'sync') expect(lost).toEqual([]);
      else expect(lost.length).toBeLessThan(acked.size);

      // The old primary came back as a standby (not a primary), and the new primary ships to it.
      await l.waitFor(() => l.events('node.rejoined', 'p1')[0], 10_000, 'p1 rejoined');
      expect(l.node('p1')).toMatchObject({ role: 'standby', status: 'ready' });
      expect((await l.status(l.node('p1').port)).role).toBe('standby');
      for (let i = 0; i < 20; i++) await l.put(s1.port, `after-${i}`, 'x');
      await l.until(async () => (await l.status(l.node('p1').port)).lsn === (await l.status(s1.port)).lsn, 5_000, 'p1 caught up');
      expect(await l.dump(l.node('p1').port)).toEqual(await l.dump(s1.port));

      expect(l.events('failover.promoted')).toHaveLength(1);
      expect(l.events('failover.started')).toHaveLength(1);

      // The kill came from outside the lab (like a terminal's kill -9): an incident opened at `observed`.
      const [incident] = l.tracker.incidents();
      expect(incident).toMatchObject({ nodeId: 'p1', cause: 'exit', detectedVia: 'exit', open: true });
      expect(incident!.stages).toMatchObject({ observed: exitedAt, detected: exitedAt, failedOver: expect.any(Number), restarted: expect.any(Number), restored: expect.any(Number) });
      expect(incident!.stages.injected).toBeUndefined();
      const servedAt = performance.timeOrigin + performance.now();
      l.tracker.firstServed({ nodeId: 's1', at: servedAt }); // the balancer's first response from the node that took over
      const closed = l.tracker.incidents()[0]!;
      expect(closed).toMatchObject({ open: false, mttdMs: 0 });
      expect(closed.mttrMs).toBeCloseTo(servedAt - exitedAt, 2);
      expect(l.failedOver).toEqual([{ from: 'p1', to: 's1', at: expect.any(Number), kind: 'hot-standby' }]);
      expect(l.logEvents('s1', 'role.changed')).toHaveLength(1);
      expectNoSplitBrain(l, 'p1');
      expect(l.balancer.upstreamSets().at(-1)).toEqual(['s1']);
      // Every step is on the timeline, in order.
      const order = ['failover.started', 'failover.promoted', 'failover.done', 'node.rejoined'].map((k) => l.events(k)[0]!.at);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
    });
  }
});

describe('a primary detected down while its process lives (hung)', () => {
  it('is fenced (SIGKILL) before the standby is promoted, then restarted as a standby', async () => {
    lab = new FailoverLab({ kind: 'hot-standby', nodes: 3, replication: 'sync', restart });
    const l = lab;
    await l.start();
    await l.until(async () => ((await l.status(l.node('p1').port)).replication as { replicas: Array<{ connected: boolean }> }).replicas[0]?.connected === true, 5_000, 'p1 → s1 connected');
    const acked = new Map<string, { value: string }>();
    for (let i = 0; i < 50; i++) {
      await l.put(l.node('p1').port, `h${i}`, `v${i}`);
      acked.set(`h${i}`, { value: `v${i}` });
    }
    await l.waitFor(() => l.events('standby.in-sync', 's1')[0], 5_000, 's1 in sync');
    const { pid } = l.node('p1');
    process.kill(pid as number, 'SIGSTOP'); // frozen: alive, answering nothing
    const at = performance.timeOrigin + performance.now();
    l.balancer.onDetected({ nodeId: 'p1', via: 'active', at, reason: '2 probes timed out' });
    l.balancer.onDetected({ nodeId: 'p1', via: 'passive', at: at + 3, reason: '3 timeouts in a row' });

    const done = await failoverDone(l);
    expect(done).toMatchObject({ from: 'p1', to: 's1' });
    expect(l.events('failover.started')[0]?.detail).toMatchObject({ trigger: 'active', lossAt: at });
    expect(l.events('failover.fenced', 'p1')).toHaveLength(1);
    expect(l.events('node.exited', 'p1')[0]?.detail).toMatchObject({ pid, signal: 'SIGKILL', byLab: true });
    expect(l.events('failover.fenced', 'p1')[0]!.at).toBeLessThan(l.events('failover.promoted')[0]!.at);
    expect(missing(acked, (await l.dump(l.node('s1').port)).entries)).toEqual([]);
    await l.waitFor(() => l.events('node.rejoined', 'p1')[0], 10_000, 'p1 rejoined');
    expect(l.node('p1')).toMatchObject({ role: 'standby', status: 'ready' });
    expect(l.events('failover.promoted')).toHaveLength(1);
    expect(l.tracker.incidents()[0]).toMatchObject({ nodeId: 'p1', cause: 'detected:active', detectedVia: 'active', mttdMs: null });
    expectNoSplitBrain(l, 'p1');
  });
});

describe('warm standby', () => {
  it('checkpoints are shipped; kill -9 → the standby restores the last shipped one and is promoted; later writes are counted lost', async () => {
    lab = new FailoverLab({ kind: 'warm-standby', nodes: 3, replication: 'sync', restart, server: { checkpointEveryWrites: 100, checkpointIntervalMs: 0, keep: 2 } });
    const l = lab;
    await l.start();
    expect(l.node('s1').role).toBe('standby');

    const { acked } = await l.streamAndKill('p1', 350, () => l.events('checkpoint.shipped', 's1').length >= 2);
    const done = await failoverDone(l);
    durations.warm = done.durationMs;
    expect(done).toMatchObject({ from: 'p1', to: 's1' });

    const shipped = l.events('checkpoint.shipped', 's1');
    expect(shipped[0]?.detail).toMatchObject({ from: 'p1', to: 's1', generation: expect.any(Number), bytes: expect.any(Number), ms: expect.any(Number) });
    const restored = await l.waitFor(() => l.logEvents('s1', 'restore.done').find((e) => e.trigger === 'promotion'), 5_000, 's1 restore.done at promotion');
    const newestShipped = Math.max(...shipped.map((e) => e.detail?.generation as number));
    expect(restored.generation).toBe(newestShipped);

    const s1 = l.node('s1');
    expect(s1.role).toBe('primary');
    const { entries } = await l.dump(s1.port);
    const restoredLsn = restored.lsn as number;
    const covered = new Map([...acked].filter(([, w]) => w.lsn <= restoredLsn));
    const later = [...acked].filter(([, w]) => w.lsn > restoredLsn).length;
    const lost = missing(acked, entries);
    console.log(`warm: failover ${done.durationMs} ms, restored generation ${restored.generation} at lsn ${restoredLsn}; ${acked.size} acknowledged, ${lost.length} lost`);
    expect(missing(covered, entries)).toEqual([]);
    expect(lost.length).toBe(later);

    // It takes writes, and its checkpoints now go to the old primary, which rejoined as a standby.
    await l.waitFor(() => l.events('node.rejoined', 'p1')[0], 10_000, 'p1 rejoined');
    expect(l.node('p1')).toMatchObject({ role: 'standby', status: 'ready' });
    expect(l.events('node.log-superseded', 'p1')).toHaveLength(1);
    for (let i = 0; i < 120; i++) await l.put(s1.port, `after-${i}`, 'x');
    await l.waitFor(() => l.events('checkpoint.shipped', 'p1')[0], 5_000, 'a checkpoint shipped s1 → p1');
    expect(l.events('failover.promoted')).toHaveLength(1);
    expectNoSplitBrain(l, 'p1');
  });
});

describe('cold standby', () => {
  it('c1 stays stopped; kill -9 → c1 started from the shipped checkpoints and serving; slower than hot', async () => {
    lab = new FailoverLab({ kind: 'cold-standby', nodes: 3, replication: 'sync', restart, server: { checkpointEveryWrites: 100, checkpointIntervalMs: 0 } });
    const l = lab;
    const nodes = await l.start();
    expect(nodes.map((n) => [n.id, n.status, n.pid])).toEqual([
      ['p1', 'ready', expect.any(Number)],
      ['c1', 'stopped', null],
    ]);

    const { acked } = await l.streamAndKill('p1', 250, () => l.events('checkpoint.shipped', 'c1').length >= 1);
    const done = await failoverDone(l);
    durations.cold = done.durationMs;
    const c1 = l.node('c1');
    expect(c1).toMatchObject({ status: 'ready', role: 'primary' });
    const restored = await l.waitFor(() => l.logEvents('c1', 'restore.done')[0], 5_000, 'c1 restore.done');
    expect(restored.generation).toEqual(expect.any(Number));
    const { entries } = await l.dump(c1.port);
    const covered = new Map([...acked].filter(([, w]) => w.lsn <= (restored.lsn as number)));
    expect(missing(covered, entries)).toEqual([]);
    console.log(`cold: failover ${done.durationMs} ms (start ${String(l.events('failover.promoted')[0]?.detail?.startMs)} ms); ${acked.size} acknowledged, ${missing(acked, entries).length} lost`);
    expect(await l.put(c1.port, 'after', 'x')).toBeGreaterThan(restored.lsn as number);

    // The old primary is the cold standby now: stopped, its checkpoints fed from c1.
    await l.waitFor(() => l.events('node.rejoined', 'p1')[0], 5_000, 'p1 is the cold standby');
    expect(l.node('p1')).toMatchObject({ status: 'stopped', role: 'standby', pid: null });
    expectNoSplitBrain(l, 'p1');

    // Hot was measured twice (sync, async): the faster one, so one stall on a busy machine cannot decide it.
    const hot = Math.min(durations['hot-sync'] ?? Infinity, durations['hot-async'] ?? Infinity);
    expect(hot).toBeGreaterThan(0);
    expect(hot).toBeLessThan(Infinity);
    expect(durations.cold).toBeGreaterThan(hot);
  });
});
