import { afterEach, describe, expect, it } from 'vitest';
import type { LabSnapshot } from '../../../shared/contract/index.js';
import { isAlive, runCli, startServe, stopProcess, type RunningLab } from '../../support/cli.js';
import { makeTempDir, removeDir } from '../../support/temp.js';
import { sleep } from '../../../shared/sleep.js';

async function labState(lab: RunningLab): Promise<LabSnapshot> {
  const res = await fetch(`http://127.0.0.1:${lab.port}/api/state`, { headers: { authorization: `Bearer ${lab.token}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as LabSnapshot;
}

async function waitGone(pids: number[], withinMs: number): Promise<number[]> {
  const deadline = Date.now() + withinMs;
  let alive = pids.filter(isAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    await sleep(25);
    alive = alive.filter(isAlive);
  }
  return alive;
}

describe('firedrill CLI', () => {
  let lab: RunningLab | undefined;
  let runDir: string | undefined;

  afterEach(async () => {
    if (lab) await stopProcess(lab.child, 'SIGKILL');
    lab = undefined;
    await removeDir(runDir);
  });

  it('prints help, and exits 2 with one line on a bad flag or value', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('serve');
    const serveHelp = await runCli(['serve', '--help']);
    expect(serveHelp.code).toBe(0);
    expect(serveHelp.stdout).toContain('--port');
    const badFlag = await runCli(['serve', '--bogus']);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr.trim().split('\n')).toHaveLength(1);
    expect(badFlag.stderr).toContain('--bogus');
    const badPort = await runCli(['serve', '--port', 'abc']);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('--port');
    const unknown = await runCli(['explode']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('explode');
  });

  it('names the file, line and field of a bad fleet file, exit 2', async () => {
    runDir = await makeTempDir('fd-cli-');
    const file = `${runDir}/fleet.yaml`;
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, 'name: bad\nnodes:\n  - id: n1\n    kind: bundled\n    role: leader\n');
    const result = await runCli(['serve', '--fleet', file, '--run-dir', runDir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}:5:`);
    expect(result.stderr).toContain('role');
  });

  it('serves the default fleet on 127.0.0.1 and stops every child on SIGTERM', async () => {
    runDir = await makeTempDir('fd-cli-');
    lab = await startServe(['--run-dir', runDir]);
    expect(lab.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+$/);
    const state = await labState(lab);
    expect(state.topology?.kind).toBe('hot-standby');
    expect(state.nodes.map((n) => [n.id, n.role, n.status])).toEqual([
      ['p1', 'primary', 'ready'],
      ['s1', 'standby', 'ready'],
    ]);
    expect(state.balancer.upstreams.map((u) => [u.id, u.state])).toEqual([['p1', 'in-rotation']]);
    const pids = state.nodes.map((n) => n.pid as number);
    const exit = await stopProcess(lab.child, 'SIGTERM');
    expect(exit.code).toBe(0);
    expect(await waitGone(pids, 500)).toEqual([]);
    lab = undefined;
  });

  it('leaves no node alive 2 s after the engine is killed with SIGKILL', async () => {
    runDir = await makeTempDir('fd-cli-');
    lab = await startServe(['--run-dir', runDir]);
    const pids = (await labState(lab)).nodes.map((n) => n.pid as number);
    expect(pids.every(isAlive)).toBe(true);
    await stopProcess(lab.child, 'SIGKILL');
    lab = undefined;
    expect(await waitGone(pids, 2_000)).toEqual([]);
  });

  it('after a kill -9 of the engine with faults active, the next start reverts the journal and says so', async () => {
    runDir = await makeTempDir('fd-cli-');
    lab = await startServe(['--run-dir', runDir, '--topology', 'active-active']);
    const post = (path: string, body: unknown) =>
      fetch(`http://127.0.0.1:${(lab as RunningLab).port}/api/commands/${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${(lab as RunningLab).token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post('fault.inject', { type: 'pause', target: 'a1' })).status).toBe(200);
    expect((await post('fault.inject', { type: 'latency', target: 'a2', attributes: { latency: 100 } })).status).toBe(200);
    await stopProcess(lab.child, 'SIGKILL');
    lab = await startServe(['--run-dir', runDir, '--topology', 'active-active']);
    await sleep(200);
    expect(lab.stderr()).toContain('taken back');
    expect(lab.stderr()).toMatch(/pause/);
    const state = await labState(lab);
    expect(state.timeline.some((e) => e.kind === 'faults.journal-recovered')).toBe(true);
    expect(state.faults.filter((f) => f.status === 'active')).toEqual([]);
    // A second start finds nothing left to undo.
    await stopProcess(lab.child, 'SIGTERM');
    lab = await startServe(['--run-dir', runDir, '--topology', 'active-active']);
    await sleep(200);
    expect(lab.stderr()).not.toContain('taken back');
  });
});
