// Your own service: the README's fleet of three Debian nginx, read from the README itself, run by the
// real lab: all three ready and in rotation, answers through the balancer from each; a kill -9 of
// one under traffic ejects it with no failed GET (retries on), its restart is readmitted; and a drill
// runs on this fleet through `firedrill run --fleet`, with the same consent rules as `serve --fleet`.
// Without nginx the suite is skipped, except under CI=true, where a missing nginx fails it.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DrillReport } from '../../../shared/report/model';
import { loadFleetFile } from '../../../electron/engine/fleet/index';
import { cliEntry } from '../../support/cli';
import { pidOf, startLab, waitFor, type LabUnderTest } from '../../support/lab-client';
import { makeTempDir, removeDir } from '../../support/temp';
import { sleep } from '../../../shared/sleep';

// Where the README's script looks for it: PATH, then /usr/sbin (outside a user's PATH on Debian).
const nginx = spawnSync('sh', ['-c', 'PATH="$PATH:/usr/sbin:/usr/local/sbin"; command -v nginx']).status === 0;
const ci = process.env.CI === 'true';
if (!nginx && !ci) console.warn('nginx-fleet: SKIPPED: no nginx found (apt-get install nginx)');

const root = (path: string): string => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

/** The ```yaml block under "### Your own service: nginx" in the top-level README. */
function readmeNginxFleet(): string {
  const section = readFileSync(root('README.md'), 'utf8').split(/^### Your own service: nginx$/m)[1];
  const block = section?.match(/```yaml\n([\s\S]*?)```/)?.[1];
  if (!block) throw new Error('README.md has no ```yaml block under "### Your own service: nginx"');
  return block;
}

async function get(url: string): Promise<{ status: number; node: string | null; body: string }> {
  const response = await fetch(url);
  return { status: response.status, node: response.headers.get('x-firedrill-node'), body: await response.text() };
}

describe.skipIf(!nginx && !ci)('a fleet of three nginx (the README example)', () => {
  let dir = '';
  let fleetFile = '';
  let t: LabUnderTest | undefined;

  beforeAll(async () => {
    if (!nginx) throw new Error('no nginx found, and CI=true: apt-get install nginx');
    dir = await makeTempDir('fd-nginx-');
    fleetFile = join(dir, 'nginx-fleet.yaml');
    writeFileSync(fleetFile, readmeNginxFleet());
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });
  afterAll(() => removeDir(dir));

  it('serves from all three; a kill -9 of one fails no GET, and its restart is readmitted', { timeout: 60_000 }, async () => {
    const fleet = loadFleetFile(fleetFile);
    expect(fleet.nodes.map((n) => [n.id, n.kind, n.kind === 'command' ? n.command : '', n.kind === 'command' ? n.healthPath : ''])).toEqual([
      ['web1', 'command', 'sh', '/healthz'],
      ['web2', 'command', 'sh', '/healthz'],
      ['web3', 'command', 'sh', '/healthz'],
    ]);
    t = await startLab({ fleet });
    const { lab } = t;
    const state = await t.state();
    expect(state.nodes.map((n) => [n.id, n.status])).toEqual([
      ['web1', 'ready'],
      ['web2', 'ready'],
      ['web3', 'ready'],
    ]);
    // The processes are nginx itself (the script exec'd it), on the ports the lab gave them.
    for (const node of state.nodes) expect(readFileSync(`/proc/${node.pid}/comm`, 'utf8').trim()).toBe('nginx');
    // The copy of the data plane's states arrives a message after the targets go in (it runs on its own thread).
    await waitFor('all three in rotation', () => (lab.snapshot().balancer.upstreams.length === 3 && lab.snapshot().balancer.upstreams.every((u) => u.state === 'in-rotation')) || undefined, 5_000);
    expect(lab.snapshot().balancer.upstreams.map((u) => u.id)).toEqual(['web1', 'web2', 'web3']);
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => get(`${lab.balancerUrl}/${i % 2 === 0 ? 'index.html' : 'kv/some-key'}`)));
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(new Set(answers.map((a) => a.node))).toEqual(new Set(['web1', 'web2', 'web3']));
    for (const a of answers) {
      const port = state.nodes.find((n) => n.id === a.node)?.port;
      expect(a.body).toBe(`served by nginx on port ${port}\n`);
    }

    // kill -9 of web2 under a steady stream of GETs: ejected, restarted, readmitted, and no GET failed.
    const failed: number[] = [];
    let sent = 0;
    let stop = false;
    const stream = (async () => {
      while (!stop) {
        const batch = await Promise.all(Array.from({ length: 5 }, () => get(`${lab.balancerUrl}/index.html`).catch(() => ({ status: 0, node: null, body: '' }))));
        sent += batch.length;
        for (const a of batch) if (a.status !== 200) failed.push(a.status);
        await sleep(10);
      }
    })();
    await sleep(300);
    const pid = pidOf(await t.state(), 'web2');
    process.kill(pid, 'SIGKILL');
    await waitFor('web2 ejected', () => t!.timeline.find((e) => e.kind === 'balancer.ejected' && e.nodeId === 'web2'), 5_000);
    const readmitted = await waitFor('web2 readmitted', () => t!.timeline.find((e) => e.kind === 'balancer.readmitted' && e.nodeId === 'web2'), 15_000);
    await sleep(300);
    stop = true;
    await stream;
    expect(sent).toBeGreaterThan(50);
    expect(failed).toEqual([]);
    expect(readmitted.detail).toMatchObject({ via: 'active' });
    const web2 = lab.snapshot().nodes.find((n) => n.id === 'web2');
    expect(web2).toMatchObject({ status: 'ready', restarts: 1 });
    expect(web2?.pid).not.toBe(pid);
    expect(lab.snapshot().balancer.upstreams.map((u) => [u.id, u.state])).toEqual([
      ['web1', 'in-rotation'],
      ['web2', 'in-rotation'],
      ['web3', 'in-rotation'],
    ]);
    const after = await Promise.all(Array.from({ length: 15 }, () => get(`${lab.balancerUrl}/index.html`)));
    expect(after.filter((a) => a.node === 'web2' && a.status === 200).length).toBeGreaterThan(0);
  });

  const cli = (args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [cliEntry, ...args], {
        env: { ...process.env, FIREDRILL_REPORTS_DIR: join(dir, 'reports'), FIREDRILL_RUN_DIR: join(dir, 'runs'), FIREDRILL_USER_DRILLS_DIR: join(dir, 'none') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });

  it('firedrill run --fleet: a drill against the nginx fleet passes', { timeout: 90_000 }, async () => {
    const r = await cli(['run', 'drills/examples/kill-nginx.yaml', '--fleet', fleetFile, '--allow-commands', '--auto', '--json']);
    expect(r.stderr).toContain('(allowed by --allow-commands)');
    expect(r.stderr).toMatch(/web1: sh -c /);
    const status = JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as { verdict: string; reason: string; files: Record<string, string> };
    expect(status.reason).toBeTypeOf('string');
    expect(status.verdict, status.reason).toBe('pass');
    expect(r.code).toBe(0);
    const report = DrillReport.parse(JSON.parse(readFileSync(status.files.json as string, 'utf8')));
    expect(report.nodes.map((n) => n.id).sort()).toEqual(['web1', 'web2', 'web3']);
    expect(report.incidents.some((i) => i.nodeId === 'web2' && i.mttrMs !== null)).toBe(true);
  });

  it('firedrill run --fleet refuses, exit 2, changing nothing: programs not allowed off a terminal, a node the fleet lacks, a bad fleet file', { timeout: 60_000 }, async () => {
    const reports = async (): Promise<number> => (JSON.parse((await cli(['report', 'list', '--json'])).stdout) as { reports: unknown[] }).reports.length;
    const before = await reports();
    const noConsent = await cli(['run', 'drills/examples/kill-nginx.yaml', '--fleet', fleetFile, '--auto']);
    expect(noConsent.code).toBe(2);
    expect(noConsent.stderr).toMatch(/web1: sh -c /);
    expect(noConsent.stderr).toContain('firedrill run: not started: a fleet file that starts programs needs --allow-commands');

    const missing = await cli(['run', 'drills/examples/kill-one-of-three.yaml', '--fleet', fleetFile, '--allow-commands', '--auto']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`drill "kill-one-of-three" names nodes ${fleetFile} does not have`);
    expect(missing.stderr).toMatch(/steps\.4\.fault\.inject\.target: no node "a2" in the fleet \(it has web1, web2, web3\)/);
    expect(missing.stderr).toMatch(/steps\.9\.action\.do\.params\.id: no node "a2"/);
    expect(missing.stderr).not.toMatch(/web1: sh -c/); // refused before any program was listed for consent

    const bad = join(dir, 'bad-fleet.yaml');
    writeFileSync(bad, 'name: bad\nnodes:\n  - id: Web1\n    kind: command\n');
    const badFleet = await cli(['run', 'drills/examples/kill-nginx.yaml', '--fleet', bad, '--allow-commands']);
    expect(badFleet.code).toBe(2);
    expect(badFleet.stderr).toMatch(/bad-fleet\.yaml:3:\d+: nodes\.0\.id: /);

    const flagAlone = await cli(['run', 'drills/examples/kill-nginx.yaml', '--allow-commands']);
    expect(flagAlone.code).toBe(2);
    expect(flagAlone.stderr).toContain('--allow-commands: only with --fleet FILE');
    // Nothing was run: no report was written by any of them.
    expect(await reports()).toBe(before);
  });
});
