// Test harness for the bundled test server: real processes, real files, real sockets on 127.0.0.1.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Agent } from 'undici';
import { afterEach } from 'vitest';
import { httpRequest } from '../../electron/engine/http-request';

export const serverEntry = fileURLToPath(new URL('../../out/server/index.js', import.meta.url));

/** The node secret these servers share (the lab makes one per lab); sent on every request here. */
export const TEST_NODE_SECRET = 'test-node-secret-0123456789';

export interface LogEvent {
  ts: number;
  node: string;
  event: string;
  [field: string]: unknown;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  json: <T = Record<string, unknown>>() => T;
  ms: number;
}

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export function makeDataDir(prefix = 'fd-server-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export interface ServerOptions {
  nodeId?: string;
  /** Extra flags, e.g. ['--role', 'standby']. */
  args?: string[];
  /** Extra environment for the process. */
  env?: Record<string, string>;
  /** Defaults to a fresh temp folder; null runs without --data (stateless). */
  dataDir?: string | null;
  port?: number;
}

/** One server node: spawn, wait ready, talk HTTP, kill, restart on the same port and folder. */
export class ServerHandle {
  child: ChildProcess | null = null;
  /** Events of the current run only (cleared by each start). */
  events: LogEvent[] = [];
  stderr = '';
  private agent = new Agent();
  private listeners = new Set<() => void>();
  private exited: Promise<void> = Promise.resolve();
  /** The node secret this server is started with and sent on requests (a lab's own, for a node the lab runs). */
  secret = TEST_NODE_SECRET;

  constructor(
    public port: number,
    readonly dataDir: string | null,
    readonly nodeId: string,
    public args: string[],
    /** Extra environment (e.g. a different FIREDRILL_NODE_SECRET, or '' for none). */
    public env: Record<string, string> = {},
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  argv(): string[] {
    return [serverEntry, '--port', String(this.port), ...(this.dataDir ? ['--data', this.dataDir] : []), '--node-id', this.nodeId, ...this.args];
  }

  /** Spawns the process without waiting for it to be ready. */
  spawn(): ChildProcess {
    this.events = [];
    this.stderr = '';
    this.freshConnections();
    const child = spawn(process.execPath, this.argv(), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FIREDRILL_NODE_SECRET: this.secret, ...this.env } });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        this.events.push(JSON.parse(line) as LogEvent);
      } catch {
        this.events.push({ ts: Date.now(), node: this.nodeId, event: 'unparsed', line });
      }
      for (const notify of this.listeners) notify();
    });
    child.once('exit', () => {
      for (const notify of this.listeners) notify();
    });
    return child;
  }

  /** Spawns and waits for `server.ready`. */
  async start(timeoutMs = 15_000): Promise<void> {
    this.spawn();
    await this.waitForEvent('server.ready', undefined, timeoutMs);
  }

  async restart(timeoutMs = 15_000): Promise<void> {
    await this.kill('SIGKILL');
    await this.start(timeoutMs);
  }

  isRunning(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends a signal to the child we started and waits until it has exited. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.isRunning()) this.child!.kill(signal);
    await this.exited;
    this.freshConnections();
  }

  find(event: string, match?: (e: LogEvent) => boolean): LogEvent | undefined {
    return this.events.find((e) => e.event === event && (!match || match(e)));
  }

  all(event: string): LogEvent[] {
    return this.events.filter((e) => e.event === event);
  }

  /** Resolves with the first matching event of this run; rejects on timeout or exit. */
  waitForEvent(event: string, match?: (e: LogEvent) => boolean, timeoutMs = 10_000): Promise<LogEvent> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.find(event, match);
        if (found) return done(() => resolve(found));
        if (!this.isRunning()) {
          done(() => reject(new Error(`${this.nodeId} exited before ${event}; stderr: ${this.stderr}; events: ${this.eventNames()}`)));
        }
      };
      const timer = setTimeout(() => done(() => reject(new Error(`${this.nodeId}: no ${event} within ${timeoutMs} ms; events: ${this.eventNames()}`))), timeoutMs);
      const done = (settle: () => void): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
        settle();
      };
      this.listeners.add(check);
      check();
    });
  }

  /** `headers` replaces the default ones (the secret) when given. */
  async request(method: string, path: string, body?: Buffer | string, timeoutMs = 10_000, headers: Record<string, string> = { authorization: `Bearer ${this.secret}` }): Promise<HttpAnswer> {
    const started = performance.now();
    const answer = await httpRequest(this.port, { method, path, body, timeoutMs, headers, dispatcher: this.agent });
    return { ...answer, json: <T>() => answer.json<T>(), ms: performance.now() - started };
  }

  /** PUT that must be acknowledged; returns its lsn. */
  async put(key: string, value: string): Promise<number> {
    const answer = await this.request('PUT', `/kv/${encodeURIComponent(key)}`, value);
    if (answer.status !== 200) throw new Error(`PUT ${key} answered ${answer.status}: ${answer.text}`);
    return answer.json<{ lsn: number }>().lsn;
  }

  async get(key: string): Promise<string | null> {
    const answer = await this.request('GET', `/kv/${encodeURIComponent(key)}`);
    if (answer.status === 404) return null;
    if (answer.status !== 200) throw new Error(`GET ${key} answered ${answer.status}: ${answer.text}`);
    return answer.text;
  }

  async del(key: string): Promise<number> {
    const answer = await this.request('DELETE', `/kv/${encodeURIComponent(key)}`);
    if (answer.status !== 200) throw new Error(`DELETE ${key} answered ${answer.status}: ${answer.text}`);
    return answer.json<{ lsn: number }>().lsn;
  }

  async status(): Promise<Record<string, unknown> & { lsn: number; role: string; keys: number }> {
    return (await this.request('GET', '/status')).json();
  }

  async dump(): Promise<{ lsn: number; entries: Record<string, string> }> {
    return (await this.request('GET', '/dump')).json();
  }

  async post(path: string, body: unknown = {}): Promise<HttpAnswer> {
    return this.request('POST', path, JSON.stringify(body));
  }

  /** Forces a checkpoint and returns its generation. */
  async checkpoint(): Promise<number> {
    const answer = await this.post('/admin/checkpoint');
    if (answer.status !== 200) throw new Error(`checkpoint answered ${answer.status}: ${answer.text}`);
    return answer.json<{ generation: number }>().generation;
  }

  async dispose(): Promise<void> {
    await this.kill('SIGKILL');
    await this.agent.destroy();
    if (this.dataDir) await rm(this.dataDir, { recursive: true, force: true });
  }

  /** Keep-alive connections belong to one process: a new one (or none) starts on fresh ones. */
  private freshConnections(): void {
    void this.agent.destroy();
    this.agent = new Agent();
  }

  private eventNames(): string {
    return this.events.map((e) => e.event).join(', ');
  }
}

/** Creates servers for one test file and kills them (by the PID we started) after each test. */
export function useServers(): { create: (options?: ServerOptions) => Promise<ServerHandle>; started: (options?: ServerOptions) => Promise<ServerHandle> } {
  const handles: ServerHandle[] = [];
  afterEach(async () => {
    await Promise.all(handles.splice(0).map((h) => h.dispose()));
  });
  const create = async (options: ServerOptions = {}): Promise<ServerHandle> => {
    const dataDir = options.dataDir === undefined ? await makeDataDir() : options.dataDir;
    const handle = new ServerHandle(options.port ?? (await freePort()), dataDir, options.nodeId ?? `node-${handles.length + 1}`, options.args ?? [], options.env ?? {});
    handles.push(handle);
    return handle;
  };
  const started = async (options: ServerOptions = {}): Promise<ServerHandle> => {
    const handle = await create(options);
    // Another process may grab the port between probing and binding: try a fresh one.
    for (let attempt = 0; ; attempt++) {
      try {
        await handle.start();
        return handle;
      } catch (error) {
        if (attempt >= 2 || !handle.find('server.exit', (e) => e.reason === 'listen-failed')) throw error;
        handle.port = await freePort();
      }
    }
  };
  return { create, started };
}

/** Writes `count` keys with `parallel` concurrent writers; returns the acknowledged ones. */
export async function writeKeys(server: ServerHandle, prefix: string, count: number, parallel = 8): Promise<Map<string, string>> {
  const acked = new Map<string, string>();
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        const i = next++;
        const key = `${prefix}${i}`;
        const value = `${prefix}value-${i}`;
        await server.put(key, value);
        acked.set(key, value);
      }
    }),
  );
  return acked;
}

/** Acknowledged writes that are missing or different on the server. */
export function missingWrites(acked: ReadonlyMap<string, string>, entries: Record<string, string>): string[] {
  const missing: string[] = [];
  for (const [key, value] of acked) if (entries[key] !== value) missing.push(key);
  return missing;
}
