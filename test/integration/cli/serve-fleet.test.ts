// `firedrill serve --fleet FILE` and the programs a fleet file starts: the real CLI, real
// processes, a real terminal (util-linux `script` gives the CLI a pty), real files as evidence.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ContractClient, fromWebSocket, type ContractError, type LabSnapshot, type WebSocketLike } from '../../../shared/contract/index.js';
import { cliEntry, isAlive, runCli, startServe, stopProcess, type RunningLab } from '../../support/cli.js';
import { makeTempDir, removeDir } from '../../support/temp.js';
import { sleep } from '../../../shared/sleep.js';

const SCRIPT = '/usr/bin/script';

/** A command node that leaves a file behind the moment it runs: the proof a program did (or did not) start. */
function markerNode(id: string, marker: string): Record<string, unknown> {
  return { id, kind: 'command', command: process.execPath, args: ['-e', "require('fs').writeFileSync(process.argv[1], 'ran'); setInterval(() => {}, 1000)", marker] };
}

async function writeFleet(dir: string, fleet: unknown): Promise<string> {
  const file = join(dir, 'fleet.yaml');
  await writeFile(file, JSON.stringify(fleet, null, 2)); // JSON is YAML
  return file;
}

async function labState(lab: { port: number; token: string }): Promise<LabSnapshot> {
  const res = await fetch(`http://127.0.0.1:${lab.port}/api/state`, { headers: { authorization: `Bearer ${lab.token}` } });
  return (await res.json()) as LabSnapshot;
}

async function post(lab: { port: number; token: string }, name: string, body: unknown): Promise<{ status: number; body: { error?: ContractError } }> {
  const res = await fetch(`http://127.0.0.1:${lab.port}/api/commands/${name}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${lab.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { error?: ContractError } };
}

/** `firedrill serve` on a pseudo-terminal, answering its question with `answer`; resolves with everything it printed until `until` matched or it exited. */
function serveOnTerminal(args: string[], answer: string, until: RegExp, timeoutMs = 20_000) {
  const command = ['exec', process.execPath, cliEntry, 'serve', '--json', '--port', '0', ...args].map((w) => `'${w.replaceAll("'", `'\\''`)}'`).join(' ').replace("'exec'", 'exec');
  const child = spawn(SCRIPT, ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const done = new Promise<{ output: string; code: number | null }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve on a terminal: nothing matched ${until} in ${timeoutMs} ms; output: ${output}`)), timeoutMs);
    const check = (): void => {
      if (!until.test(output)) return;
      clearTimeout(timer);
      resolve({ output, code: null });
    };
    child.stdout.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ output, code });
    });
  });
  // Answer once the question is on screen; stdin stays open so the terminal does not hang up.
  const asked = setInterval(() => {
    if (!output.includes('[y/N]')) return;
    clearInterval(asked);
    child.stdin.write(`${answer}\n`);
  }, 20);
  void done.finally(() => clearInterval(asked)).catch(() => undefined);
  /** Ends serve (script's child: exec'd in place of the shell) with SIGTERM, then the terminal. */
  const stop = async (): Promise<void> => {
    clearInterval(asked);
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const children = await readFile(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').catch(() => '');
    const servePid = Number(children.trim().split(/\s+/)[0]);
    if (servePid > 0 && isAlive(servePid)) {
      process.kill(servePid, 'SIGTERM');
      await expect.poll(() => isAlive(servePid), { timeout: 10_000 }).toBe(false);
    }
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  return { child, done, stop };
}

describe('serve --fleet: a fleet file that starts programs', () => {
  let dir: string | undefined;
  let lab: RunningLab | undefined;

  afterEach(async () => {
    if (lab) await stopProcess(lab.child, 'SIGTERM');
    lab = undefined;
    await removeDir(dir);
    dir = undefined;
  });

  it('off a terminal without --allow-commands: lists what it would run, exits 2, starts nothing', async () => {
    dir = await makeTempDir('fd-serve-fleet-');
    const marker = join(dir, 'ran');
    const file = await writeFleet(dir, { name: 'mine', nodes: [{ id: 'k1' }, markerNode('web', marker)] });
    const result = await runCli(['serve', '--fleet', file, '--run-dir', join(dir, 'run'), '--port', '0']);
    expect(result.code).toBe(2);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(`${file} starts one program of its own on this machine (with your user's rights and environment):`);
    expect(lines[1]).toBe(`  web: ${process.execPath} -e 'require('\\''fs'\\'').writeFileSync(process.argv[1], '\\''ran'\\''); setInterval(() => {}, 1000)' ${marker}`);
    expect(lines[2]).toContain('--allow-commands');
    expect(lines).toHaveLength(3);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(result.stdout).toBe('');
    await sleep(300);
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(join(dir, 'run'))).toBe(false); // no lab was made
  });

  it('with --allow-commands: lists the programs on stderr, then runs them', async () => {
    dir = await makeTempDir('fd-serve-fleet-');
    const marker = join(dir, 'ran');
    const file = await writeFleet(dir, { nodes: [markerNode('web', marker)] });
    lab = await startServe(['--fleet', file, '--allow-commands', '--run-dir', join(dir, 'run')]);
    expect(lab.stderr()).toContain(`  web: ${process.execPath} -e `);
    expect(lab.stderr()).toContain('(allowed by --allow-commands)');
    const state = await labState(lab);
    expect(state.nodes.map((n) => [n.id, n.kind, n.status])).toEqual([['web', 'command', 'ready']]);
    await expect.poll(() => existsSync(marker), { timeout: 5_000 }).toBe(true);
  });

  it('a running lab refuses, over HTTP and the WebSocket, to start a fleet with a program; nothing runs, nothing changes', async () => {
    dir = await makeTempDir('fd-serve-fleet-');
    const marker = join(dir, 'ran');
    lab = await startServe(['--run-dir', join(dir, 'run'), '--topology', 'active-active']);
    const before = await labState(lab);
    expect((await post(lab, 'fleet.stop', {})).status).toBe(200);

    const refused = await post(lab, 'fleet.start', { fleet: { nodes: [{ id: 'k1' }, markerNode('evil', marker)] } });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'invalid-params', field: 'params.fleet.nodes.1.kind' });
    expect(refused.body.error?.message).toContain('only the person at the machine');

    const socket = new WebSocket(`ws://127.0.0.1:${lab.port}/api/events?token=${lab.token}`);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const client = new ContractClient(fromWebSocket(socket as unknown as WebSocketLike), { timeoutMs: 10_000 });
    const overSocket = (await client.request('fleet.start', { fleet: { nodes: [markerNode('evil', marker)] } } as never).catch((e: unknown) => e)) as ContractError;
    expect(overSocket).toMatchObject({ code: 'invalid-params', field: 'params.fleet.nodes.0.kind' });
    client.close();
    socket.close();

    await sleep(300);
    expect(existsSync(marker)).toBe(false);
    const after = await labState(lab);
    expect(after.fleet.status).toBe('stopped');
    expect(after.nodes.map((n) => n.id)).toEqual(before.nodes.map((n) => n.id));
    // The lab's own fleet still starts on request.
    expect((await post(lab, 'fleet.start', {})).status).toBe(200);
  });

  it('a load error of any kind is its message alone, exit 2: unreadable, bad YAML, bad field, a replica that is a program', async () => {
    dir = await makeTempDir('fd-serve-fleet-');
    const cases: Array<[string, string | null, RegExp]> = [
      ['missing.yaml', null, /missing\.yaml/],
      ['syntax.yaml', 'nodes:\n  - id: [unclosed\n', /syntax\.yaml:\d+:\d+/],
      ['field.yaml', 'nodes:\n  - id: n1\n    role: leader\n', /field\.yaml:3:\d+: .*role/],
      ['replica.yaml', JSON.stringify({ nodes: [{ id: 'p1', server: { replicas: ['web'] } }, { id: 'web', kind: 'command', command: 'true' }] }), /replica.*web|web.*replica/],
    ];
    for (const [name, text, expected] of cases) {
      const file = join(dir, name);
      if (text !== null) await writeFile(file, text);
      const result = await runCli(['serve', '--fleet', file, '--allow-commands', '--run-dir', join(dir, `run-${name}`), '--port', '0']);
      expect(result.code, `${name}: ${result.stderr}`).toBe(2);
      expect(result.stderr, name).toMatch(expected);
      expect(result.stderr, name).not.toMatch(/\n\s+at |Error:|ContractError/); // no stack trace, no class names
      expect(result.stdout, name).toBe('');
    }
  });

  it('a fleet file with three mistakes shows all three in one run, sorted by line', async () => {
    dir = await makeTempDir('fd-serve-fleet-');
    const file = join(dir, 'three.yaml');
    await writeFile(file, 'nodes:\n  - id: n1\n    role: leader\n  - id: N2\n  - id: n3\n    bogus: 1\n');
    const result = await runCli(['serve', '--fleet', file, '--run-dir', join(dir, 'run'), '--port', '0']);
    expect(result.code).toBe(2);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => Number(/three\.yaml:(\d+):/.exec(l)?.[1]))).toEqual([3, 4, 6]);
    expect(result.stderr).not.toMatch(/\n\s+at |Error:/);
  });

  it('an unknown command named like an Object property is a usage mistake, not a crash', async () => {
    for (const args of [['constructor'], ['help', 'constructor'], ['toString']]) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(/unknown command "(constructor|toString)"/);
      expect(result.stderr, args.join(' ')).not.toMatch(/\n\s+at /);
    }
  });

  it('a port that is taken is a usage mistake: exit 2, one line', async () => {
    dir = await makeTempDir('fd-serve-fleet-');
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const web = await runCli(['serve', '--port', String(port), '--run-dir', join(dir, 'run-web'), '--no-start']);
      expect(web.code).toBe(2);
      expect(web.stderr.trim()).toBe(`--port ${port}: that port is in use on 127.0.0.1`);
      const balancer = await runCli(['serve', '--balancer-port', String(port), '--run-dir', join(dir, 'run-lb'), '--no-start']);
      expect(balancer.code).toBe(2);
      expect(balancer.stderr.trim()).toBe(`--balancer-port ${port}: that port is in use on 127.0.0.1`);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('--allow-commands without --fleet is a usage mistake', async () => {
    const result = await runCli(['serve', '--allow-commands']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('--allow-commands: only with --fleet FILE (a topology runs the bundled server only)');
  });

  it('serve --help says how programs are allowed', async () => {
    const help = await runCli(['serve', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--allow-commands');
  });

  describe.skipIf(!existsSync(SCRIPT))(`on a terminal (${SCRIPT} gives the CLI a pty)`, () => {
    it('asks, and a no starts nothing: exit 2', async () => {
      dir = await makeTempDir('fd-serve-fleet-');
      const marker = join(dir, 'ran');
      const file = await writeFleet(dir, { nodes: [markerNode('web', marker)] });
      const { done, stop } = serveOnTerminal(['--fleet', file, '--run-dir', join(dir, 'run')], 'n', /(?!)/);
      try {
        const { output, code } = await done;
        expect(output).toContain('  web: ');
        expect(output).toContain('Start these programs? [y/N]');
        expect(output).toContain('not started: its programs were not allowed');
        expect(code).toBe(2);
        expect(existsSync(marker)).toBe(false);
      } finally {
        await stop();
      }
    });

    it('asks, and a yes starts them', async () => {
      dir = await makeTempDir('fd-serve-fleet-');
      const marker = join(dir, 'ran');
      const file = await writeFleet(dir, { nodes: [markerNode('web', marker)] });
      const { done, stop } = serveOnTerminal(['--fleet', file, '--run-dir', join(dir, 'run')], 'yes', /"token":"[^"]+"[^\n]*\n/);
      try {
        const { output } = await done;
        const info = JSON.parse(/\{"url".*\}/.exec(output)?.[0] ?? '{}') as { port: number; token: string };
        const state = await labState(info);
        expect(state.nodes.map((n) => [n.id, n.status])).toEqual([['web', 'ready']]);
        await expect.poll(() => existsSync(marker), { timeout: 5_000 }).toBe(true);
        expect(await readFile(marker, 'utf8')).toBe('ran');
        const pids = state.nodes.map((n) => n.pid as number);
        await stop();
        await expect.poll(() => pids.filter(isAlive), { timeout: 10_000 }).toEqual([]);
      } finally {
        await stop();
      }
    });
  });
});
