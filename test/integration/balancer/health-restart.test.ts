// A node restarting answers its probes 503 while it restores. Probes sent to it then may come back
// after the supervisor reported the new process ready (nodeStarted): they judge the process that
// was restoring, not the one that is ready, and must not eject it (in a lab: a failover nobody
// asked for — the flaky `corrupt-newest-checkpoint` drill: "/readyz answered 503" right after
// node.ready, and the primary was fenced).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Balancer } from '../../../electron/engine/balancer/index';
import { now } from '../../../electron/engine/clock';
import { EventRecorder } from './helpers';
import { sleep } from '../../../shared/sleep';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A node on a real socket, answered by `handler`, and a balancer probing it with `health`; both closed after the test. */
async function probed(handler: http.RequestListener, health: { intervalMs: number; timeoutMs: number; rise: number; fall: number }): Promise<{ balancer: Balancer; recorder: EventRecorder }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  server.on('connection', (socket) => closers.push(async () => void socket.destroy()));
  const recorder = new EventRecorder();
  const balancer = new Balancer({ listener: recorder });
  closers.push(() => balancer.close());
  balancer.setSettings({ health });
  balancer.setUpstreams([{ id: 'n1', port: (server.address() as AddressInfo).port }]);
  return { balancer, recorder };
}

describe('active checks across a restart', () => {
  it('a probe sent while the node restored, answered after nodeStarted, does not count', async () => {
    let restoring = true;
    // While restoring: /readyz answers 503, slowly (a busy restore); once ready: 200 at once.
    const { balancer, recorder } = await probed(
      (req, res) => {
        if (!restoring) return res.end('ready');
        setTimeout(() => {
          res.statusCode = 503;
          res.end('not ready');
        }, 300);
      },
      { intervalMs: 50, timeoutMs: 1_000, rise: 1, fall: 2 },
    );

    balancer.nodeExited('n1', now());
    // Let several 503s fall due (the node is down: seen failing, as it should be) and more go out.
    await sleep(500);
    restoring = false;
    const startedAt = now();
    balancer.nodeStarted('n1');
    await recorder.waitFor('readmitted', 'n1', 2_000);
    // The 503s still out arrive over the next 300 ms.
    await sleep(600);
    const after = recorder.events.filter((e) => e.at >= startedAt && (e.kind === 'detected' || e.kind === 'ejected'));
    expect(after, JSON.stringify(recorder.events)).toEqual([]);
    expect(balancer.snapshot().upstreams[0]).toMatchObject({ id: 'n1', state: 'in-rotation' });
  });

  it('turning the checks off while probes are out: they judge nothing, the node stays in rotation (and is routed to)', async () => {
    // /readyz answers after 200 ms and a probe goes out every 20 ms: about ten are out at any time.
    const { balancer, recorder } = await probed(
      (req, res) => {
        if (req.url === '/readyz') setTimeout(() => res.end('ready'), 200);
        else res.end('ok');
      },
      { intervalMs: 20, timeoutMs: 1_000, rise: 1, fall: 1 },
    );
    const port = await balancer.listen(0);
    await sleep(300); // the first answers have come back; more are out

    const offAt = now();
    balancer.setSettings({ health: { enabled: false } });
    await sleep(400); // every probe that was out has failed (its pool destroyed) or been answered
    const after = recorder.events.filter((e) => e.at >= offAt && (e.kind === 'detected' || e.kind === 'ejected'));
    expect(after, JSON.stringify(after)).toEqual([]);
    expect(balancer.snapshot().upstreams[0]).toMatchObject({ id: 'n1', state: 'in-rotation' });
    const answer = await fetch(`http://127.0.0.1:${port}/kv/k`);
    expect(answer.status).toBe(200);
  });
});
