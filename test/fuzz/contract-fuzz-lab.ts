// One real lab (the default hot standby: two bundled KV nodes behind the balancer) and the real web
// host, shared by every property of a fuzz file; and the checks that it came out as it went in.
import http from 'node:http';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import { startWebHost, type WebHost } from '../../electron/cli/web-host.js';
import { Lab } from '../../electron/engine/lab.js';
import { ErrorCode, type BalancerSettings, type LabSnapshot, type TrafficSettings } from '../../shared/contract/index.js';
import { makeTempDir, removeDir } from '../support/temp.js';
import { watchCrashes } from '../support/web-lab.js';
import { sleep } from '../../shared/sleep.js';

export interface Reply {
  status: number;
  body: string;
}

export interface FuzzLab {
  lab: Lab;
  web: WebHost;
  auth: Record<string, string>;
  /** One HTTP request over a kept-alive connection; `body` is sent as is. */
  http(method: string, path: string, body?: string | Buffer, headers?: Record<string, string>): Promise<Reply>;
  /** POST /api/commands/NAME with `params` as JSON. */
  command(name: string, params: unknown): Promise<Reply>;
  /** Uncaught exceptions and unhandled rejections so far. */
  crashes(): unknown[];
  /** Lines of this process's output that look like a stack trace. */
  stackTraces(): string[];
  close(): Promise<void>;
}

/** What must be the same after the fuzzing as before it. */
export interface LabBaseline {
  fleet: string;
  topology: string;
  nodes: string;
  balancer: BalancerSettings;
  traffic: TrafficSettings;
}

const STACK_LINE = /^\s+at .+(:\d+:\d+\)?|\(native\)|\(<anonymous>\))$/m;

export async function startFuzzLab(): Promise<FuzzLab> {
  const dir = await makeTempDir('fd-fuzz-');
  // Drills from this folder only (empty), not the user's; the engine checks every event it emits against the contract.
  mkdirSync(join(dir, 'drills'));
  process.env.FIREDRILL_USER_DRILLS_DIR = join(dir, 'drills');
  process.env.FIREDRILL_CHECK_EVENTS = '1';
  const output: string[] = [];
  const restoreOutput = captureOutput(output);
  const crashes = watchCrashes();
  const lab = await Lab.create({ runDir: join(dir, 'run'), reportsDir: join(dir, 'reports') });
  const web = await startWebHost({ host: lab.host, port: 0, metrics: () => lab.metricsExposition() });
  const auth = { authorization: `Bearer ${web.token}`, host: `127.0.0.1:${web.port}` };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const request = (method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Reply> =>
    new Promise((resolve, reject) => {
      // Node's client sends a body of DELETE, OPTIONS or TRACE with neither a length nor chunks unless told its length.
      const length: Record<string, string> = body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) };
      const req = http.request({ host: '127.0.0.1', port: web.port, path, method, headers: { ...auth, ...length, ...headers }, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      });
      const timer = setTimeout(() => req.destroy(new Error(`no answer to ${method} ${path.slice(0, 80)} in 30 s`)), 30_000);
      req.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      req.end(body);
    });
  return {
    lab,
    web,
    auth,
    http: request,
    command: (name, params) => request('POST', `/api/commands/${name}`, JSON.stringify(params) ?? '', { 'content-type': 'application/json' }),
    crashes: () => crashes.errors,
    stackTraces: () => output.filter((text) => STACK_LINE.test(text)),
    close: async () => {
      agent.destroy();
      await web.close();
      await lab.dispose();
      crashes.stop();
      restoreOutput();
      await removeDir(dir);
    },
  };
}

/** Records what this process writes to stdout and stderr, directly or through console (and still writes it). */
function captureOutput(into: string[]): () => void {
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write.bind(stream));
  streams.forEach((stream, i) => {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return (originals[i] as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
  });
  // The test runner may send console output elsewhere than the streams: record it here too.
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
  const consoleOriginals = methods.map((method) => console[method]);
  methods.forEach((method, i) => {
    console[method] = (...args: unknown[]) => {
      into.push(format(...args));
      consoleOriginals[i]!(...args);
    };
  });
  return () => {
    streams.forEach((stream, i) => (stream.write = originals[i] as typeof stream.write));
    methods.forEach((method, i) => (console[method] = consoleOriginals[i]!));
  };
}

const ERROR_CODES = new Set<string>(ErrorCode.options);

/** Null when the reply is a 2xx with JSON or a 4xx with a contract error that is not `internal`; otherwise what is wrong. */
export function serverFault(reply: Reply, method = 'POST'): string | null {
  if (reply.status >= 500 || reply.status < 200) return `status ${reply.status}: ${reply.body.slice(0, 300)}`;
  if ((reply.status >= 300 && reply.status < 400) || method === 'HEAD') return null;
  let body: unknown;
  try {
    body = JSON.parse(reply.body);
  } catch {
    return reply.status < 300 ? null : `status ${reply.status} without a JSON error: ${reply.body.slice(0, 200)}`; // /metrics, static files
  }
  if (reply.status >= 400) {
    const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    if (!error || typeof error.code !== 'string' || !ERROR_CODES.has(error.code)) return `status ${reply.status} without a contract error: ${reply.body.slice(0, 200)}`;
    if (error.code === 'internal') return `internal: ${String(error.message).slice(0, 300)}`;
  }
  return null;
}

export async function baselineOf(f: FuzzLab): Promise<LabBaseline> {
  const state = await readyState(f, 20_000);
  return {
    fleet: JSON.stringify(state.fleet),
    topology: JSON.stringify(state.topology),
    nodes: JSON.stringify(state.nodes.map((n) => [n.id, n.kind, n.role])),
    balancer: state.balancer.settings,
    traffic: state.traffic.settings,
  };
}

/** Puts back the settings that valid balancer.set / traffic.set calls may have changed. */
export async function restoreSettings(f: FuzzLab, baseline: LabBaseline): Promise<void> {
  const state = JSON.parse((await f.http('GET', '/api/state')).body) as LabSnapshot;
  const weights = Object.fromEntries(state.nodes.map((n) => [n.id, baseline.balancer.weights[n.id] ?? 1]));
  const { strategy, ewmaDecayMs, health, passive, retry, failover, workers } = baseline.balancer;
  for (const [name, params] of [
    ['traffic.stop', {}],
    ['fault.halt', {}],
    ['balancer.set', { strategy, ewmaDecayMs, health, passive, retry, failover, workers, weights }],
    ['traffic.set', baseline.traffic],
  ] as const) {
    const reply = await f.command(name, params);
    if (reply.status !== 200) throw new Error(`${name}: ${reply.status} ${reply.body}`);
  }
}

/** Waits (bounded) until the fleet runs and every node is ready, and returns that state. */
export async function readyState(f: FuzzLab, timeoutMs: number): Promise<LabSnapshot> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const reply = await f.http('GET', '/api/state');
    if (reply.status === 200) {
      const state = JSON.parse(reply.body) as LabSnapshot;
      if (state.fleet.status === 'running' && state.nodes.length > 0 && state.nodes.every((n) => n.status === 'ready')) return state;
      last = JSON.stringify({ fleet: state.fleet, nodes: state.nodes.map((n) => [n.id, n.status]) });
    } else last = `${reply.status} ${reply.body.slice(0, 200)}`;
    if (Date.now() > deadline) throw new Error(`the lab was not ready within ${timeoutMs} ms: ${last}`);
    await sleep(100);
  }
}

/**
 * The lab as it was: the same fleet and topology, every node ready, no fault active, no traffic running,
 * the balancer and traffic settings put back, and `lab.state` answering within `boundMs`. Returns what differs.
 */
export async function differencesFrom(f: FuzzLab, baseline: LabBaseline, boundMs = 2_000): Promise<string[]> {
  const problems: string[] = [];
  const state = await readyState(f, 20_000).catch((error: Error) => {
    problems.push(error.message);
    return null;
  });
  const started = performance.now();
  const reply = await f.http('GET', '/api/state');
  const ms = performance.now() - started;
  if (ms > boundMs) problems.push(`GET /api/state took ${ms.toFixed(0)} ms (bound ${boundMs} ms)`);
  if (reply.status !== 200) problems.push(`GET /api/state: ${reply.status}`);
  if (!state) return problems;
  const now = JSON.parse(reply.body) as LabSnapshot;
  if (JSON.stringify(now.fleet) !== baseline.fleet) problems.push(`fleet: ${JSON.stringify(now.fleet)} (was ${baseline.fleet})`);
  if (JSON.stringify(now.topology) !== baseline.topology) problems.push(`topology: ${JSON.stringify(now.topology)} (was ${baseline.topology})`);
  const nodes = JSON.stringify(now.nodes.map((n) => [n.id, n.kind, n.role]));
  if (nodes !== baseline.nodes) problems.push(`nodes: ${nodes} (was ${baseline.nodes})`);
  const active = now.faults.filter((fault) => fault.status === 'active');
  if (active.length > 0) problems.push(`faults left active: ${JSON.stringify(active.map((fault) => [fault.id, fault.type, fault.target]))}`);
  if (now.traffic.running) problems.push('traffic still running');
  const { weights: _weights, ...settings } = now.balancer.settings;
  const { weights: _was, ...wasSettings } = baseline.balancer;
  if (JSON.stringify(settings) !== JSON.stringify(wasSettings)) problems.push(`balancer settings: ${JSON.stringify(settings)} (were ${JSON.stringify(wasSettings)})`);
  if (JSON.stringify(now.traffic.settings) !== JSON.stringify(baseline.traffic)) problems.push(`traffic settings: ${JSON.stringify(now.traffic.settings)}`);
  return problems;
}
