import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { FleetSpec, FleetSpecInput, NodeSnapshot } from '../../../shared/contract/model';
import { serverEntry } from '../../../electron/engine/app-paths';
import { FleetHarness } from './helpers';

const fakeServer = fileURLToPath(new URL('./fixtures/fake-server.mjs', import.meta.url));
const realServerBuilt = existsSync(serverEntry());

const threeNodes: FleetSpecInput = {
  nodes: [
    { id: 'primary', kind: 'bundled', role: 'primary', server: { replicas: ['standby-1', 'standby-2'], replication: 'sync' } },
    { id: 'standby-1', kind: 'bundled', role: 'standby' },
    { id: 'standby-2', kind: 'bundled', role: 'standby' },
  ],
};

let harness: FleetHarness | undefined;
const savedEnv = process.env.FAKE_READY;
afterEach(async () => {
  if (savedEnv === undefined) delete process.env.FAKE_READY;
  else process.env.FAKE_READY = savedEnv;
  if (harness) expect(await harness.cleanup()).toEqual([]);
  harness = undefined;
});

function commandLine(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

function flagValue(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function expectThreeReadyWithReplicas(nodes: NodeSnapshot[], harness: FleetHarness): Promise<void> {
  expect(nodes.map((n) => [n.id, n.status, n.kind])).toEqual([
    ['primary', 'ready', 'bundled'],
    ['standby-1', 'ready', 'bundled'],
    ['standby-2', 'ready', 'bundled'],
  ]);
  const [primary, s1, s2] = nodes as [NodeSnapshot, NodeSnapshot, NodeSnapshot];
  expect(new Set(nodes.map((n) => n.port)).size).toBe(3);
  expect(nodes.map((n) => n.role)).toEqual(['primary', 'standby', 'standby']);
  const argv = commandLine(primary.pid as number);
  expect(flagValue(argv, '--replicas')).toBe(`127.0.0.1:${s1.port},127.0.0.1:${s2.port}`);
  expect(flagValue(argv, '--port')).toBe(String(primary.port));
  expect(flagValue(argv, '--data')).toBe(primary.dataDir);
  expect(flagValue(argv, '--node-id')).toBe('primary');
  expect(flagValue(argv, '--role')).toBe('primary');
  expect(argv).toContain('--watch-parent');
  expect(flagValue(commandLine(s1.pid as number), '--replicas')).toBeUndefined();
  expect(primary.dataDir).toBe(`${harness.runDir}/nodes/primary`);
  expect(existsSync(s2.dataDir)).toBe(true);
  for (const node of nodes) {
    const ready = harness.recorder.events('node.ready', node.id)[0];
    expect(ready?.detail?.pid).toBe(node.pid);
    expect(ready?.detail?.startMs).toBeGreaterThan(0);
    const response = await fetch(`http://127.0.0.1:${node.port}/readyz`);
    expect(response.status).toBe(200);
  }
}

describe('bundled nodes (stand-in server)', () => {
  it('a 3-node fleet starts, all ready, replicas resolved to the standbys’ ports', async () => {
    harness = new FleetHarness({ serverEntry: fakeServer });
    const nodes = await harness.fleet.start(threeNodes as FleetSpec);
    await expectThreeReadyWithReplicas(nodes, harness);
    expect(harness.recorder.events('fleet.started')[0]?.detail).toMatchObject({ nodes: 3, ready: 3 });
  });

  it('is ready from the server.ready log line alone, or from /readyz alone', async () => {
    for (const mode of ['log-only', 'probe-only']) {
      process.env.FAKE_READY = mode;
      const h = new FleetHarness({ serverEntry: fakeServer });
      harness = h;
      const [node] = await h.fleet.start({ nodes: [{ id: 'solo', kind: 'bundled', readyTimeoutMs: 5000 }] } as FleetSpecInput as FleetSpec);
      expect(node?.status, mode).toBe('ready');
      expect(await h.cleanup()).toEqual([]);
      harness = undefined;
    }
  });

  it('a bundled node restarts on the same port after kill -9', async () => {
    harness = new FleetHarness({ serverEntry: fakeServer });
    const { fleet, recorder } = harness;
    const [node] = await fleet.start({ nodes: [{ id: 'solo', kind: 'bundled', restart: { backoffInitialMs: 10 } }] } as FleetSpecInput as FleetSpec);
    process.kill(node?.pid as number, 'SIGKILL');
    await recorder.nth('node.ready', 'solo', 1);
    expect(fleet.node('solo')).toMatchObject({ status: 'ready', restarts: 1, port: node?.port });
    expect((await fetch(`http://127.0.0.1:${node?.port}/readyz`)).status).toBe(200);
  });
});

describe.skipIf(!realServerBuilt)('bundled nodes (the real out/server)', () => {
  it('a 3-node fleet starts, all ready, replicas resolved to the standbys’ ports', async () => {
    harness = new FleetHarness();
    const nodes = await harness.fleet.start(threeNodes as FleetSpec);
    await expectThreeReadyWithReplicas(nodes, harness);
    const logs = harness.fleet.logs('primary');
    expect(logs.some((l) => l.text.includes('"server.ready"'))).toBe(true);
  });
});
