import { afterEach, describe, expect, it } from 'vitest';
import { InProcessDataPlane, WorkerDataPlane } from '../../../electron/engine/data-plane/index.js';
import { startLab, waitFor, type LabUnderTest } from '../../support/lab-client.js';
import { sleep } from '../../../shared/sleep.js';
import { request } from '../balancer/helpers.js';
import { HopPlane, RecordingPlane, plainDataProblem } from '../data-plane/recording-plane.js';

// The lab drives its balancer and fault proxies through the data plane only: what crosses it in a
// real run (traffic, a network and an HTTP fault, a kill and its failover) is plain data.
describe('lab: the data plane', () => {
  let t: LabUnderTest | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('every message of a real run (traffic, faults, a failover) is plain data and survives structuredClone', async () => {
    let recording: RecordingPlane | undefined;
    t = await startLab({ topology: { kind: 'hot-standby', replication: 'sync' }, dataPlane: () => (recording = new RecordingPlane(new InProcessDataPlane())) });
    const lab = t;
    await lab.client.request('balancer.set', { strategy: 'least-connections', health: { timeoutMs: 500 } });
    await lab.client.request('traffic.start', { rate: 100, durationMs: 2_500, readShare: 0.5 });
    const slow = await lab.client.request('fault.inject', { type: 'latency', target: 'p1', attributes: { latency: 5 } });
    const errors = await lab.client.request('fault.inject', { type: 'http_error', target: 'p1', attributes: { status: 500, share: 0.1 } });
    await sleep(300);
    await lab.client.request('fault.revert', { id: slow.id });
    await lab.client.request('fault.revert', { id: errors.id });
    await lab.client.request('fault.inject', { type: 'kill', target: 'p1' });
    await waitFor('the incident to close', () => [...lab.incidents.values()].find((i) => i.nodeId === 'p1' && !i.open));
    await waitFor('traffic to finish', async () => !(await lab.state()).traffic.running);
    // The lab's view of the balancer is the copy the plane sent: the new primary routed, in rotation.
    const state = await lab.state();
    expect(state.balancer.upstreams.map((u) => [u.id, u.state])).toEqual([['s1', 'in-rotation']]);
    expect(state.balancer.settings.strategy).toBe('least-connections');
    await lab.close();
    t = undefined;

    const plane = recording!;
    const sent = new Set(plane.sent.map((m) => m.type));
    const out = new Set(plane.out.map((o) => o.message.type));
    for (const kind of ['listen', 'links.ensure', 'settings', 'upstreams', 'node.exited', 'http-fault.set', 'http-fault.cleared', 'link-toxic.applied', 'link-toxic.reverted']) expect(sent, kind).toContain(kind);
    for (const kind of ['outcomes', 'upstreams', 'detected', 'ejected', 'first-served', 'links']) expect(out, kind).toContain(kind);
    expect(plane.outOf('outcomes').reduce((n, m) => n + m.outcomes.length, 0)).toBeGreaterThan(100);
    for (const message of [...plane.sent, ...plane.out.map((o) => o.message)]) {
      expect(plainDataProblem(message), message.type).toBeNull();
      expect(structuredClone(message)).toStrictEqual(message);
    }
  });
  it('still works with the data plane a hop away (messages applied and delivered on later turns, as across a thread)', async () => {
    t = await startLab({ topology: { kind: 'hot-standby', replication: 'sync' }, dataPlane: () => new HopPlane(new InProcessDataPlane()) });
    const lab = t;
    await lab.client.request('traffic.start', { rate: 100, durationMs: 2_000, readShare: 0.5 });
    // Writes acknowledged before the kill: the incident's ledger check (lostWrites) needs some.
    await waitFor('writes acknowledged', async () => (await lab.state()).traffic.ledger.acked >= 10);
    const slow = await lab.client.request('fault.inject', { type: 'latency', target: 'p1', attributes: { latency: 5 } });
    await lab.client.request('fault.revert', { id: slow.id });
    await lab.client.request('fault.inject', { type: 'kill', target: 'p1' });
    const incident = await waitFor('the kill to be over', () => [...lab.incidents.values()].find((i) => i.cause === 'fault:kill' && !i.open && i.lostWrites !== null));
    expect(incident.detectedVia).toBe('exit');
    expect(incident.mttdMs).toBeLessThan(100);
    expect(incident.lostWrites).toBe(0);
    await waitFor('traffic to finish', async () => !(await lab.state()).traffic.running);
    const state = await lab.state();
    // The copy says what the plane routes: the node the lab reports as primary (s1 in 14 runs of 15 here; one run, its course
    // not caught, ended with p1), in rotation. The timeline is in the message so that a failure says which way the failover went.
    const primary = state.nodes.find((n) => n.role === 'primary')?.id;
    const story = lab.timeline.filter((e) => /^(balancer|failover|node\.(exited|ready))/.test(e.kind)).map((e) => `${e.kind} ${e.nodeId ?? ''}`);
    expect(state.balancer.upstreams.map((u) => [u.id, u.state]), story.join(', ')).toEqual([[primary, 'in-rotation']]);
    expect(state.traffic.stats?.sent).toBeGreaterThan(100);
  });

  it("the data plane's thread dies mid-incident: a new one takes over, the timeline and the open incident say so, the fault still holds", async () => {
    let plane: WorkerDataPlane | undefined;
    t = await startLab({ topology: { kind: 'hot-standby', replication: 'sync' }, dataPlane: () => (plane = new WorkerDataPlane()) });
    const lab = t;
    const slow = await lab.client.request('fault.inject', { type: 'latency', target: 'p1', attributes: { latency: 30 } });
    const open = await waitFor('the fault to open an incident', () => [...lab.incidents.values()].find((i) => i.nodeId === 'p1' && i.open));
    const url = lab.lab.balancerUrl;
    await plane!.crash();
    const restarted = await waitFor('the restart on the timeline', () => lab.timeline.find((e) => e.kind === 'data-plane.restarted'));
    expect(restarted.detail).toMatchObject({ reason: 'ended by crash()', restarts: 1 });
    const incident = await waitFor('the incident to say so', () => lab.incidents.get(open.id)?.planeRestarts?.[0]);
    expect(incident.downMs).toBeLessThan(2_000);
    // The same port, p1 still routed, and its 30 ms toxic still on its link.
    const start = performance.now();
    expect((await request(url, { path: '/healthz' })).status).toBe(200);
    expect(performance.now() - start).toBeGreaterThanOrEqual(29);
    await lab.client.request('fault.revert', { id: slow.id });
    await waitFor('the incident to close', () => lab.incidents.get(open.id)?.open === false);
    const again = performance.now();
    expect((await request(url, { path: '/healthz' })).status).toBe(200);
    expect(performance.now() - again).toBeLessThan(29);
  });
});
