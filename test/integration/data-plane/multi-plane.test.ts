// The balancer's workers (multi-plane.ts), on real threads and sockets. On this Node the fallback
// paths; several workers sharing one port need SO_REUSEPORT (Node ≥ 22.12), so their scenarios
// (multi-worker-scenarios.ts) run under such a Node: this one, or the official build fetched from
// the npm registry (test/support/recent-node.ts). Under CI=true a missing one fails the file.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MultiWorkerDataPlane, PlaneClient, askedWorkers, reusePortMissing } from '../../../electron/engine/data-plane/index';
import { BalancerSettings } from '../../../shared/contract/model';
import { EchoUpstream } from '../../support/echo-upstream';
import { recentNode } from '../../support/recent-node';
import { EventRecorder, request } from '../balancer/helpers';

const root = join(__dirname, '..', '..', '..');
const echoes: EchoUpstream[] = [];
const clients: PlaneClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(echoes.splice(0).map((e) => e.stop()));
});

async function start(workers: number, missing: string | null | undefined) {
  const upstream = await EchoUpstream.start({ id: 'a' });
  echoes.push(upstream);
  const settings = BalancerSettings.parse({ workers, health: { enabled: false } });
  const plane = new MultiWorkerDataPlane({ settings, ...(missing !== undefined ? { reusePortMissing: missing } : {}) });
  const client = new PlaneClient({ plane, listener: new EventRecorder(), settings });
  clients.push(client);
  await client.listen(0);
  await client.ensureLinks(new Map([['a', upstream.port]]));
  client.setUpstreams([{ id: 'a', port: client.balancerPort('a')! }]);
  await client.settled();
  return { plane, client };
}

describe('balancer workers', () => {
  it('asks one per core for auto, at least one and at most four; a number as it is', () => {
    expect(askedWorkers('auto', 2)).toBe(2);
    expect(askedWorkers('auto', 8)).toBe(4);
    expect(askedWorkers('auto', 0)).toBe(1);
    expect(askedWorkers(3, 8)).toBe(3);
    expect(askedWorkers(16, 2)).toBe(16);
  });

  it('knows which Node can share a port', () => {
    expect(reusePortMissing('20.20.2', 'linux')).toMatch(/Node 22\.12 or later; this is Node 20\.20\.2: running one/);
    expect(reusePortMissing('22.11.0', 'linux')).not.toBeNull();
    expect(reusePortMissing('22.12.0', 'linux')).toBeNull();
    expect(reusePortMissing('23.0.0', 'linux')).not.toBeNull();
    expect(reusePortMissing('23.1.0', 'linux')).toBeNull();
    expect(reusePortMissing('24.3.0', 'darwin')).toMatch(/not on darwin/);
  });

  it('where a port cannot be shared, runs one, serves, and says why', async () => {
    const { plane, client } = await start(2, 'no SO_REUSEPORT here: running one');
    expect(plane.planes).toHaveLength(1);
    expect(client.state().workers).toEqual({ asked: 2, running: 1, note: 'no SO_REUSEPORT here: running one' });
    expect((await request(client.url, { path: '/' })).status).toBe(200);
  });

  it("tries a second listener on this Node's word: it joins, or the refusal is the note", async () => {
    const { plane, client } = await start(2, null);
    const { workers } = client.state();
    if (reusePortMissing() === null) {
      expect(workers).toEqual({ asked: 2, running: 2, note: null });
    } else {
      // Node < 22.12 ignores reusePort: the second listen is refused, and the lab goes on with one.
      expect(workers.running).toBe(1);
      expect(workers.note).toMatch(/another balancer worker could not listen on port \d+ \(.*EADDRINUSE.*\): running 1/);
      expect(plane.planes).toHaveLength(1);
    }
    expect((await request(client.url, { path: '/' })).status).toBe(200);
  });

  it('several workers on one port (under a Node that has SO_REUSEPORT)', async (ctx) => {
    const node = recentNode(root);
    if ('missing' in node) {
      if (process.env.CI === 'true') throw new Error(`no Node with SO_REUSEPORT to run the scenarios: ${node.missing}`);
      ctx.skip();
      return;
    }
    const scenarios = join(__dirname, 'multi-worker-scenarios.ts');
    const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
      execFile(node.path, ['--import', 'tsx', scenarios], { cwd: root, timeout: 120_000, env: { ...process.env, NODE_NO_WARNINGS: '1' } }, (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
      );
    });
    expect(result.out).toMatch(/^ok {3}two workers share the port/m);
    expect(result.out.match(/^ok /gm)?.length, result.out).toBe(6);
    expect(result.code, result.out).toBe(0);
  }, 420_000);
});
