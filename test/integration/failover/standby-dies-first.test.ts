// The standby dies first, then the primary (issue 11's data-safety finding): with strict `sync`
// no acknowledged write may be lost; with `sync-degradable` some are, and the controller says so.
// Real supervisor, real bundled servers, real kill -9 by PID from here, as a terminal would.
import { readdirSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FailoverLab, missing } from './harness';
import { sleep } from '../../../shared/sleep';

let lab: FailoverLab | undefined;
afterEach(async () => {
  if (lab) expect(await lab.cleanup()).toEqual([]);
  lab = undefined;
});

const restart = { backoffInitialMs: 50 };

/**
 * Eight writers PUT unique keys to whichever node is the primary, ignoring failures (only what is
 * acknowledged counts); kill -9 of the standby, then of the primary `gapMs` later.
 */
async function standbyThenPrimary(l: FailoverLab, gapMs: number): Promise<Map<string, { value: string }>> {
  await l.until(async () => ((await l.status(l.node('p1').port)).replication as { replicas: Array<{ connected: boolean }> }).replicas[0]?.connected === true, 5_000, 'p1 → s1 connected');
  await l.waitFor(() => l.logEvents('p1', 'replication.synced')[0], 5_000, 'p1 says s1 is in sync').catch(() => undefined);
  const acked = new Map<string, { value: string }>();
  const port = l.node('p1').port;
  let stop = false;
  let next = 0;
  const writers = Array.from({ length: 8 }, async () => {
    while (!stop) {
      const i = next++;
      const key = `k${String(i).padStart(6, '0')}`;
      const value = `v${i}`;
      const answer = await l.request(port, 'PUT', `/kv/${key}`, value, 3_000).catch(() => null);
      if (answer?.status === 200) acked.set(key, { value });
      else await sleep(5);
    }
  });
  await sleep(500);
  process.kill(l.node('s1').pid as number, 'SIGKILL');
  await sleep(gapMs);
  const p1 = l.node('p1').pid;
  process.kill(p1 as number, 'SIGKILL');
  stop = true;
  await Promise.all(writers);
  // The lab has seen the death (else "the primary" below could still be the dead p1).
  await l.waitFor(() => l.events('node.exited', 'p1').find((e) => e.detail?.pid === p1), 5_000, 'p1 exited');
  return acked;
}

/** The node routed to once the lab settled: the primary, ready, with its dump. */
async function settledPrimary(l: FailoverLab): Promise<{ id: string; entries: Record<string, string> }> {
  const id = await l.waitFor(
    () => {
      const sets = l.balancer.upstreamSets();
      const last = sets.at(-1);
      const primary = l.controller.primary;
      return !l.controller.failingOver && primary && last?.[0] === primary && l.node(primary).status === 'ready' ? primary : undefined;
    },
    15_000,
    'a ready primary',
  );
  await l.until(async () => (await l.status(l.node(id).port)).role === 'primary', 10_000, `${id} serving as primary`).catch((error: Error) => {
    throw new Error(`${error.message}; timeline: ${l.recorder.timeline.map((e) => `${e.kind} ${e.nodeId ?? ''}`).join(' · ')}`);
  });
  return { id, entries: (await l.dump(l.node(id).port)).entries };
}

describe('the standby dies first, then the primary', () => {
  it('strict sync: nothing acknowledged is lost; the failover is held and the primary restarts in place', async () => {
    lab = new FailoverLab({ kind: 'hot-standby', nodes: 3, replication: 'sync', restart });
    const l = lab;
    await l.start();
    const acked = await standbyThenPrimary(l, 150);
    expect(acked.size).toBeGreaterThan(10);
    const { id, entries } = await settledPrimary(l);
    expect(missing(acked, entries)).toEqual([]);
    expect(l.events('failover.held', 'p1')[0]?.detail).toMatchObject({ from: 'p1', standby: 's1', reason: 'standby-behind', action: 'restart-in-place' });
    // p1 stays primary — unless s1 held a tail p1 shipped before it was durable on p1 (then p1 hands over: standby-ahead).
    const handovers = l.events('failover.started');
    expect(handovers.every((e) => e.detail?.trigger === 'standby-ahead')).toBe(true);
    expect(id).toBe(handovers.length === 0 ? 'p1' : 's1');
    // The standby catches up from the primary that stayed primary.
    await l.until(async () => (await l.status(l.node('s1').port)).lsn === (await l.status(l.node('p1').port)).lsn, 10_000, 'the standby caught up');
  });

  it('sync-degradable: the standby is promoted behind, the controller says so, and acknowledged writes are lost', async () => {
    lab = new FailoverLab({ kind: 'hot-standby', nodes: 3, replication: 'sync-degradable', restart });
    const l = lab;
    await l.start();
    const acked = await standbyThenPrimary(l, 150);
    const { id, entries } = await settledPrimary(l);
    expect(id).toBe('s1');
    const behind = await l.waitFor(() => l.events('failover.promoted-behind', 's1')[0], 5_000, 'failover.promoted-behind');
    expect(behind.detail).toMatchObject({ from: 'p1', to: 's1' });
    expect(missing(acked, entries).length).toBeGreaterThan(0);
  });
});

describe('one damaged copy never costs a write the other copy holds', () => {
  it('strict: the held primary comes back with a damaged log tail — it does not overwrite its standby, which is promoted with the write', async () => {
    // A restart backoff long enough to damage p1's log between its death and its restart.
    lab = new FailoverLab({ kind: 'hot-standby', nodes: 3, replication: 'sync', restart: { backoffInitialMs: 1_000 }, server: { checkpointIntervalMs: 0, checkpointEveryWrites: 0 } });
    const l = lab;
    await l.start();
    await l.waitFor(() => l.events('standby.in-sync', 's1')[0], 10_000, 's1 in sync');
    const acked = new Map<string, { value: string }>();
    for (let i = 0; i < 40; i++) {
      await l.put(l.node('p1').port, `d${i}`, `v${i}`); // one at a time: the last acknowledged write is the last record
      acked.set(`d${i}`, { value: `v${i}` });
    }
    const p1Data = l.node('p1').dataDir;
    process.kill(l.node('s1').pid as number, 'SIGKILL');
    await l.waitFor(() => l.events('node.exited', 's1')[0], 5_000, 's1 exited');
    process.kill(l.node('p1').pid as number, 'SIGKILL');
    await l.waitFor(() => l.events('failover.held', 'p1')[0], 5_000, 'failover.held');
    // p1's copy is damaged: its log loses the last record (an acknowledged write s1 holds).
    const segments = readdirSync(join(p1Data, 'wal')).filter((f) => f.endsWith('.log')).sort();
    const file = join(p1Data, 'wal', segments.at(-1) as string);
    truncateSync(file, statSync(file).size - 5);

    const started = await l.waitFor(() => l.events('failover.started')[0], 15_000, 'the failover to the standby that holds more');
    expect(started.detail).toMatchObject({ from: 'p1', to: 's1', trigger: 'standby-ahead', standbyAhead: { standbyLsn: 40, lsn: 39 } });
    await l.waitFor(() => l.events('failover.done', 's1')[0], 15_000, 'failover.done');
    expect(l.logEvents('p1', 'replication.standby-ahead').length).toBeGreaterThanOrEqual(1);
    expect(l.events('failover.promoted-behind')).toHaveLength(0);
    const { entries } = await l.dump(l.node('s1').port);
    expect(missing(acked, entries)).toEqual([]);
    await l.waitFor(() => l.events('node.rejoined', 'p1')[0], 15_000, 'p1 rejoined as the standby');
    await l.until(async () => (await l.status(l.node('p1').port)).lsn === (await l.status(l.node('s1').port)).lsn, 10_000, 'p1 caught up');
    expect(missing(acked, (await l.dump(l.node('p1').port)).entries)).toEqual([]);
  });
});
