// Toxics added, updated and removed while bytes flow: nothing lost, nothing reordered, and what a
// removed toxic held leaves at once. The stream is u32 sequence numbers, checked end to end.
import { describe, expect, it } from 'vitest';
import type { ToxicSpec } from '../../../../electron/engine/faults/network/index';
import { firstOutOfOrder, numbered, useLab, type Client } from './helpers';
import { sleep } from '../../../../shared/sleep';

/** Writes numbers 0, 1, 2, … in 1 KiB batches every 2 ms until stopped; resolves with how many. */
function stream(client: Client): { stop(): Promise<number>; sent(): number } {
  let next = 0;
  let running = true;
  const done = (async () => {
    while (running) {
      client.socket.write(numbered(next, 256));
      next += 256;
      await sleep(2);
    }
    return next;
  })();
  return {
    sent: () => next,
    stop: async () => {
      running = false;
      return done;
    },
  };
}

describe('live toxic changes on open connections', () => {
  const lab = useLab();

  it('a chunk held by a 2 s latency arrives promptly once the toxic is removed, in order, nothing lost', async () => {
    const echo = await lab.echo();
    const proxy = await lab.proxy(echo.port);
    const client = await lab.client(proxy.port);
    const writer = stream(client);
    await sleep(100);
    proxy.addToxic({ name: 'lag', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 2_000, jitter: 0 } });
    await sleep(20);
    const beforeHold = client.received;
    await sleep(300);
    expect(client.received - beforeHold).toBe(0); // held
    const sentAtRemoval = writer.sent() * 4;
    const removed = performance.now();
    proxy.removeToxic('lag');
    await client.until(() => client.received >= sentAtRemoval, 1_000, 'held bytes');
    expect(performance.now() - removed).toBeLessThan(100);
    await sleep(100);
    const total = (await writer.stop()) * 4;
    await client.until(() => client.received >= total, 2_000, 'all bytes');
    expect(client.received).toBe(total);
    expect(firstOutOfOrder(client.data)).toBe(-1);
  });

  it('every toxic switched on and off under a live stream, both ways: the stream stays exact', async () => {
    const echo = await lab.echo();
    const proxy = await lab.proxy(echo.port);
    const client = await lab.client(proxy.port);
    const writer = stream(client);
    const toxics: ToxicSpec[] = [
      { name: 'lat-up', type: 'latency', stream: 'upstream', toxicity: 1, attributes: { latency: 30, jitter: 20 } },
      { name: 'slice-down', type: 'slicer', stream: 'downstream', toxicity: 1, attributes: { average_size: 300, size_variation: 100, delay: 0 } },
      { name: 'bw-down', type: 'bandwidth', stream: 'downstream', toxicity: 1, attributes: { rate: 2_000 } },
      { name: 'hold-up', type: 'timeout', stream: 'upstream', toxicity: 1, attributes: { timeout: 0 } },
      { name: 'lat-down', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 80, jitter: 40 } },
      { name: 'slow-fin', type: 'slow_close', stream: 'upstream', toxicity: 1, attributes: { delay: 10 } },
      { name: 'slice-up', type: 'slicer', stream: 'upstream', toxicity: 1, attributes: { average_size: 50, size_variation: 10, delay: 100 } },
    ];
    for (const toxic of toxics) {
      proxy.addToxic(toxic);
      await sleep(40);
    }
    proxy.updateToxic('lat-down', { latency: 10 });
    proxy.updateToxic('bw-down', { rate: 5_000 });
    await sleep(40);
    for (const name of ['hold-up', 'lat-up', 'slice-down', 'slow-fin', 'bw-down', 'slice-up', 'lat-down']) {
      proxy.removeToxic(name);
      await sleep(30);
    }
    const total = (await writer.stop()) * 4;
    await client.until(() => client.received >= total, 3_000, 'all bytes');
    expect(client.received).toBe(total);
    expect(firstOutOfOrder(client.data)).toBe(-1);
    expect(proxy.toxics()).toEqual([]);
  });

  it('a toxic added later applies to open connections from their next chunk; updates keep the roll', async () => {
    const echo = await lab.echo();
    const rolls = [0.9]; // one roll: toxicity 0.95 → affected
    const proxy = await lab.proxy(echo.port, () => rolls.shift() ?? 0.5);
    const client = await lab.client(proxy.port);
    expect(await client.roundTrip('a')).toBeLessThan(55); // not delayed: below the 60 ms toxic even on a busy machine
    proxy.addToxic({ name: 'lag', type: 'latency', stream: 'upstream', toxicity: 0.95, attributes: { latency: 60, jitter: 0 } });
    expect(await client.roundTrip('b')).toBeGreaterThanOrEqual(60);
    proxy.updateToxic('lag', { latency: 120 });
    expect(await client.roundTrip('c')).toBeGreaterThanOrEqual(120);
    expect(proxy.toxics()).toEqual([{ name: 'lag', type: 'latency', stream: 'upstream', toxicity: 0.95, attributes: { latency: 120, jitter: 0 } }]);
  });
});
