import { afterEach, describe, expect, it } from 'vitest';
import { Toxiproxy } from 'toxiproxy-node-client';
import { runCli, startServe, stopProcess, type RunningLab } from '../../support/cli.js';
import { makeTempDir, removeDir } from '../../support/temp.js';

// `firedrill serve` serves Toxiproxy's API next to the web host, and says where.
describe('firedrill serve: the Toxiproxy API', () => {
  let lab: RunningLab | undefined;
  let runDir: string | undefined;
  afterEach(async () => {
    if (lab) await stopProcess(lab.child);
    lab = undefined;
    await removeDir(runDir);
  });

  it('--json gives toxiproxyUrl; a Toxiproxy client lists the lab links as proxies', async () => {
    runDir = await makeTempDir('fd-cli-toxi-');
    lab = await startServe(['--run-dir', runDir, '--topology', 'active-active']);
    const url = (lab as unknown as { toxiproxyUrl: string }).toxiproxyUrl;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const proxies = await new Toxiproxy(url).getAll();
    expect(Object.keys(proxies).sort()).toEqual(['a1', 'a1-replication', 'a2', 'a2-replication', 'a3', 'a3-replication']);
    const state = (await (await fetch(`http://127.0.0.1:${lab.port}/api/state`, { headers: { authorization: `Bearer ${lab.token}` } })).json()) as { toxiproxyUrl?: string };
    expect(state.toxiproxyUrl).toBe(url);
  });

  it('--toxiproxy-token asks for the lab token; a bad --toxiproxy-port is a usage error', async () => {
    runDir = await makeTempDir('fd-cli-toxi-');
    lab = await startServe(['--run-dir', runDir, '--no-start', '--toxiproxy-token']);
    const url = (lab as unknown as { toxiproxyUrl: string }).toxiproxyUrl;
    expect((await fetch(`${url}/proxies`)).status).toBe(401);
    const res = await fetch(`${url}/proxies`, { headers: { authorization: `Bearer ${lab.token}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    const bad = await runCli(['serve', '--toxiproxy-port', 'seven']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--toxiproxy-port');
  });
});
