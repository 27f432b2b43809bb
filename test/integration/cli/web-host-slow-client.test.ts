// A WebSocket client that stops reading used to grow the engine's memory without bound (~4 MB/s,
// never given back), and subscriptions per connection were unbounded. Now: high-frequency events are
// dropped for it past 1 MiB queued (it is told once), and it is closed past 8 MiB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONNECTION_LIMITS } from '../../../shared/contract/index.js';
import { RawWebSocket } from '../../support/raw-websocket.js';
import { chattyFleet, startWebLab, watchCrashes, type WebLab } from '../../support/web-lab.js';
import { sleep } from '../../../shared/sleep';

const { dropEventsAboveBytes, closeAboveBytes, maxSubscriptions } = DEFAULT_CONNECTION_LIMITS;

describe('web host: a client that stops reading', () => {
  let l: WebLab;
  // Two nodes printing 100 KB/s each: with 64 subscriptions to everything, 12.8 MB/s of log.batch for one client.
  beforeAll(async () => {
    l = await startWebLab({ fleet: chattyFleet(100_000) });
  });
  afterAll(() => l?.close());

  /** Samples the host's queued bytes for its clients while `ms` pass; GET /api/state must answer within 2 s meanwhile. */
  const watch = async (ms: number): Promise<{ maxBacklog: number; slowestStateMs: number }> => {
    let maxBacklog = 0;
    let slowestStateMs = 0;
    const until = performance.now() + ms;
    while (performance.now() < until) {
      maxBacklog = Math.max(maxBacklog, ...l.web.clientBacklogs());
      const started = performance.now();
      await l.state();
      slowestStateMs = Math.max(slowestStateMs, performance.now() - started);
      await sleep(50);
    }
    return { maxBacklog, slowestStateMs };
  };

  it('subscriptions are capped per connection, with an error naming the field', async () => {
    const ws = await RawWebSocket.connect(l.web.port, '/api/events', l.auth);
    for (let i = 1; i <= maxSubscriptions + 1; i++) ws.sendText(JSON.stringify({ kind: 'subscribe', id: `s${i}`, name: 'timeline.event' }));
    expect(await ws.message((m) => m.id === `s${maxSubscriptions}`)).toMatchObject({ kind: 'response' });
    expect(await ws.message((m) => m.id === `s${maxSubscriptions + 1}`)).toMatchObject({ kind: 'error', error: { code: 'limit-exceeded', field: 'subscriptions' } });
    // One freed makes room for one more.
    ws.sendText(JSON.stringify({ kind: 'unsubscribe', id: 's1' }));
    ws.sendText(JSON.stringify({ kind: 'subscribe', id: 'again', name: 'timeline.event' }));
    expect(await ws.message((m) => m.id === 'again')).toMatchObject({ kind: 'response', result: { subscribed: 'timeline.event' } });
    ws.destroy();
  });

  it('high-frequency events are dropped for it (it is told once), its queue stays bounded, and it catches up when it reads again', async () => {
    const crashes = watchCrashes();
    const ws = await RawWebSocket.connect(l.web.port, '/api/events', l.auth);
    try {
      for (let i = 1; i <= maxSubscriptions; i++) ws.sendText(JSON.stringify({ kind: 'subscribe', id: `s${i}`, name: '*' }));
      await ws.message((m) => m.id === `s${maxSubscriptions}` && m.kind === 'response');
      ws.socket.pause();
      const { maxBacklog, slowestStateMs } = await watch(3_000);
      // The queue reached the drop line (the client really stopped reading) and stayed near it: one batch over at most.
      expect(maxBacklog).toBeGreaterThan(dropEventsAboveBytes / 2);
      expect(maxBacklog).toBeLessThan(dropEventsAboveBytes + 512 * 1024);
      expect(slowestStateMs).toBeLessThan(2_000);
      expect(l.web.clientBacklogs()).toHaveLength(1); // still connected: dropping events is not a reason to close

      ws.socket.resume();
      const told = await ws.message((m) => m.kind === 'error');
      expect(told).toMatchObject({ error: { code: 'limit-exceeded', field: 'events' } });
      expect(String((told.error as { message: string }).message)).toMatch(/metrics\.tick and log\.batch/);
      // Events flow again once it has caught up.
      const count = ws.frames.length;
      await expect.poll(() => ws.frames.length, { timeout: 5_000 }).toBeGreaterThan(count + 100);
      // Told once each time it falls behind, not once per dropped event: between two notices the queue must
      // have drained below half the line and filled past it again, so at most one notice per 512 KiB it read.
      // (A busy machine may read slowly enough after resuming to fall behind again; that is a new notice, rightly.)
      const first = ws.frames.findIndex((f) => f.opcode === 1 && f.payload.includes('"limit-exceeded"'));
      const after = ws.frames.slice(first);
      const notices = after.filter((f) => f.opcode === 1 && f.payload.includes('"limit-exceeded"'));
      const bytesRead = after.reduce((sum, f) => sum + f.payload.length, 0);
      expect(notices.length).toBeGreaterThanOrEqual(1);
      expect(notices.length).toBeLessThanOrEqual(1 + Math.floor(bytesRead / (dropEventsAboveBytes * 0.45))); // 0.45, not 0.5: frame headers count in the queue, not here
    } finally {
      ws.destroy();
      crashes.stop();
    }
    expect(crashes.errors).toEqual([]);
  });

  it('past the hard cap (requests it never reads the answers to) it is closed, and the memory is given back', async () => {
    const crashes = watchCrashes();
    const ws = await RawWebSocket.connect(l.web.port, '/api/events', l.auth);
    try {
      ws.socket.pause();
      const request = JSON.stringify({ kind: 'request', id: 'r', name: 'node.logs', params: { id: 'w1', limit: 1_000 } });
      let sent = 0;
      let maxBacklog = 0;
      // About 1 MB of answers per 1,000 requests: 40,000 would be 40 MB; it must be cut off long before.
      while (sent < 40_000 && l.web.clientBacklogs().length > 0) {
        for (let i = 0; i < 200; i++) ws.sendText(request);
        sent += 200;
        await sleep(5);
        maxBacklog = Math.max(maxBacklog, ...l.web.clientBacklogs());
      }
      await expect.poll(() => l.web.clientBacklogs().length, { timeout: 6_000 }).toBe(0);
      expect(maxBacklog).toBeGreaterThan(dropEventsAboveBytes);
      expect(maxBacklog).toBeLessThan(closeAboveBytes + 2 * 1024 * 1024);
      expect(await l.state()).toMatchObject({ fleet: { status: 'running' } });
    } finally {
      ws.destroy();
      crashes.stop();
    }
    expect(crashes.errors).toEqual([]);
  });
});
