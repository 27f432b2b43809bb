// A fleet start waits for what it must and fails only for a real reason. Node ports are found by
// listening on port 0 and released before the nodes bind them: meanwhile any process on the
// machine listening on port 0 (the lab's own fault proxies first of all) may be given one.
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { FleetSpec, FleetSpecInput } from '../../../shared/contract/model';
import { FleetHarness, nodeScript } from './helpers';

const fakeServer = fileURLToPath(new URL('./fixtures/fake-server.mjs', import.meta.url));

let harness: FleetHarness | undefined;
const squatters: Server[] = [];
afterEach(async () => {
  await Promise.all(squatters.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  if (harness) expect(await harness.cleanup()).toEqual([]);
  harness = undefined;
});

/** Another program on the machine, listening on `port` and answering 200 to anything (a /readyz too). */
async function squat(port: number): Promise<{ requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    res.end('not yours');
  });
  squatters.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { requests };
}

describe('fleet start: ports', () => {
  it('the nodes’ ports are still held while the fault proxies are set up (nothing else can be given them)', async () => {
    const taken: number[] = [];
    harness = new FleetHarness({
      serverEntry: fakeServer,
      // What the lab does here: its proxies listen on port 0. Try to take the nodes' ports the way another listener would.
      beforeSpawn: async (ports) => {
        for (const port of ports.values()) {
          try {
            await squat(port);
            taken.push(port);
          } catch {
            // EADDRINUSE: held, as it should be
          }
        }
      },
    });
    const nodes = await harness.fleet.start({ nodes: [{ id: 'n1', kind: 'bundled', role: 'stateless' }, { id: 'n2', kind: 'bundled', role: 'stateless' }] } as FleetSpecInput as FleetSpec);
    expect(taken).toEqual([]);
    expect(nodes.map((n) => n.status)).toEqual(['ready', 'ready']);
  });

  it('a node whose port another process took meanwhile moves to a free one, instead of failing or taking the other’s answers for its own', async () => {
    harness = new FleetHarness({ serverEntry: fakeServer });
    const { fleet, recorder } = harness;
    const [first] = await fleet.start({ nodes: [{ id: 'n1', kind: 'bundled', role: 'stateless' }] } as FleetSpecInput as FleetSpec);
    const oldPort = first?.port as number;
    await fleet.stopNode('n1');
    const squatter = await squat(oldPort);

    const node = await fleet.startNode('n1');
    expect(node.status).toBe('ready');
    expect(node.port).not.toBe(oldPort);
    expect(recorder.events('node.port-moved', 'n1')[0]?.detail).toEqual({ from: oldPort, to: node.port, reason: `port ${oldPort} was taken by another process` });
    // Ours answers on the new port; the other program was never asked whether "we" are ready.
    expect((await fetch(`http://127.0.0.1:${node.port}/readyz`)).status).toBe(200);
    expect(squatter.requests).toEqual([]);
    expect(recorder.events('node.exited', 'n1').filter((e) => e.detail?.byLab === false)).toEqual([]);
  });

  it('a first attempt that fails is retried by the policy, and the start waits for it', async () => {
    harness = new FleetHarness();
    // Fails its first run (a marker file records it), then serves.
    const script = `const fs=require('fs'),m=process.argv[2]+'/tried';if(!fs.existsSync(m)){fs.writeFileSync(m,'');process.exit(1)}require('http').createServer((q,s)=>s.end('ok')).listen(+process.argv[1],'127.0.0.1')`;
    const spec: FleetSpecInput = { nodes: [{ id: 'n1', kind: 'command', ...nodeScript(script, '{port}', '{dataDir}'), healthPath: '/', restart: { policy: 'always', backoffInitialMs: 50 } }] };
    const [node] = await harness.fleet.start(spec as FleetSpec);
    expect(node?.status).toBe('ready');
    expect(harness.recorder.events('node.exited', 'n1')).toHaveLength(1);
    expect(harness.recorder.events('node.start-failed', 'n1')).toEqual([]);
  });
});

describe('fleet start: a failure says why', () => {
  it('a node that cannot start: crash-loop, and node.start-failed with its exit and last words', async () => {
    harness = new FleetHarness();
    const spec: FleetSpecInput = {
      nodes: [{ id: 'n1', kind: 'command', ...nodeScript("console.error('config.toml: no such file'); process.exit(3)"), healthPath: '/', restart: { backoffInitialMs: 10, crashLoopAfter: 3 } }],
    };
    const [node] = await harness.fleet.start(spec as FleetSpec);
    expect(node?.status).toBe('crash-loop');
    expect(harness.recorder.events('node.start-failed', 'n1').map((e) => e.detail)).toEqual([
      { status: 'crash-loop', reason: 'exited with code 3 before it was ready (config.toml: no such file)', attempts: 3 },
    ]);
  });

  it('the bundled server’s own exit reason is the last word', async () => {
    harness = new FleetHarness();
    await squat(0);
    const port = (squatters[0]?.address() as { port: number }).port;
    // The real server, given a port in use through a command node of its own command line.
    const spec: FleetSpecInput = {
      nodes: [
        {
          id: 'n1',
          kind: 'command',
          command: process.execPath,
          args: [fileURLToPath(new URL('../../../out/server/index.js', import.meta.url)), '--port', String(port), '--data', '{dataDir}', '--node-id', 'n1', '--role', 'stateless'],
          healthPath: '/readyz',
          restart: { policy: 'never' },
        },
      ],
    };
    const [node] = await harness.fleet.start(spec as FleetSpec);
    expect(node?.status).toBe('exited');
    expect(harness.recorder.events('node.start-failed', 'n1')[0]?.detail?.reason).toMatch(/^exited with code 1 before it was ready \(listen-failed: .*EADDRINUSE/);
  });
});
