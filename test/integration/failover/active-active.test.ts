// Active-active: nothing to promote; the balancer's upstreams follow the fleet (exit → nodeExited at
// once, restart → nodeStarted), and a kill -9 from outside is an incident all the same.
import { afterEach, describe, expect, it } from 'vitest';
import { FailoverLab } from './harness';

let lab: FailoverLab | undefined;
afterEach(async () => {
  if (lab) expect(await lab.cleanup()).toEqual([]);
  lab = undefined;
});

describe('active-active', () => {
  it('routes to every ready stateless node; an exit is passed on at once and the restart after it', async () => {
    lab = new FailoverLab({ kind: 'active-active', nodes: 3, replication: 'sync', restart: { backoffInitialMs: 30 } });
    const l = lab;
    const nodes = await l.start();
    expect(nodes.map((n) => [n.id, n.role, n.status])).toEqual([
      ['a1', 'stateless', 'ready'],
      ['a2', 'stateless', 'ready'],
      ['a3', 'stateless', 'ready'],
    ]);
    expect(l.balancer.calls).toEqual([{ op: 'setUpstreams', targets: nodes.map((n) => ({ id: n.id, port: n.port })) }]);

    process.kill(l.node('a2').pid as number, 'SIGKILL');
    await l.waitFor(() => l.events('node.ready', 'a2')[1], 10_000, 'a2 restarted');
    expect(l.balancer.calls.slice(1)).toEqual([
      { op: 'nodeExited', id: 'a2' },
      { op: 'nodeStarted', id: 'a2' },
    ]);
    expect(l.events('failover.started')).toEqual([]);
    // The restart's readiness is `restored`; recovery waits for the balancer's first response from it.
    const [incident] = l.tracker.incidents();
    expect(incident).toMatchObject({ nodeId: 'a2', cause: 'exit', detectedVia: 'exit', open: true, mttdMs: 0 });
    const stages = Object.entries(incident!.stages).sort(([, a], [, b]) => a - b).map(([stage]) => stage);
    expect(stages).toEqual(['observed', 'detected', 'restarted', 'restored']);
  });
});
