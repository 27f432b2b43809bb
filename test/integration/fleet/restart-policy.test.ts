import { afterEach, describe, expect, it } from 'vitest';
import type { FleetSpecInput, FleetSpec, RestartPolicy } from '../../../shared/contract/model';
import { FleetHarness, nodeScript } from './helpers';
import { sleep } from '../../../shared/sleep';

// Serves {port} (so readiness is real) and exits with CODE when sent SIGUSR2: an exit on demand.
const EXIT_ON_USR2 =
  "const code = Number(process.argv[1]); process.on('SIGUSR2', () => process.exit(code));" +
  "require('http').createServer((q, s) => s.end('ok')).listen(Number(process.argv[2]), '127.0.0.1');";

function policyNode(id: string, policy: RestartPolicy, code: number) {
  return {
    id,
    kind: 'command' as const,
    ...nodeScript(EXIT_ON_USR2, String(code), '{port}'),
    healthPath: '/',
    restart: { policy, backoffInitialMs: 20, backoffMaxMs: 20, crashLoopAfter: 5, quickFailureMs: 2000 },
  };
}

let harness: FleetHarness | undefined;
afterEach(async () => {
  if (harness) expect(await harness.cleanup()).toEqual([]);
  harness = undefined;
});

describe('restart policies', () => {
  it('always restarts after exit 0 and kill -9; on-failure only after a failure; never never', async () => {
    harness = new FleetHarness();
    const { fleet, recorder } = harness;
    const spec: FleetSpecInput = {
      nodes: [
        policyNode('always-0', 'always', 0),
        policyNode('always-kill', 'always', 0),
        policyNode('onfail-0', 'on-failure', 0),
        policyNode('onfail-1', 'on-failure', 1),
        policyNode('onfail-kill', 'on-failure', 0),
        policyNode('never-1', 'never', 1),
        policyNode('never-kill', 'never', 0),
      ],
    };
    const started = await fleet.start(spec as FleetSpec);
    expect(started.map((n) => n.status)).toEqual(Array(7).fill('ready'));
    expect(fleet.status).toBe('running');
    const pid = (id: string): number => fleet.node(id)?.pid as number;

    for (const id of ['always-0', 'onfail-0', 'onfail-1', 'never-1']) process.kill(pid(id), 'SIGUSR2');
    for (const id of ['always-kill', 'onfail-kill', 'never-kill']) process.kill(pid(id), 'SIGKILL');

    for (const id of ['always-0', 'always-kill', 'onfail-1', 'onfail-kill']) {
      await recorder.nth('node.ready', id, 1);
      const node = fleet.node(id);
      expect(node?.status, id).toBe('ready');
      expect(node?.restarts, id).toBe(1);
      expect(recorder.events('node.restart-scheduled', id).map((e) => e.detail?.delayMs)).toEqual([20]);
    }
    expect(fleet.node('always-0')?.lastExit).toMatchObject({ code: 0, signal: null, byLab: false });
    expect(fleet.node('always-kill')?.lastExit).toMatchObject({ code: null, signal: 'SIGKILL', byLab: false });
    expect(fleet.node('onfail-1')?.lastExit).toMatchObject({ code: 1, signal: null });
    expect(fleet.node('onfail-kill')?.lastExit).toMatchObject({ signal: 'SIGKILL' });

    // Those that must not restart: exited, and still so well after their 20 ms backoff would have fired.
    for (const id of ['onfail-0', 'never-1', 'never-kill']) await recorder.nth('node.exited', id, 0);
    await sleep(300);
    for (const id of ['onfail-0', 'never-1', 'never-kill']) {
      const node = fleet.node(id);
      expect(node?.status, id).toBe('exited');
      expect(node?.restarts, id).toBe(0);
      expect(node?.pid, id).toBeNull();
      expect(recorder.events('node.starting', id)).toHaveLength(1);
      expect(recorder.events('node.restart-scheduled', id)).toHaveLength(0);
    }
    expect(fleet.node('never-kill')?.lastExit).toMatchObject({ signal: 'SIGKILL', byLab: false });

    // The status flow of a restarted node, as the listener saw it.
    const flow = recorder.changes.filter((n) => n.id === 'always-kill').map((n) => n.status);
    expect(flow).toEqual(['starting', 'ready', 'backoff', 'starting', 'ready']);
  });

  it('stopNode stops without a restart; startNode and restartNode bring it back; bad ids and states are refused', async () => {
    harness = new FleetHarness();
    const { fleet, recorder } = harness;
    await fleet.start({ nodes: [policyNode('a', 'always', 0)] } as FleetSpecInput as FleetSpec);
    const firstPid = fleet.node('a')?.pid;

    const stopped = await fleet.stopNode('a', 1000);
    expect(stopped).toMatchObject({ status: 'stopped', pid: null, restarts: 0 });
    expect(stopped.lastExit).toMatchObject({ byLab: true, signal: 'SIGTERM' });
    expect(recorder.events('node.exited', 'a')[0]?.detail).toMatchObject({ byLab: true, pid: firstPid });
    expect(recorder.events('node.stopped', 'a')).toHaveLength(1);
    await sleep(100);
    expect(fleet.node('a')?.status).toBe('stopped');

    const again = await fleet.startNode('a');
    expect(again.status).toBe('ready');
    expect(again.pid).not.toBe(firstPid);
    await expect(fleet.startNode('a')).rejects.toMatchObject({ code: 'conflict' });
    await expect(fleet.startNode('nope')).rejects.toMatchObject({ code: 'not-found' });
    await expect(fleet.stopNode('nope')).rejects.toMatchObject({ code: 'not-found' });
    expect(() => fleet.logs('nope')).toThrow(expect.objectContaining({ code: 'not-found' }));

    const restarted = await fleet.restartNode('a', 1000);
    expect(restarted.status).toBe('ready');
    expect(restarted.pid).not.toBe(again.pid);
    expect(restarted.port).toBe(stopped.port); // a node keeps its port across restarts

    await fleet.stop(1000);
    expect(fleet.status).toBe('stopped');
    expect(fleet.nodes().map((n) => n.status)).toEqual(['stopped']);
    expect(recorder.events('fleet.stopped')).toHaveLength(1);
    await expect(fleet.startNode('a')).rejects.toMatchObject({ code: 'conflict' });
  });

  it('rejects a bad spec and a second start', async () => {
    harness = new FleetHarness();
    const { fleet } = harness;
    await expect(fleet.start({ nodes: [] } as unknown as FleetSpec)).rejects.toMatchObject({ code: 'invalid-params' });
    const badReplica = { nodes: [{ id: 'p', kind: 'bundled', server: { replicas: ['ghost'] } }] } as FleetSpecInput;
    await expect(fleet.start(badReplica as FleetSpec)).rejects.toMatchObject({
      code: 'invalid-params',
      field: 'fleet.nodes.0.server.replicas.0',
    });
    expect(fleet.status).toBe('stopped');
    await fleet.start({ nodes: [policyNode('a', 'never', 0)] } as FleetSpecInput as FleetSpec);
    await expect(fleet.start({ nodes: [policyNode('b', 'never', 0)] } as FleetSpecInput as FleetSpec)).rejects.toMatchObject({
      code: 'conflict',
    });
  });
});
