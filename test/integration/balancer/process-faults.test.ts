// The balancer in front of REAL bundled server processes, broken the way a drill breaks them:
// kill -9 (with and without the supervisor's exit notice) and SIGSTOP / SIGCONT, under a bounded
// open-loop load of 200 GET/s. Every process started here is stopped by its PID after each test.
import { afterEach, describe, expect, it } from 'vitest';
import { now } from '../../../electron/engine/clock';
import { useServers, type ServerHandle } from '../../support/server-harness';
import { openLoop, useLab } from './helpers';
import { sleep } from '../../../shared/sleep';

const servers = useServers();
const lab = useLab();
const stopped = new Set<number>();
afterEach(() => {
  // A frozen child must be thawed to die cleanly (useServers then SIGKILLs it by PID).
  for (const pid of stopped) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // already gone
    }
  }
  stopped.clear();
});

const EXIT_NOTICE_BOUND_MS = 150;

async function fleet(n = 3): Promise<ServerHandle[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => servers.started({ nodeId: `n${i + 1}`, dataDir: null, args: ['--role', 'stateless', '--watch-parent'] })));
}

describe('real processes behind the balancer', () => {
  it('kill -9 with the supervisor\'s exit notice: detected via exit within 150 ms even on a busy machine, 0 failed GETs', async () => {
    const nodes = await fleet();
    const { balancer, events } = await lab.balancer({ retry: { perTryTimeoutMs: 1_000 } });
    balancer.setUpstreams(nodes.map((s) => ({ id: s.nodeId, port: s.port })));
    const victim = nodes[1]!;
    victim.child!.once('exit', () => balancer.nodeExited(victim.nodeId, now())); // as the supervisor does
    let killedAt = 0;
    const load = openLoop(balancer.url, { rate: 200, durationMs: 3_000, path: '/kv/k', timeoutMs: 5_000 });
    await sleep(1_000);
    killedAt = now();
    process.kill(victim.pid!, 'SIGKILL');
    const result = await load;

    expect(result.failed).toEqual([]);
    expect(result.ok).toBe(600);
    // The exit notice comes through this process's own event loop (SIGCHLD, then 'exit'), so on a
    // busy machine it is as late as that loop: about 6 ms here when quiet, 52.5 ms once in a CI full
    // run with two suites on two cores. `via: 'exit'` is what this test is about; the bound only
    // catches a notice that is lost or waits on something else. The MTTD figure is `npm run bench`'s.
    const first = events.of('detected', victim.nodeId)[0]!;
    console.log(`exit notice: detected ${(first.at - killedAt).toFixed(1)} ms after the kill, via ${first.via}`);
    expect(first.at - killedAt).toBeGreaterThanOrEqual(0);
    expect(first.at - killedAt).toBeLessThan(EXIT_NOTICE_BOUND_MS);
    const exit = events.of('detected', victim.nodeId).find((e) => e.via === 'exit')!;
    expect(exit.at - killedAt).toBeLessThan(EXIT_NOTICE_BOUND_MS);
    expect(events.of('ejected', victim.nodeId)).toHaveLength(1);
    expect(balancer.snapshot().upstreams.find((u) => u.id === victim.nodeId)!.state).toBe('down');
    expect(result.byNode.get(victim.nodeId)).toBeGreaterThan(40); // it served its third until the kill (~66)
  });

  it('kill -9 with no exit notice: passive or active detection, retries keep 0 failed GETs', async () => {
    const nodes = await fleet();
    const { balancer, events } = await lab.balancer();
    balancer.setUpstreams(nodes.map((s) => ({ id: s.nodeId, port: s.port })));
    const victim = nodes[2]!;
    const load = openLoop(balancer.url, { rate: 200, durationMs: 3_000, path: '/kv/k', timeoutMs: 5_000 });
    await sleep(1_000);
    const killedAt = now();
    process.kill(victim.pid!, 'SIGKILL');
    const result = await load;

    expect(result.failed).toEqual([]);
    expect(result.ok).toBe(600);
    expect(result.retried).toBeGreaterThan(0);
    const detections = events.of('detected', victim.nodeId);
    expect(detections.length).toBeGreaterThan(0);
    expect(detections.every((d) => d.via === 'passive' || d.via === 'active')).toBe(true);
    // Connection refused on live traffic (3 in a row) or two failed probes 100 ms apart.
    expect(detections[0]!.at - killedAt).toBeLessThan(400);
    const state = balancer.snapshot().upstreams.find((u) => u.id === victim.nodeId)!.state;
    expect(state).toBe('ejected');
  });

  it('SIGSTOP: ejected within 500 ms by active checks, 0 failed GETs; SIGCONT: readmitted and served again', async () => {
    const nodes = await fleet();
    const { balancer, events } = await lab.balancer({ health: { intervalMs: 100, timeoutMs: 150, fall: 2, rise: 1 } });
    balancer.setUpstreams(nodes.map((s) => ({ id: s.nodeId, port: s.port })));
    const victim = nodes[0]!;
    const load = openLoop(balancer.url, { rate: 200, durationMs: 3_500, path: '/kv/k', timeoutMs: 5_000 });
    await sleep(800);
    const stoppedAt = now();
    process.kill(victim.pid!, 'SIGSTOP');
    stopped.add(victim.pid!);
    const ejected = await events.waitFor('ejected', victim.nodeId, 3_000);
    expect(ejected.at - stoppedAt).toBeLessThan(500);
    expect(events.of('detected', victim.nodeId).some((d) => d.via === 'active')).toBe(true);

    await sleep(1_200);
    const resumedAt = now();
    process.kill(victim.pid!, 'SIGCONT');
    stopped.delete(victim.pid!);
    const back = await events.waitFor('readmitted', victim.nodeId, 3_000, resumedAt);
    expect(back.via).toBe('active');
    const served = await events.waitFor('firstServed', victim.nodeId, 3_000, back.at);
    expect(served.at).toBeGreaterThanOrEqual(back.at);
    const result = await load;
    expect(result.failed).toEqual([]);
    expect(result.ok).toBe(700);
  });
});
