// The data plane behind its messages, on real sockets: echo upstreams, real fault proxies, the real balancer.
import { afterEach, describe, expect, it } from 'vitest';
import { now } from '../../../electron/engine/clock';
import { InProcessDataPlane, PlaneClient, WorkerDataPlane, type DataPlane, type InProcessDataPlaneOptions } from '../../../electron/engine/data-plane/index';
import type { PlaneInType, PlaneOutType } from '../../../electron/engine/data-plane/messages';
import type { BalancerSettingsPatch } from '../../../shared/contract/model';
import { EchoUpstream, type EchoUpstreamOptions } from '../../support/echo-upstream';
import { EventRecorder, request, settings } from '../balancer/helpers';
import { sleep } from '../../../shared/sleep';
import { RecordingPlane, plainDataProblem, type RecordedIn } from './recording-plane';

const IN_TYPES = ['settings', 'upstreams', 'node.exited', 'node.started', 'http-fault.set', 'http-fault.cleared', 'link-toxic.reverted', 'failover.topology', 'failover.started', 'failover.ended'] as const;
const OUT_TYPES = ['outcomes', 'upstreams', 'detected', 'ejected', 'readmitted', 'first-served', 'links'] as const;
// Every message kind is listed (a new one fails to compile until it is).
// (`upstream.mirror` goes from one balancer worker to the others, never from the engine: multi-plane.test.ts.)
const inCovered: Exclude<PlaneInType, (typeof IN_TYPES)[number] | 'upstream.mirror'> extends never ? true : false = true;
// (`restarted` is the threaded plane's own, when its thread is replaced: worker-plane.test.ts; `workers` the multi-worker plane's: multi-plane.test.ts.)
const outCovered: Exclude<PlaneOutType, (typeof OUT_TYPES)[number] | 'restarted' | 'workers'> extends never ? true : false = true;

const echoes: EchoUpstream[] = [];
const clients: PlaneClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(echoes.splice(0).map((e) => e.stop()));
});

async function echo(options: EchoUpstreamOptions): Promise<EchoUpstream> {
  const upstream = await EchoUpstream.start(options);
  echoes.push(upstream);
  return upstream;
}

/** A plane behind a recorder, a client with an event recorder, listening, with a proxy pair in front of each upstream. */
type MakePlane = (options: InProcessDataPlaneOptions) => DataPlane;
const inProcess: MakePlane = (options) => new InProcessDataPlane(options);
// The same plane on its own thread (FIREDRILL_DATA_PLANE=thread; out/data-plane/index.js: built before the tests).
const onThread: MakePlane = (options) => new WorkerDataPlane(options);

async function plane(upstreams: EchoUpstream[], patch: BalancerSettingsPatch = {}, options: InProcessDataPlaneOptions = {}, make = inProcess) {
  const recording = new RecordingPlane(make({ ...options, settings: settings(patch) }));
  const events = new EventRecorder();
  const client = new PlaneClient({ plane: recording, listener: events, settings: settings(patch) });
  clients.push(client);
  await client.listen(0);
  await client.ensureLinks(new Map(upstreams.map((u) => [u.id, u.port])));
  client.setUpstreams(upstreams.map((u) => ({ id: u.id, port: client.balancerPort(u.id)! })));
  return { recording, events, client };
}

describe('the in-process data plane', () => {
  it.each([
    ['in-process', inProcess],
    ['on its own thread', onThread],
  ])('%s: sends and emits every message kind as plain data that survives structuredClone unchanged', async (_name, make) => {
    expect([inCovered, outCovered]).toEqual([true, true]);
    const [a, b] = [await echo({ id: 'a' }), await echo({ id: 'b' })];
    const { recording, events, client } = await plane(
      [a, b],
      {
        health: { intervalMs: 50, timeoutMs: 100, rise: 1, fall: 2 },
        passive: { consecutiveFailures: 3, baseEjectionMs: 100, maxEjectedPercent: 50 },
        retry: { enabled: false },
      },
      {},
      make,
    );
    client.setSettings({ strategy: 'round-robin' });
    for (let i = 0; i < 6; i++) expect((await request(client.url, { path: '/' })).status).toBe(200);

    // An HTTP fault on b: passive detection, ejection, readmission by timer, first response after it.
    client.setHttpFault('f1', 'b', { kind: 'error', status: 503, share: 1 });
    for (let i = 0; i < 12 && events.of('ejected', 'b').length === 0; i++) await request(client.url, { path: '/' });
    await events.waitFor('ejected', 'b');
    client.clearHttpFault('f1');
    await events.waitFor('readmitted', 'b', 3_000);
    for (let i = 0; i < 20 && events.of('firstServed', 'b').length === 0; i++) await request(client.url, { path: '/' });
    await events.waitFor('firstServed', 'b');

    // A network fault on a's links, then taken off.
    await client.applyLinkToxic('t1', 'a', { name: 't1', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 30, jitter: 0 }, links: 'all' });
    const slowStart = performance.now();
    const slow = await request(`http://127.0.0.1:${client.balancerPort('a')!}`, { path: '/' });
    expect(slow.status).toBe(200);
    expect(performance.now() - slowStart).toBeGreaterThanOrEqual(29);
    client.revertLinkToxic('t1');

    // The process exits and comes back: detected via exit, readmitted by a probe.
    const exitAt = now();
    client.nodeExited('a', exitAt);
    client.nodeStarted('a');
    await events.waitFor('readmitted', 'a', 3_000, exitAt);

    // A failover in a standby topology: a GET held while nothing is routed, sent on once something is.
    client.setFailoverTopology('hot-standby');
    client.failoverStarted('a', now());
    client.setUpstreams([]);
    const held = request(client.url, { path: '/' });
    await sleep(30);
    client.setUpstreams([{ id: 'b', port: client.balancerPort('b')! }]);
    client.failoverEnded('a', true);
    expect((await held).status).toBe(200);
    client.setFailoverTopology(null);
    await client.close();

    const sentTypes = new Set(recording.sent.map((m) => m.type));
    const outTypes = new Set(recording.out.map((o) => o.message.type));
    expect([...IN_TYPES].filter((t) => !sentTypes.has(t))).toEqual([]);
    expect([...OUT_TYPES].filter((t) => !outTypes.has(t))).toEqual([]);
    const all: Array<RecordedIn | (typeof recording.out)[number]['message']> = [...recording.sent, ...recording.out.map((o) => o.message)];
    for (const message of all) {
      expect(plainDataProblem(message), message.type).toBeNull();
      expect(structuredClone(message)).toStrictEqual(message);
    }
  });

  it("keeps the engine's copy current: after a send at once, while requests hang within the states period", async () => {
    const [a, hung] = [await echo({ id: 'a' }), await echo({ id: 'hung', hang: true })];
    const { recording, client } = await plane([a, hung], { health: { enabled: false }, retry: { enabled: false, perTryTimeoutMs: 5_000 } });
    expect(client.upstreams().map((u) => [u.id, u.state])).toEqual([
      ['a', 'in-rotation'],
      ['hung', 'in-rotation'],
    ]);
    expect(client.routes('hung')).toBe(true);
    client.nodeExited('a', now());
    // No await: in-process, the copy changed before the next line.
    expect(client.upstreams().find((u) => u.id === 'a')?.state).toBe('down');
    expect(client.state().upstreams.find((u) => u.id === 'a')?.lastDetection).toMatchObject({ via: 'exit' });

    // Requests that never end send no outcome; their in-flight count still arrives (every 50 ms while it moves).
    const sentAt = performance.now();
    const pending = [request(client.url, { path: '/', timeoutMs: 3_000 }).catch(() => null), request(client.url, { path: '/', timeoutMs: 3_000 }).catch(() => null)];
    while (client.upstreams().find((u) => u.id === 'hung')?.inflight !== 2 && performance.now() - sentAt < 2_000) await sleep(5);
    // Measured on the 2-core machine: 50–60 ms idle; 400 ms leaves room for a loaded one.
    expect(performance.now() - sentAt).toBeLessThan(400);
    expect(recording.outOf('outcomes')).toEqual([]);
    client.setUpstreams([{ id: 'a', port: client.balancerPort('a')! }]);
    expect(client.routes('hung')).toBe(false);
    await client.close();
    await Promise.all(pending);
  });

  it('sends outcomes in batches: at most maxBatch, within flushMs of their end, and the last ones on close', async () => {
    const a = await echo({ id: 'a' });
    const byCount = await plane([a], { health: { enabled: false } }, { flushMs: 60_000, maxBatch: 8, statesMs: 60_000 });
    // The first response raises first-served, and any other message takes the waiting outcomes with it (order holds).
    await request(byCount.client.url, { path: '/' });
    const sizes = (): number[] => byCount.recording.outOf('outcomes').map((m) => m.outcomes.length);
    expect(sizes()).toEqual([1]);
    await Promise.all(Array.from({ length: 40 }, () => request(byCount.client.url, { path: '/' })));
    expect(sizes()).toEqual([1, 8, 8, 8, 8, 8]);
    await Promise.all(Array.from({ length: 3 }, () => request(byCount.client.url, { path: '/' })));
    expect(sizes()).toHaveLength(6);
    await byCount.client.close();
    expect(sizes()).toEqual([1, 8, 8, 8, 8, 8, 3]);

    const byTime = await plane([a], { health: { enabled: false } }, { flushMs: 10 });
    const seen: number[] = [];
    byTime.client.onOutcome(() => seen.push(1));
    for (let round = 0; round < 5; round++) await Promise.all(Array.from({ length: 20 }, () => request(byTime.client.url, { path: '/' })));
    await sleep(30);
    expect(seen).toHaveLength(100);
    const batches = byTime.recording.out.filter((o) => o.message.type === 'outcomes');
    expect(batches.length).toBeLessThan(100);
    for (const { at, message } of batches) {
      if (message.type !== 'outcomes') continue;
      // The first outcome of a batch waited longest: about flushMs (a timer is never early; a busy loop makes it late).
      const waited = at - (message.outcomes[0]!.startedAt + message.outcomes[0]!.durationMs);
      expect(waited).toBeGreaterThanOrEqual(0);
      expect(waited).toBeLessThan(10 + 60);
    }
  });

  it('answers a network fault it cannot apply with a rejection, and applies nothing', async () => {
    const a = await echo({ id: 'a' });
    const { client } = await plane([a], { health: { enabled: false } });
    await expect(client.applyLinkToxic('t1', 'nobody', { name: 't1', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 10 }, links: 'all' })).rejects.toThrow(/nobody has no fault proxy/);
    await expect(client.applyLinkToxic('t2', 'a', { name: 't2', type: 'http_error', stream: 'downstream', toxicity: 1, attributes: {}, links: 'all' })).rejects.toThrow(/not a network fault/);
    const started = performance.now();
    expect((await request(client.url, { path: '/' })).status).toBe(200);
    expect(performance.now() - started).toBeLessThan(500);
  });
  it('refuses a bad settings patch before anything is sent, and one broken subscriber stops nobody else', async () => {
    const a = await echo({ id: 'a' });
    const { recording, client } = await plane([a], { health: { enabled: false } });
    const sentBefore = recording.sent.length;
    expect(() => client.setSettings({ strategy: 'fastest' } as never)).toThrow();
    expect(() => client.setSettings({ retry: { maxTries: -1 } })).toThrow();
    expect(recording.sent).toHaveLength(sentBefore);
    expect(client.state().settings.strategy).toBe('round-robin');
    expect(client.setSettings({ strategy: 'random' }).strategy).toBe('random');

    recording.subscribe(() => {
      throw new Error('a broken subscriber');
    });
    const seen: number[] = [];
    client.onOutcome((o) => seen.push(o.status));
    expect((await request(client.url, { path: '/' })).status).toBe(200);
    await sleep(30);
    expect(seen).toEqual([200]);
  });
});
