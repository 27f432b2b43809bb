// Each toxic against a real TCP echo server through a real proxy, timed on this machine.
// Tolerances are measured on a 2-core box with other test files running alongside.
import { describe, expect, it } from 'vitest';
import { numbered, useLab } from './helpers';
import { sleep } from '../../../../shared/sleep';

/**
 * How late a round trip may be on top of its chunk's own rolled delay: the echo round trip
 * (~0.3 ms) plus Node's whole-millisecond timers (~0.6 ms) plus scheduling on a shared 2-core VM.
 * Measured over 5 × 60 samples: median 1.2 ms, p90 ≤ 1.6 ms, worst 8.9 ms (one sample).
 */
const OVERSHOOT_MEDIAN_MS = 3;
const OVERSHOOT_MAX_MS = 10;
/**
 * Median (latency round trip − 5 ms − no-toxic round trip). Measured: 0.045 ms idle, 0.006 ms with
 * two CPU hogs on the 2-core VM; with whole-millisecond timers (before the deadline scheduler) 0.26–0.27 ms.
 */
const LATENCY_MEDIAN_OVERSHOOT_MS = 0.2;
/**
 * Of 40 pieces 250 µs apart (millisecond ticks gave ~10 reads, and a busy machine only merges more):
 * a clean-clone CI run on 2026-12-07 read 19, so 15 still tells the two apart with room (another,
 * beside a second suite, read 14 once: hence the best of up to three round trips).
 */
const SLICER_MIN_READS = 15;

describe('toxics through the proxy, against an echo server', () => {
  const lab = useLab();

  it('latency 50 ms, jitter 10 ms: no round trip is shorter than its own delay, and 9 in 10 of 60 take 40–60 ms (+ overshoot)', async () => {
    const echo = await lab.echo();
    const rolls: number[] = [];
    const proxy = await lab.proxy(echo.port, () => {
      const roll = Math.random();
      rolls.push(roll);
      return roll;
    });
    const client = await lab.client(proxy.port);
    await client.roundTrip('warm-up');
    proxy.addToxic({ name: 'lag', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 50, jitter: 10 } });
    const samples: number[] = [];
    const overshoots: number[] = [];
    for (let i = 0; i < 60; i += 1) {
      const rtt = await client.roundTrip('x');
      const ownDelay = 50 + ((rolls.at(-1) as number) * 2 - 1) * 10; // the jitter rolled for this chunk
      samples.push(rtt);
      overshoots.push(rtt - ownDelay);
    }
    const sorted = [...samples].sort((a, b) => a - b);
    expect(sorted[0]).toBeGreaterThanOrEqual(40);
    // Not the single slowest: with the machine 3–4 times oversubscribed one sample took 92 ms (the
    // process was not scheduled); a jitter wider than 10 ms shows below as negative overshoots anyway.
    expect(sorted[53]).toBeLessThanOrEqual(60 + OVERSHOOT_MAX_MS);
    overshoots.sort((a, b) => a - b);
    expect(overshoots[0]).toBeGreaterThanOrEqual(0); // never early
    expect(overshoots[30]).toBeLessThanOrEqual(OVERSHOOT_MEDIAN_MS);
    // Uniform jitter: the delays spread across the window, centred on 50.
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    expect(mean).toBeGreaterThan(46);
    expect(mean).toBeLessThan(55);
  });

  it('latency 5 ms is on time to well under a millisecond: never early, median overshoot ≤ 0.2 ms over a no-toxic baseline', async () => {
    const echo = await lab.echo();
    const plainProxy = await lab.proxy(echo.port);
    const lagProxy = await lab.proxy(echo.port);
    lagProxy.addToxic({ name: 'lag', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 5, jitter: 0 } });
    const plain = await lab.client(plainProxy.port);
    const lagged = await lab.client(lagProxy.port);
    await plain.roundTrip('warm-up');
    await lagged.roundTrip('warm-up');
    const base: number[] = [];
    const rtts: number[] = [];
    // Interleaved, so both see the same machine.
    for (let i = 0; i < 100; i += 1) {
      base.push(await plain.roundTrip('x'));
      rtts.push(await lagged.roundTrip('x'));
    }
    const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] as number;
    expect(Math.min(...rtts)).toBeGreaterThanOrEqual(5);
    expect(median(rtts) - 5 - median(base)).toBeLessThanOrEqual(LATENCY_MEDIAN_OVERSHOOT_MS);
  });

  it('toxicity 0.5 affects about half of 400 connections (0.5 ± 0.1, ≈ 4 σ)', async () => {
    const echo = await lab.echo();
    const proxy = await lab.proxy(echo.port);
    proxy.addToxic({ name: 'lag', type: 'latency', stream: 'downstream', toxicity: 0.5, attributes: { latency: 100, jitter: 0 } });
    // 100 ms against a 60 ms line: an unaffected round trip on a busy 2-core machine took up to ~35 ms.
    let affected = 0;
    for (let batch = 0; batch < 8; batch += 1) {
      const rtts = await Promise.all(
        Array.from({ length: 50 }, async () => {
          const client = await lab.client(proxy.port);
          // The first round trip also waits for the dial to the node (slow while 50 connect at once),
          // so the second one tells: rolled once per connection, an affected one is slow both times.
          const first = await client.roundTrip('a');
          const second = await client.roundTrip('b');
          client.destroy();
          if (second >= 60) expect(first).toBeGreaterThanOrEqual(100);
          return second;
        }),
      );
      affected += rtts.filter((ms) => ms >= 60).length;
    }
    expect(affected / 400).toBeGreaterThanOrEqual(0.4);
    expect(affected / 400).toBeLessThanOrEqual(0.6);
  });

  it('bandwidth 100 KB/s moves 500 KB in 5 s ± 10 %', async () => {
    const echo = await lab.echo();
    const proxy = await lab.proxy(echo.port);
    proxy.addToxic({ name: 'thin', type: 'bandwidth', stream: 'downstream', toxicity: 1, attributes: { rate: 100 } });
    const client = await lab.client(proxy.port);
    const payload = Buffer.alloc(500_000, 7);
    const started = performance.now();
    client.socket.write(payload);
    await client.until(() => client.received >= payload.length, 8_000, '500 KB');
    const seconds = (performance.now() - started) / 1000;
    expect(seconds).toBeGreaterThanOrEqual(4.5);
    expect(seconds).toBeLessThanOrEqual(5.5);
    expect(client.data.equals(payload)).toBe(true);
  }, 15_000);

  it('reset_peer: the client sees ECONNRESET — at once, or `timeout` ms after the first data (± 50 ms)', async () => {
    const echo = await lab.echo();
    const proxy = await lab.proxy(echo.port);
    proxy.addToxic({ name: 'rst', type: 'reset_peer', stream: 'downstream', toxicity: 1, attributes: { timeout: 0 } });
    const now = await lab.client(proxy.port);
    now.socket.write('hello');
    await now.until(() => now.error !== null, 2_000, 'reset');
    expect(now.error?.code).toBe('ECONNRESET');
    expect(now.received).toBe(0);

    proxy.updateToxic('rst', { timeout: 200 });
    const later = await lab.client(proxy.port);
    await sleep(100); // idle: nothing starts the clock yet
    const sent = performance.now();
    later.socket.write('hello');
    await later.until(() => later.error !== null, 2_000, 'reset');
    expect(later.error?.code).toBe('ECONNRESET');
    const after = (later.closedAt ?? performance.now()) - sent;
    expect(after).toBeGreaterThanOrEqual(195);
    expect(after).toBeLessThanOrEqual(250);
    await sleep(20);
    expect(echo.open).toBe(0); // the node's side was reset too
  });

  it('timeout 300: passes nothing, then closes at 300 ± 50 ms', async () => {
    const echo = await lab.echo();
    const proxy = await lab.proxy(echo.port);
    proxy.addToxic({ name: 'hang', type: 'timeout', stream: 'downstream', toxicity: 1, attributes: { timeout: 300 } });
    const started = performance.now();
    const client = await lab.client(proxy.port);
    client.socket.write('anyone?');
    await client.until(() => client.endedAt !== null || client.closedAt !== null, 2_000, 'close');
    const closedAfter = (client.endedAt ?? client.closedAt ?? 0) - started;
    expect(client.received).toBe(0);
    expect(closedAfter).toBeGreaterThanOrEqual(295);
    expect(closedAfter).toBeLessThanOrEqual(350);
  });

  it('timeout 0 holds (open, silent) until removed, then lets the held data through', async () => {
    const echo = await lab.echo();
    const proxy = await lab.proxy(echo.port);
    proxy.addToxic({ name: 'hang', type: 'timeout', stream: 'downstream', toxicity: 1, attributes: { timeout: 0 } });
    const client = await lab.client(proxy.port);
    client.socket.write('held');
    await sleep(400);
    expect(client.received).toBe(0);
    expect(client.endedAt).toBeNull();
    expect(client.closedAt).toBeNull();
    const removed = performance.now();
    proxy.removeToxic('hang');
    await client.until(() => client.received === 4, 1_000, 'held data');
    expect(client.data.toString()).toBe('held');
    expect(performance.now() - removed).toBeLessThan(100);
  });

  it('slow_close delays the FIN by `delay` (300 ms, ≤ 150 ms late on a busy machine); without it the FIN is prompt', async () => {
    const echo = await lab.echo();
    const proxy = await lab.proxy(echo.port);
    const plain = await lab.client(proxy.port);
    let sent = performance.now();
    plain.socket.end('bye');
    await plain.until(() => plain.endedAt !== null, 2_000, 'FIN');
    // Prompt: a few ms when quiet; bounded well below the 300 ms delay so a busy machine passes.
    expect((plain.endedAt ?? 0) - sent).toBeLessThan(150);

    proxy.addToxic({ name: 'linger', type: 'slow_close', stream: 'downstream', toxicity: 1, attributes: { delay: 300 } });
    const slow = await lab.client(proxy.port);
    sent = performance.now();
    slow.socket.end('bye');
    await slow.until(() => slow.received === 3, 1_000, 'data');
    expect(performance.now() - sent).toBeLessThan(150); // data is not delayed (the FIN is, 300 ms)
    await slow.until(() => slow.endedAt !== null, 2_000, 'FIN');
    const finAfter = (slow.endedAt ?? 0) - sent;
    expect(finAfter).toBeGreaterThanOrEqual(300);
    expect(finAfter).toBeLessThanOrEqual(450);
  });

  it('slicer: the client gets many more, smaller reads, and every byte in order', async () => {
    const echo = await lab.echo();
    const proxy = await lab.proxy(echo.port);
    const payload = numbered(0, 2_500); // 10 000 bytes
    const plain = await lab.client(proxy.port);
    await plain.roundTrip(payload);
    proxy.addToxic({ name: 'slices', type: 'slicer', stream: 'downstream', toxicity: 1, attributes: { average_size: 100, size_variation: 20, delay: 1_000 } });
    const sliced = await lab.client(proxy.port);
    await sliced.roundTrip(payload);
    expect(sliced.data.equals(payload)).toBe(true);
    const sizes = sliced.reads.map((r) => r.bytes).sort((a, b) => a - b);
    // Pieces are 60–120 bytes, 1 ms apart: ~100+ of them; a busy client may read two at once.
    expect(sliced.reads.length).toBeGreaterThanOrEqual(50);
    expect(sliced.reads.length).toBeGreaterThan(plain.reads.length * 10);
    expect(sizes[Math.floor(sizes.length / 2)]).toBeLessThanOrEqual(120);
  });

  it('slicer with a 250 µs delay: pieces leave 250 µs apart, not bunched on millisecond ticks', async () => {
    const echo = await lab.echo();
    const proxy = await lab.proxy(echo.port);
    proxy.addToxic({ name: 'slices', type: 'slicer', stream: 'downstream', toxicity: 1, attributes: { average_size: 100, size_variation: 0, delay: 250 } });
    const payload = numbered(0, 1_000); // 4 000 bytes: 40 pieces, 39 gaps of 250 µs = 9.75 ms
    // On millisecond ticks the 40 pieces came in ~10 bursts of 4; one every 250 µs, the client
    // reads most of them apart. A busy machine can only merge reads, never split a burst: the best
    // of up to three round trips is read, and bunched pieces would stay near 10 in every one.
    const reads: number[] = [];
    for (let attempt = 0; attempt < 3 && !reads.some((n) => n >= SLICER_MIN_READS); attempt++) {
      const client = await lab.client(proxy.port);
      const rtt = await client.roundTrip(payload);
      expect(client.data.equals(payload)).toBe(true);
      expect(rtt).toBeGreaterThanOrEqual(9.75);
      expect(rtt).toBeLessThanOrEqual(100); // a busy machine's timers run late; the reads tell ticks from 250 µs
      reads.push(client.reads.length);
    }
    expect(Math.max(...reads), `reads per round trip: ${reads.join(', ')}`).toBeGreaterThanOrEqual(SLICER_MIN_READS);
  });

  it('limit_data closes the connection after exactly N bytes', async () => {
    const echo = await lab.echo();
    const proxy = await lab.proxy(echo.port);
    proxy.addToxic({ name: 'cap', type: 'limit_data', stream: 'downstream', toxicity: 1, attributes: { bytes: 1_000 } });
    const client = await lab.client(proxy.port);
    const payload = numbered(0, 1_250); // 5 000 bytes
    client.socket.write(payload);
    await client.until(() => client.endedAt !== null, 2_000, 'FIN');
    expect(client.received).toBe(1_000);
    expect(client.data.equals(payload.subarray(0, 1_000))).toBe(true);
    expect(client.error).toBeNull(); // a FIN, not a reset
    await sleep(20);
    expect(echo.open).toBe(0); // the node's side was closed too
  });
});
