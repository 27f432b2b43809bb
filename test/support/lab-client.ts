import { ContractClient, createMemoryTransportPair, type Incident, type LabSnapshot, type TimelineEvent } from '../../shared/contract/index.js';
import { Lab, type LabOptions } from '../../electron/engine/lab.js';
import { makeTempDir, removeDir } from './temp.js';
import { sleep } from '../../shared/sleep.js';

/** A real lab (real processes, real balancer) driven through the contract, as the UI drives it. */
export interface LabUnderTest {
  lab: Lab;
  client: ContractClient;
  timeline: TimelineEvent[];
  incidents: Map<string, Incident>;
  state(): Promise<LabSnapshot>;
  close(): Promise<void>;
}

export async function startLab(options: Omit<LabOptions, 'runDir'>): Promise<LabUnderTest> {
  process.env.FIREDRILL_CHECK_EVENTS = '1';
  const runDir = await makeTempDir('fd-lab-');
  const lab = await Lab.create({ ...options, runDir });
  const [engineSide, uiSide] = createMemoryTransportPair();
  lab.host.connect(engineSide);
  const client = new ContractClient(uiSide, { timeoutMs: 60_000 });
  const timeline: TimelineEvent[] = [];
  const incidents = new Map<string, Incident>();
  client.on('timeline.event', (e) => timeline.push(e));
  client.on('incident.changed', (i) => incidents.set(i.id, i));
  await client.request('lab.state', {}); // subscriptions are in place once this is answered
  await withWorkers(client);
  return {
    lab,
    client,
    timeline,
    incidents,
    state: () => client.request('lab.state', {}),
    close: async () => {
      client.close();
      await lab.dispose();
      await removeDir(runDir);
    },
  };
}

/**
 * FIREDRILL_TEST_WORKERS=N (scripts/test-workers.ts, under a Node with SO_REUSEPORT): the lab runs N
 * balancer workers, checked, so a test that passes there passed with them.
 */
async function withWorkers(client: ContractClient): Promise<void> {
  const asked = Number(process.env.FIREDRILL_TEST_WORKERS ?? '');
  if (!Number.isInteger(asked) || asked < 1) return;
  await client.request('balancer.set', { workers: asked });
  const state = await waitFor(`${asked} balancer workers`, async () => {
    const { balancer } = await client.request('lab.state', {});
    return balancer.workers.running === asked || balancer.workers.note !== null ? balancer : undefined;
  });
  if (state.workers.running !== asked) throw new Error(`FIREDRILL_TEST_WORKERS=${asked}: the lab runs ${state.workers.running}: ${state.workers.note}`);
}

export function pidOf(state: LabSnapshot, id: string): number {
  const pid = state.nodes.find((n) => n.id === id)?.pid;
  if (!pid) throw new Error(`node ${id} has no pid`);
  return pid;
}

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}
