// A real lab behind the real web host, for the web host's tests: a fleet of two tiny real
// processes (enough to see that refused requests change nothing), reports in a temp folder.
import { request } from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { startWebHost, type WebHost, type WebHostOptions } from '../../electron/cli/web-host.js';
import { Lab } from '../../electron/engine/lab.js';
import type { LabSnapshot } from '../../shared/contract/index.js';
import { makeTempDir, removeDir } from './temp.js';
import { sleep } from '../../shared/sleep.js';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface WebLab {
  lab: Lab;
  web: WebHost;
  runDir: string;
  /** Host and bearer token headers that every API call needs. */
  auth: Record<string, string>;
  call(path: string, init?: { method?: string; headers?: Record<string, string>; body?: string | Buffer; timeoutMs?: number }): Promise<Reply>;
  state(): Promise<LabSnapshot>;
  /** Node ids, pids, statuses and restarts: what must not change when a request is refused. */
  fingerprint(): Promise<string>;
  close(): Promise<void>;
}

export const tinyFleet = {
  name: 'web host test',
  restart: { policy: 'never' as const },
  nodes: ['w1', 'w2'].map((id) => ({ id, kind: 'command' as const, command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'], env: {} })),
};

export function httpCall(port: number, path: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer; timeoutMs?: number } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: init.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer to ${init.method ?? 'GET'} ${path} in ${init.timeoutMs ?? 10_000} ms`)), init.timeoutMs ?? 10_000);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(init.body);
  });
}

/** A fleet of two processes that each print `bytesPerSec` of log lines: log.batch events, many a second. */
export function chattyFleet(bytesPerSec: number): typeof tinyFleet {
  const line = 1_000;
  const everyMs = Math.max(1, Math.round((line * 1_000) / bytesPerSec));
  return { ...tinyFleet, nodes: tinyFleet.nodes.map((n) => ({ ...n, args: ['-e', `setInterval(() => console.log('x'.repeat(${line - 1})), ${everyMs})`] })) };
}

export async function startWebLab(options: Omit<WebHostOptions, 'host'> & { fleet?: typeof tinyFleet } = {}): Promise<WebLab> {
  const { fleet = tinyFleet, ...hostOptions } = options;
  const runDir = await makeTempDir('fd-web-');
  const lab = await Lab.create({ runDir, fleet, reportsDir: join(runDir, 'reports') });
  const web = await startWebHost({ host: lab.host, port: 0, metrics: () => lab.metricsExposition(), ...hostOptions }).catch(async (error: unknown) => {
    await lab.dispose();
    throw error;
  });
  const auth = { authorization: `Bearer ${web.token}`, host: `127.0.0.1:${web.port}` };
  const call: WebLab['call'] = (path, init = {}) => httpCall(web.port, path, init);
  const state = async (): Promise<LabSnapshot> => {
    const reply = await call('/api/state', { headers: auth });
    if (reply.status !== 200) throw new Error(`GET /api/state: ${reply.status} ${reply.body}`);
    return JSON.parse(reply.body) as LabSnapshot;
  };
  return {
    lab,
    web,
    runDir,
    auth,
    call,
    state,
    fingerprint: async () => JSON.stringify((await state()).nodes.map((n) => [n.id, n.pid, n.status, n.restarts])),
    close: async () => {
      await web.close();
      await lab.dispose();
      await removeDir(runDir);
    },
  };
}

/** Collects uncaught exceptions and unhandled rejections while a test runs (a crash of the lab would be one). */
export function watchCrashes(): { errors: unknown[]; stop(): void } {
  const errors: unknown[] = [];
  const onError = (error: unknown): void => void errors.push(error);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  return {
    errors,
    stop: () => {
      process.off('uncaughtException', onError);
      process.off('unhandledRejection', onError);
    },
  };
}

/**
 * Sends raw request bytes (optionally in timed pieces) and resolves with everything the server answered
 * until it closed the connection or `timeoutMs` passed (then `timedOut` is true).
 */
export function rawHttp(port: number, pieces: Array<string | Buffer | { waitMs: number }>, timeoutMs = 10_000): Promise<{ answer: string; timedOut: boolean; ms: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    let done = false;
    const finish = (timedOut: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ answer, timedOut, ms: performance.now() - started });
    };
    const timer = setTimeout(() => finish(true), timeoutMs);
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('close', () => finish(false));
    socket.on('error', () => finish(false));
    void (async () => {
      for (const piece of pieces) {
        if (done) return;
        if (typeof piece === 'object' && !Buffer.isBuffer(piece)) await sleep(piece.waitMs);
        else socket.write(piece);
      }
    })();
  });
}

/** The status code of the first response in a raw answer (0 when there is none). */
export function statusOf(answer: string): number {
  return Number(/^HTTP\/1\.1 (\d{3}) /.exec(answer)?.[1] ?? 0);
}
