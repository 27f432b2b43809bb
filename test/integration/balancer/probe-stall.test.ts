// A stalled engine is not a failed node: when the balancer's own event loop was blocked past a
// probe's timeout, an answer that arrived in time is read before the probe is judged.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { useLab } from './helpers';
import { sleep } from '../../../shared/sleep';

const lab = useLab();
let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
});

/** An HTTP server in a process of its own, so blocking this one does not stop it answering. */
async function outOfProcessUpstream(): Promise<number> {
  child = spawn(process.execPath, ['-e', "const s = require('http').createServer((q, r) => r.end('ok')).listen(0, '127.0.0.1', () => console.log(s.address().port))"], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => createInterface({ input: child!.stdout! }).once('line', resolve));
  return Number(line);
}

function blockFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // the engine busy (a long GC, a synchronous render, a loaded machine): no timer, no I/O
  }
}

describe('active detection under an engine stall', () => {
  it('probes answered during 150 ms stalls of the balancer do not count as timeouts', async () => {
    const port = await outOfProcessUpstream();
    const { balancer, events } = await lab.balancer({ health: { intervalMs: 20, timeoutMs: 60, fall: 2, rise: 1 }, passive: { enabled: false } });
    balancer.setUpstreams([{ id: 'n1', port }]);
    await sleep(200); // probes pass
    expect(events.of('detected')).toEqual([]);
    // Stalls at every phase of the probe cadence: some catch probes in flight, answered meanwhile.
    for (let i = 0; i < 20; i++) {
      await sleep(3 + (i % 7) * 3);
      await new Promise<void>((resolve) => setImmediate(() => {
        blockFor(150);
        resolve();
      }));
    }
    expect(events.of('detected')).toEqual([]);
    // The control: a node that really stops answering is still detected, within interval + timeout.
    child!.kill('SIGSTOP');
    const stoppedAt = performance.timeOrigin + performance.now();
    const detected = await events.waitFor('detected', 'n1', 2_000);
    expect(detected.reason).toMatch(/no answer to \/readyz within 60 ms/);
    expect(detected.at - stoppedAt).toBeLessThan(500);
  });
});
