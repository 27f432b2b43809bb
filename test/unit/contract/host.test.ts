import { describe, expect, it, vi, type Mock } from 'vitest';
import {
  BalancerSettings,
  FleetSpec,
  TrafficSettings,
  ContractClient,
  ContractError,
  ContractHost,
  Listeners,
  OPERATOR,
  createMemoryTransportPair,
  type CommandHandlers,
  type CommandName,
  type EventName,
  type Envelope,
  type LabSnapshot,
  type NodeSnapshot,
  type Transport,
} from '../../../shared/contract/index.js';

const node: NodeSnapshot = {
  id: 'n1',
  kind: 'bundled',
  role: 'primary',
  pid: 123,
  port: 4000,
  status: 'ready',
  restarts: 0,
  dataDir: '/tmp/n1',
  restartPolicy: 'always',
  startedAt: 1,
  readyAt: 2,
  lastExit: null,
  nextStartAt: null,
};
const ledger = { acked: 0, checked: 0, lost: 0, stale: 0, checkedAt: null };
const balancer = { url: null, settings: BalancerSettings.parse({}), upstreams: [], retryBudget: { used: 0, allowed: 0 }, workers: { asked: 1, running: 1, note: null } };
const traffic = { running: false, settings: TrafficSettings.parse({}), startedAt: null, stats: null, ledger };
const snapshot: LabSnapshot = {
  version: '0',
  runDir: '/tmp',
  fleet: { name: null, status: 'running' },
  topology: null,
  nodes: [node],
  balancer,
  traffic,
  incidents: [],
  faults: [],
  timeline: [],
};

/** Handlers this file does not exercise: calling one is a test mistake. */
function notInThisTest<K extends CommandName>(names: K[]): Record<K, () => never> {
  return Object.fromEntries(names.map((name) => [name, () => { throw new Error(`${name}: not in this test`); }])) as Record<K, () => never>;
}

function setup() {
  const bus = new Listeners<[EventName, unknown]>();
  const handlers = {
    'lab.state': vi.fn(() => snapshot),
    'fleet.start': vi.fn(() => snapshot),
    'fleet.stop': vi.fn(() => snapshot),
    'node.start': vi.fn(() => node),
    'node.stop': vi.fn(() => node),
    'node.restart': vi.fn(() => node),
    'node.logs': vi.fn(() => ({ lines: [] })),
    'topology.set': vi.fn(() => snapshot),
    'balancer.set': vi.fn(() => balancer),
    'traffic.start': vi.fn(() => traffic),
    'traffic.stop': vi.fn(() => traffic),
    'traffic.set': vi.fn(() => traffic),
    'ledger.check': vi.fn(() => ledger),
    'fault.inject': vi.fn(() => {
      throw new Error('not in this test');
    }),
    'fault.revert': vi.fn(() => {
      throw new Error('not in this test');
    }),
    'fault.halt': vi.fn(() => ({ reverted: 0, ms: 0 })),
    'fault.list': vi.fn(() => ({ faults: [] })),
    ...notInThisTest(['node.promote', 'drill.list', 'drill.get', 'drill.exportChaosMesh', 'drill.run', 'drill.abort', 'drill.answer', 'drill.status', 'report.list', 'report.open', 'report.compare', 'report.export', 'recording.info', 'recording.get', 'report.recording', 'drill.vote', 'classroom.status', 'classroom.start', 'classroom.stop']),
  } satisfies CommandHandlers;
  const host = new ContractHost(handlers, (listener) => bus.add((name, payload) => listener(name, payload as never)));
  const [engineSide, uiSide] = createMemoryTransportPair();
  host.connect(engineSide);
  const client = new ContractClient(uiSide, { timeoutMs: 2_000 });
  return { bus, handlers, host, client, uiSide };
}

describe('ContractHost', () => {
  it('answers a valid request with the handler result', async () => {
    const { client, handlers } = setup();
    await expect(client.request('node.restart', { id: 'n1' })).resolves.toEqual(node);
    expect(handlers['node.restart']).toHaveBeenCalledWith({ id: 'n1' }, OPERATOR);
  });

  it('rejects bad params with an error naming the field, and never calls the handler', async () => {
    const { client, handlers } = setup();
    const error = await client.request('node.stop', { id: 'N 1!' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContractError);
    expect((error as ContractError).code).toBe('invalid-params');
    expect((error as ContractError).field).toBe('params.id');
    const extra = await client.request('node.stop', { id: 'n1', force: true } as never).catch((e: unknown) => e);
    expect((extra as ContractError).code).toBe('invalid-params');
    expect((extra as ContractError).message).toContain('force');
    const grace = await client.request('node.stop', { id: 'n1', graceMs: -5 }).catch((e: unknown) => e);
    expect((grace as ContractError).field).toBe('params.graceMs');
    expect(handlers['node.stop']).not.toHaveBeenCalled();
  });

  it('tells onCommand of each command a handler carried out, with its parsed params, whoever asked; not of a refused or failed one', async () => {
    const { host, client, handlers } = setup();
    const done: Array<{ name: string; params: unknown }> = [];
    host.onCommand(() => {
      throw new Error('a listener that throws (first, so the next must still be told)');
    });
    const stop = host.onCommand((d) => done.push({ name: d.name, params: d.params }));
    await client.request('node.start', { id: 'n1' });
    await host.request('balancer.set', { strategy: 'random' });
    await client.request('node.start', { id: 'bad id!' }).catch(() => undefined);
    handlers['node.stop'].mockImplementationOnce(() => {
      throw new ContractError({ code: 'conflict', message: 'no' });
    });
    await client.request('node.stop', { id: 'n1' }).catch(() => undefined);
    await expect(client.request('node.restart', { id: 'n1' })).resolves.toMatchObject({ id: 'n1' });
    stop();
    await client.request('node.start', { id: 'n1' });
    expect(done).toEqual([
      { name: 'node.start', params: { id: 'n1' } },
      { name: 'balancer.set', params: { strategy: 'random' } },
      { name: 'node.restart', params: { id: 'n1' } },
    ]);
  });

  it('names a bad field deep inside a fleet spec', async () => {
    const { host, handlers } = setup();
    const error = await host
      .call('fleet.start', { fleet: { nodes: [{ id: 'n1' }, { id: 'n2', kind: 'command', command: '' }] } })
      .catch((e: unknown) => e);
    expect((error as ContractError).code).toBe('invalid-params');
    expect((error as ContractError).field).toMatch(/^params\.fleet\.nodes\.1/);
    expect(handlers['fleet.start']).not.toHaveBeenCalled();
  });

  it("refuses a fleet whose replicas are wrong before fleet.start's handler (the lab does not check it again)", async () => {
    const { host, handlers } = setup();
    const nodes = [
      { id: 'p1', role: 'primary', server: { replicas: ['p1'] } },
      { id: 's1', role: 'standby' },
    ];
    const error = (await host.call('fleet.start', { fleet: { nodes } }).catch((e: unknown) => e)) as ContractError;
    expect(error.code).toBe('invalid-params');
    expect(error.field).toBe('params.fleet.nodes.0.server.replicas.0');
    expect(error.message).toMatch(/cannot replicate to itself/);
    expect(handlers['fleet.start']).not.toHaveBeenCalled();
  });

  it("hands fault.inject's handler a FaultSpec: parsed once, the type's defaults filled in, the links resolved", async () => {
    const { host, handlers } = setup();
    const received: unknown[] = [];
    (handlers['fault.inject'] as Mock<(spec: unknown) => never>).mockImplementation((spec) => {
      received.push(spec);
      return undefined as never;
    });
    await host.call('fault.inject', { type: 'latency', target: 'n1', attributes: { latency: 40 } });
    await host.call('fault.inject', { type: 'partition', target: 'n1', links: 'replication' });
    expect(received).toEqual([
      { type: 'latency', target: 'n1', attributes: { latency: 40, jitter: 0 }, toxicity: 1, stream: 'downstream', links: 'all' },
      { type: 'partition', target: 'n1', attributes: { links: 'replication' }, toxicity: 1, stream: 'downstream', links: 'replication' },
    ]);
    await expect(host.call('fault.inject', { type: 'kill', target: 'n1', links: 'all' })).rejects.toMatchObject({ code: 'invalid-params', field: 'params.links' });
    await expect(host.call('fault.inject', { type: 'latency', target: 'n1', attributes: { latency: -1 } })).rejects.toMatchObject({ code: 'invalid-params', field: 'params.attributes.latency' });
    expect(received).toHaveLength(2);
  });

  it('refuses what the schemas let through: a __proto__ key, nesting past 32 levels, a health path the HTTP client cannot send', async () => {
    const { host, handlers } = setup();
    const proto = JSON.parse('{"type":"latency","target":"n1","attributes":{"__proto__":{"latency":5}}}') as unknown;
    await expect(host.call('fault.inject', proto)).rejects.toMatchObject({ code: 'invalid-params', field: 'params.attributes.__proto__' });
    const deep = JSON.parse(`{"id":${'['.repeat(100_000)}${']'.repeat(100_000)}}`) as unknown;
    await expect(host.call('node.stop', deep)).rejects.toMatchObject({ code: 'invalid-params', field: expect.stringMatching(/^params\.id(\.0){31}$/) });
    // A health path the HTTP client cannot send is the schema's to refuse (and a command node never comes over the contract at all).
    for (const healthPath of ['/a b', '/\u0000', '/\u001b[2J', '/ä']) {
      const parsed = FleetSpec.safeParse({ nodes: [{ id: 'a1', kind: 'command', command: 'x', healthPath }] });
      expect(parsed.success, healthPath).toBe(false);
      expect(parsed.error?.issues[0]?.path, healthPath).toEqual(['nodes', 0, 'healthPath']);
      await expect(host.call('fleet.start', { fleet: { nodes: [{ id: 'a1', kind: 'command', command: 'x', healthPath }] } }), healthPath).rejects.toMatchObject({ code: 'invalid-params' });
    }
    expect(FleetSpec.safeParse({ nodes: [{ id: 'a1', kind: 'command', command: 'x', healthPath: '/health%20z?x=1' }] }).success).toBe(true);
    expect(handlers['fault.inject']).not.toHaveBeenCalled();
    expect(handlers['node.stop']).not.toHaveBeenCalled();
    expect(handlers['fleet.start']).not.toHaveBeenCalled();
  });

  it('request (the engine\'s own clients) validates as call does, typed', async () => {
    const { host, handlers } = setup();
    const restarted: NodeSnapshot = await host.request('node.restart', { id: 'n1' });
    expect(restarted).toEqual(node);
    await expect(host.request('node.stop', { id: 'N 1!' })).rejects.toMatchObject({ code: 'invalid-params', field: 'params.id' });
    expect(handlers['node.stop']).not.toHaveBeenCalled();
  });

  it('refuses an unknown command', async () => {
    const { host } = setup();
    const error = (await host.call('fleet.explode', {}).catch((e: unknown) => e)) as ContractError;
    expect(error.code).toBe('unknown-command');
  });

  it('answers a malformed envelope with invalid-envelope and stays up', async () => {
    const { uiSide, client } = setup();
    const replies: unknown[] = [];
    uiSide.onMessage((m) => replies.push(m));
    uiSide.send({ kind: 'request', id: 'x1' } as never); // no name
    uiSide.send({ kind: 'bogus', id: 'x2' } as never);
    uiSide.send({ kind: 'request', id: 'x3', name: 'x'.repeat(1_000_000) } as never); // not echoed back a megabyte at a time
    await vi.waitFor(() => expect(replies).toHaveLength(3));
    expect(replies[2]).toMatchObject({ kind: 'error', id: 'x3', error: { code: 'invalid-envelope', field: 'name' } });
    expect(JSON.stringify(replies[2]).length).toBeLessThan(1_000);
    expect(replies[0]).toMatchObject({ kind: 'error', id: 'x1', error: { code: 'invalid-envelope', field: 'name' } });
    expect(replies[1]).toMatchObject({ kind: 'error', id: 'x2', error: { code: 'invalid-envelope', field: 'kind' } });
    await expect(client.request('lab.state', {})).resolves.toEqual(snapshot);
  });

  it('delivers subscribed events only, until unsubscribed', async () => {
    const { client, bus } = setup();
    const seen: string[] = [];
    const off = client.on('node.changed', (n) => seen.push(n.id));
    client.on('timeline.event', () => seen.push('timeline'));
    await client.request('lab.state', {}); // the subscriptions are in place once a later request is answered
    bus.emit('node.changed', node);
    bus.emit('log.batch', { lines: [], dropped: 0 });
    await vi.waitFor(() => expect(seen).toEqual(['n1']));
    off();
    await client.request('lab.state', {});
    bus.emit('node.changed', node);
    bus.emit('timeline.event', { seq: 1, at: 1, kind: 'x', detail: {} });
    await vi.waitFor(() => expect(seen).toEqual(['n1', 'timeline']));
  });

  it('refuses a subscription to an unknown event', async () => {
    const { client } = setup();
    const off = client.on('nope.changed' as EventName, () => undefined);
    off();
    const { uiSide } = setup();
    const replies: unknown[] = [];
    uiSide.onMessage((m) => replies.push(m));
    uiSide.send({ kind: 'subscribe', id: 's1', name: 'nope.changed' });
    await vi.waitFor(() => expect(replies[0]).toMatchObject({ kind: 'error', error: { code: 'unknown-event' } }));
  });

  it('fails pending requests when the connection closes', async () => {
    const bus = new Listeners<[EventName, unknown]>();
    let release: () => void = () => undefined;
    const slow = new Promise<LabSnapshot>((resolve) => (release = () => resolve(snapshot)));
    const host = new ContractHost({ 'lab.state': () => slow } as unknown as CommandHandlers, (l) => bus.add((n, p) => l(n, p as never)));
    const [a, b] = createMemoryTransportPair();
    host.connect(a);
    const client = new ContractClient(b);
    const pending = client.request('lab.state', {});
    b.close();
    release();
    await expect(pending).rejects.toMatchObject({ code: 'closed' });
  });

  describe('limits per connection', () => {
    /** A transport whose unread backlog the test sets, recording what the host sends and how it closes. */
    function laggingTransport() {
      const messages = new Listeners<[unknown]>();
      const closes = new Listeners<[]>();
      const sent: Envelope[] = [];
      const state = { backlog: 0, closedWith: null as null | { code?: number; reason?: string } };
      const transport: Transport = {
        send: (message) => void sent.push(message),
        onMessage: (listener) => messages.add(listener),
        onClose: (listener) => closes.add(listener),
        close: (code, reason) => {
          state.closedWith = { code, reason };
          closes.emit();
        },
        backlog: () => state.backlog,
      };
      return { transport, sent, state, receive: (message: unknown) => messages.emit(message) };
    }
    const tick = { at: 1, windowMs: 100, requests: 0, errors: 0, retries: 0, inflight: 0, acked: 0, latency: { p50: 0, p90: 0, p99: 0, max: 0, count: 0 }, perNode: {} };

    it('a client that lags loses metrics.tick and log.batch first, is told once, and sees the gap in seq', () => {
      const { bus, host } = setup();
      const t = laggingTransport();
      host.connect(t.transport, { dropEventsAboveBytes: 1_000, closeAboveBytes: 10_000 });
      t.receive({ kind: 'subscribe', id: 'all', name: '*' });
      bus.emit('metrics.tick', tick);
      t.state.backlog = 1_001;
      bus.emit('metrics.tick', tick);
      bus.emit('log.batch', { lines: [], dropped: 0 });
      bus.emit('node.changed', node); // rare events still go
      t.state.backlog = 600; // under the drop line, but not yet caught up (half of it)
      bus.emit('metrics.tick', tick);
      t.state.backlog = 0;
      bus.emit('metrics.tick', tick);
      const events = t.sent.filter((m) => m.kind === 'event');
      expect(events.map((m) => [m.name, m.seq])).toEqual([['metrics.tick', 1], ['node.changed', 4], ['metrics.tick', 6]]);
      const told = t.sent.filter((m) => m.kind === 'error');
      expect(told).toEqual([{ kind: 'error', id: 'all', error: { code: 'limit-exceeded', field: 'events', message: expect.stringContaining('metrics.tick and log.batch') } }]);
      expect(t.state.closedWith).toBeNull();
    });

    it('past the hard cap the client is closed with 1008 and nothing more is sent to it', async () => {
      const { bus, host, handlers } = setup();
      const t = laggingTransport();
      host.connect(t.transport, { dropEventsAboveBytes: 1_000, closeAboveBytes: 10_000 });
      t.receive({ kind: 'subscribe', id: 'all', name: '*' });
      t.state.backlog = 10_001;
      bus.emit('node.changed', node);
      expect(t.state.closedWith).toMatchObject({ code: 1008, reason: expect.stringContaining('10001 bytes queued') });
      const count = t.sent.length;
      t.receive({ kind: 'request', id: 'r1', name: 'lab.state' });
      bus.emit('node.changed', node);
      await Promise.resolve();
      expect(t.sent).toHaveLength(count);
      expect(handlers['lab.state']).not.toHaveBeenCalled();
    });

    it('refuses a subscription past the cap and a request past the in-flight cap, naming the field', async () => {
      const bus = new Listeners<[EventName, unknown]>();
      let release: () => void = () => undefined;
      const slow = new Promise<LabSnapshot>((resolve) => (release = () => resolve(snapshot)));
      const host = new ContractHost({ 'lab.state': () => slow } as unknown as CommandHandlers, (l) => bus.add((n, p) => l(n, p as never)));
      const t = laggingTransport();
      host.connect(t.transport, { maxSubscriptions: 2, maxInFlight: 2 });
      for (const id of ['s1', 's2', 's3']) t.receive({ kind: 'subscribe', id, name: 'node.changed' });
      t.receive({ kind: 'subscribe', id: 's1', name: 'fleet.changed' }); // the same id again replaces, within the cap
      for (const id of ['r1', 'r2', 'r3']) t.receive({ kind: 'request', id, name: 'lab.state' });
      expect(t.sent.filter((m) => m.kind === 'error')).toEqual([
        { kind: 'error', id: 's3', error: expect.objectContaining({ code: 'limit-exceeded', field: 'subscriptions' }) },
        { kind: 'error', id: 'r3', error: expect.objectContaining({ code: 'limit-exceeded', field: 'id' }) },
      ]);
      release();
      await vi.waitFor(() => expect(t.sent.filter((m) => m.kind === 'response' && m.id.startsWith('r'))).toHaveLength(2));
      t.receive({ kind: 'request', id: 'r4', name: 'lab.state' }); // room again once answered
      await vi.waitFor(() => expect(t.sent.at(-1)).toMatchObject({ kind: 'response', id: 'r4' }));
    });
  });
});
