// Bring your own service: the README's own fleet file, read from the README itself, run through
// the real lab and balancer — two bundled KV nodes and a `python3 -m http.server` probed on its
// own `healthPath: /` (not the bundled server's /readyz, which python answers 404). Requests get
// answers, not 503s; a kill -9 of the python node ejects it, and its restart is readmitted.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadFleetFile } from '../../../electron/engine/fleet/index';
import { startLab, waitFor, type LabUnderTest } from '../../support/lab-client';
import { makeTempDir, removeDir } from '../../support/temp';
import { sleep } from '../../../shared/sleep';

const python = spawnSync('python3', ['--version']).status === 0;
let t: LabUnderTest | undefined;
let dir: string | undefined;

afterEach(async () => {
  await t?.close();
  await removeDir(dir);
  t = undefined;
  dir = undefined;
});

/** The ```yaml block under "### A fleet file" in the top-level README. */
function readmeFleetYaml(): string {
  const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
  const section = readme.split(/^### A fleet file$/m)[1];
  const block = section?.match(/```yaml\n([\s\S]*?)```/)?.[1];
  if (!block) throw new Error('README.md has no ```yaml block under "### A fleet file"');
  return block;
}

async function get(url: string): Promise<{ status: number; node: string | null }> {
  const response = await fetch(url);
  await response.arrayBuffer();
  return { status: response.status, node: response.headers.get('x-firedrill-node') };
}

describe.runIf(python && process.platform !== 'win32')('the README fleet file (bring your own service)', () => {
  it('answers through the balancer; a killed python node is ejected, and readmitted once restarted', { timeout: 60_000 }, async () => {
    dir = await makeTempDir('fd-byo-');
    const file = join(dir, 'my-fleet.yaml');
    writeFileSync(file, readmeFleetYaml());
    const fleet = loadFleetFile(file);
    expect(fleet.nodes.find((n) => n.id === 'web')).toMatchObject({ kind: 'command', command: 'python3', healthPath: '/' });
    t = await startLab({ fleet });
    const { lab } = t;
    const state = await t.state();
    expect(state.nodes.map((n) => [n.id, n.status])).toEqual([
      ['kv1', 'ready'],
      ['kv2', 'ready'],
      ['web', 'ready'],
    ]);

    // Probes ask each node its own question: web stays in rotation (the old code ejected it for its 404 to /readyz).
    await sleep(600);
    const upstreams = () => lab.snapshot().balancer.upstreams.map((u) => [u.id, u.state]);
    expect(upstreams()).toEqual([
      ['kv1', 'in-rotation'],
      ['web', 'in-rotation'],
    ]);
    const answers = await Promise.all(Array.from({ length: 20 }, () => get(`${lab.balancerUrl}/`)));
    expect(answers.filter((a) => a.status >= 500)).toEqual([]);
    const fromWeb = answers.filter((a) => a.node === 'web');
    expect(fromWeb.length).toBeGreaterThanOrEqual(5);
    expect(fromWeb.every((a) => a.status === 200)).toBe(true);

    // kill -9 of the python process: out of rotation at once, back once its own probe passes again.
    const pid = state.nodes.find((n) => n.id === 'web')?.pid as number;
    process.kill(pid, 'SIGKILL');
    await waitFor('web ejected', () => t!.timeline.find((e) => e.kind === 'balancer.ejected' && e.nodeId === 'web'), 5_000);
    const readmitted = await waitFor('web readmitted', () => t!.timeline.find((e) => e.kind === 'balancer.readmitted' && e.nodeId === 'web'), 15_000);
    expect(readmitted.detail).toMatchObject({ via: 'active' });
    expect(lab.snapshot().nodes.find((n) => n.id === 'web')).toMatchObject({ status: 'ready', restarts: 1 });
    const after = await Promise.all(Array.from({ length: 10 }, () => get(`${lab.balancerUrl}/`)));
    expect(after.filter((a) => a.status >= 500)).toEqual([]);
    expect(after.filter((a) => a.node === 'web').every((a) => a.status === 200)).toBe(true);
    expect(t.timeline.filter((e) => e.kind === 'balancer.detected' && e.nodeId === 'kv1')).toEqual([]);
  });

  it('a command node without a healthPath is not probed: it serves, and its restart is readmitted at once', { timeout: 60_000 }, async () => {
    t = await startLab({
      fleet: {
        name: 'no health path',
        nodes: [{ id: 'web', kind: 'command', command: 'python3', args: ['-m', 'http.server', '{port}', '--bind', '127.0.0.1'], readyTimeoutMs: 10_000 }],
      },
    });
    const { lab } = t;
    // Ready once spawned (nothing to ask): give python a moment to listen.
    const served = await waitFor('python to answer', async () => ((await get(`${lab.balancerUrl}/`)).status === 200 ? true : undefined), 10_000);
    expect(served).toBe(true);
    await sleep(400);
    expect(lab.snapshot().balancer.upstreams.map((u) => [u.id, u.state])).toEqual([['web', 'in-rotation']]);
    expect(t.timeline.filter((e) => e.kind === 'balancer.detected' && e.detail.via === 'active')).toEqual([]);
    process.kill(lab.snapshot().nodes[0]?.pid as number, 'SIGKILL');
    const readmitted = await waitFor('web readmitted', () => t!.timeline.find((e) => e.kind === 'balancer.readmitted' && e.nodeId === 'web'), 10_000);
    expect(readmitted.detail).toMatchObject({ via: 'lab' });
  });
});
