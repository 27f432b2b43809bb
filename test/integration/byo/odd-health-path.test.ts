// A node's health path is anyone's text. Control characters, spaces, unicode, a lone surrogate,
// a very long path: no probe may throw (from a timer, that ends the engine) — the balancer fails
// the node with the reason, the supervisor refuses to start it with the reason, and a path that
// only needs encoding is encoded and works.
import http from 'node:http';
import { Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RestartSettings, type NodeSpec } from '../../../shared/contract/model';
import { Balancer } from '../../../electron/engine/balancer/index';
import { PlainNodeLauncher } from '../../../electron/engine/fleet/node-launcher';
import { commandPlan, type CommandNode } from '../../../electron/engine/fleet/node-launch';
import { NodeProcess } from '../../../electron/engine/fleet/node-process';
import { ReadyProbe } from '../../../electron/engine/fleet/ready-probe';
import { requestPath } from '../../../electron/engine/fleet/health-path';
import { sleep } from '../../../shared/sleep';

const odd = {
  newline: '/health\ncheck',
  nul: '/\u0000',
  del: '/a\u007fb',
  loneSurrogate: '/\ud800',
  long: `/${'a'.repeat(5_000)}`,
};

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An HTTP server on 127.0.0.1 that answers 200 and remembers each request line's path. */
async function upstream(): Promise<{ port: number; paths: string[] }> {
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    paths.push(req.url ?? '');
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as AddressInfo).port, paths };
}

describe('requestPath', () => {
  it('encodes what only needs encoding, refuses what no encoding could mean', () => {
    expect(requestPath('/health check/ünï')).toEqual({ ok: true, path: '/health%20check/%C3%BCn%C3%AF' });
    expect(requestPath('/readyz?full=1')).toEqual({ ok: true, path: '/readyz?full=1' });
    expect(requestPath(odd.newline)).toEqual({ ok: false, reason: 'it contains the control character U+000A at index 7' });
    expect(requestPath(odd.nul)).toEqual({ ok: false, reason: 'it contains the control character U+0000 at index 1' });
    expect(requestPath(odd.del)).toEqual({ ok: false, reason: 'it contains the control character U+007F at index 2' });
    expect(requestPath(odd.loneSurrogate)).toEqual({ ok: false, reason: 'it is not valid Unicode (a lone surrogate)' });
    expect(requestPath(odd.long)).toEqual({ ok: false, reason: 'it is 5001 characters long (at most 2048)' });
  });
});

describe('the balancer’s probes never throw', () => {
  it('an unusable path fails the node with the reason; an encodable one is encoded and passes', async () => {
    const detected: Array<{ nodeId: string; reason: string }> = [];
    const balancer = new Balancer({
      settings: undefined,
      listener: { onDetected: (e) => detected.push(e), onEjected: () => {}, onReadmitted: () => {}, onFirstServed: () => {} },
    });
    cleanups.push(() => balancer.close());
    balancer.setSettings({ health: { intervalMs: 20, timeoutMs: 500, fall: 1 } });
    const server = await upstream();
    const targets = [
      ...Object.entries(odd).map(([id, healthPath]) => ({ id: id.toLowerCase(), port: server.port, healthPath })),
      { id: 'encoded', port: server.port, healthPath: '/health check/ünï' },
    ];
    balancer.setUpstreams(targets);
    await sleep(300);
    const states = Object.fromEntries(balancer.snapshot().upstreams.map((u) => [u.id, [u.state, u.lastDetection?.reason ?? null]]));
    expect(states).toEqual({
      newline: ['ejected', 'health path "/health\\ncheck" cannot be sent: it contains the control character U+000A at index 7'],
      nul: ['ejected', 'health path "/\\u0000" cannot be sent: it contains the control character U+0000 at index 1'],
      del: ['ejected', 'health path "/a\\u007fb" cannot be sent: it contains the control character U+007F at index 2'],
      lonesurrogate: ['ejected', 'health path "/\\ud800" cannot be sent: it is not valid Unicode (a lone surrogate)'],
      long: ['ejected', `health path "/${'a'.repeat(74)}..." cannot be sent: it is 5001 characters long (at most 2048)`],
      encoded: ['in-rotation', null],
    });
    // Every probe that went out was a request line the server could read.
    expect(new Set(server.paths)).toEqual(new Set(['/health%20check/%C3%BCn%C3%AF']));
  });
});

describe('the supervisor never starts what it could not probe', () => {
  it('a command node with an unusable healthPath: no process, status exited, the reason on its timeline', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'fd-odd-path-'));
    cleanups.push(() => rmSync(runDir, { recursive: true, force: true }));
    const agent = new Agent();
    cleanups.push(() => agent.destroy());
    for (const [name, healthPath] of Object.entries(odd)) {
      const spec: CommandNode = { id: 'n1', kind: 'command', command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'], env: {}, healthPath } as CommandNode;
      const timeline: Array<{ kind: string; detail: Record<string, unknown> }> = [];
      const tracked: number[] = [];
      const node = new NodeProcess({
        spec: spec as NodeSpec,
        port: 1,
        dataDir: runDir,
        restart: RestartSettings.parse({}),
        plan: commandPlan(spec, 1, runDir),
        launcher: new PlainNodeLauncher(),
        agent,
        hooks: {
          timeline: (kind, _id, detail) => timeline.push({ kind, detail }),
          changed: () => {},
          log: () => {},
          track: (pid) => tracked.push(pid),
          untrack: () => {},
          preparePort: () => Promise.resolve(null),
        },
      });
      const snapshot = await node.start();
      expect(snapshot.status, name).toBe('exited');
      expect(tracked, name).toEqual([]);
      const failed = timeline.find((e) => e.kind === 'node.start-failed');
      expect(failed?.detail.reason, name).toMatch(/^its health path ".*" cannot be sent in a request: it /);
      expect(String(failed?.detail.reason).length, name).toBeLessThan(300);
    }
  });

  it('ReadyProbe does not throw for a path Node refuses to send', async () => {
    const agent = new Agent();
    cleanups.push(() => agent.destroy());
    for (const path of [odd.newline, odd.nul, odd.loneSurrogate, '/a b']) {
      const probe = new ReadyProbe({ port: 1, path, agent, intervalMs: 10, onReady: () => {} });
      expect(() => probe.start()).not.toThrow();
      await sleep(40);
      probe.stop();
    }
  });
});
