// HTTP API on 127.0.0.1: the KV data path (behind admission), health, status, admin and
// the internal replication endpoints (which bypass admission). The admin, replication and dump
// endpoints obey only the lab: its secret, a loopback Host, no foreign Origin.
import { randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AdmissionGate } from './admission';
import { ConfigError, isLoopbackHost, parseReplicas, parseReplicationMode, type ReplicaAddress, type ReplicationMode, type ServerConfig } from './config';
import { parseEpochs, type Epoch } from './epoch-history';
import { describeError } from './log';
import { NodeRefusal, type KvNode } from './kv-node';
import { OP_DELETE, OP_PUT } from './wal-record';

const MAX_VALUE_BYTES = 16 * 1024 * 1024;
const MAX_REPLICATION_BYTES = 1024 * 1024 * 1024;
const MAX_ADMIN_BYTES = 64 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.error));
  }
}

export function createHttpApi(node: KvNode, gate: AdmissionGate, config: ServerConfig): http.Server {
  const api = new HttpApi(node, gate, config);
  return http.createServer({ keepAliveTimeout: 60_000, headersTimeout: 65_000, requestTimeout: 0 }, (req, res) => {
    api.route(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) sendJson(res, error.status, error.body);
      else if (error instanceof NodeRefusal) sendJson(res, error.status, error.body, error.headers);
      else sendJson(res, 500, { error: 'internal', detail: describeError(error) });
    });
  });
}

/** The node's endpoints over one KvNode and its admission gate. */
class HttpApi {
  private readonly startedAt = Date.now();
  /** Tells this process from an earlier one on the same port (a primary's `replication.synced` names it). */
  private readonly bootId = randomUUID();

  constructor(
    private readonly node: KvNode,
    private readonly gate: AdmissionGate,
    private readonly config: ServerConfig,
  ) {}

  /** One request: a key (behind admission), or one of the endpoints the header lists. */
  async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    const method = req.method ?? 'GET';

    if (path.startsWith('/kv/')) return this.serveKey(req, res, method, decodeKey(path.slice(4)));
    if (isLabOnly(path)) {
      const refusal = refuseStranger(req, this.config.nodeSecret);
      if (refusal) {
        // Unread, a body would be taken for the next request on this connection.
        res.setHeader('connection', 'close');
        return sendJson(res, 403, refusal);
      }
    }
    if (method === 'GET') {
      if (path === '/healthz') return send(res, 200, 'ok');
      if (path === '/readyz') return this.node.ready ? send(res, 200, 'ready') : send(res, 503, 'not ready');
      if (path === '/status') return sendJson(res, 200, this.status());
      if ((path === '/kv' || path === '/dump') && !this.node.ready) return sendJson(res, 503, { error: 'not-ready' });
      if (path === '/kv') return sendJson(res, 200, { lsn: this.node.state.lsn, keys: [...this.node.state.map.keys()] });
      if (path === '/dump') return sendJson(res, 200, this.dump(url.searchParams.get('encoding') === 'base64' ? 'base64' : 'utf8'));
    }
    if (method === 'POST') {
      // Until restore is done there is no state to replicate into, promote or checkpoint.
      if (!this.node.ready && path !== '/admin/config') return sendJson(res, 503, { error: 'not-ready' });
      // Each answer names this process: a primary must not take a restarted standby for the one it connected to.
      if (path === '/replication/apply') return sendAnswer(res, await this.node.applyReplicated(await readBody(req, MAX_REPLICATION_BYTES), epochsOf(req)), this.bootId);
      if (path === '/replication/snapshot') return sendAnswer(res, await this.node.installSnapshot(await readBody(req, MAX_REPLICATION_BYTES), epochsOf(req)), this.bootId);
      if (path === '/admin/promote') return sendJson(res, 200, await this.node.promote(promotion(await readJson(req))));
      if (path === '/admin/demote') return sendJson(res, 200, await this.node.demote());
      if (path === '/admin/checkpoint') return sendJson(res, 200, await this.node.checkpointNow());
      if (path === '/admin/config') return sendJson(res, 200, this.applyConfig(await readJson(req)));
    }
    const known = ['/healthz', '/readyz', '/status', '/kv', '/dump'].includes(path) || path.startsWith('/admin/') || path.startsWith('/replication/');
    sendJson(res, known ? 405 : 404, { error: known ? 'method-not-allowed' : 'not-found' });
  }

  private async serveKey(req: http.IncomingMessage, res: http.ServerResponse, method: string, key: string): Promise<void> {
    if (method !== 'GET' && method !== 'PUT' && method !== 'DELETE') return sendJson(res, 405, { error: 'method-not-allowed' });
    const value = method === 'PUT' ? await readBody(req, MAX_VALUE_BYTES) : null;
    if (!this.node.ready) return sendJson(res, 503, { error: 'not-ready' });
    if (method !== 'GET' && this.node.role !== 'primary') return sendJson(res, 409, { error: 'not-primary', role: this.node.role });
    const admitted = await this.gate.acquire(() => res.destroyed || req.socket.destroyed);
    if (admitted !== true) return sendJson(res, 503, { error: 'overloaded', reason: admitted });
    let held = true;
    const release = (): void => {
      if (held) this.gate.release();
      held = false;
    };
    try {
      await this.gate.serviceDelay();
      if (method === 'GET') {
        // A stateless node answers every read with its own id: it serves, it does not store.
        if (this.node.role === 'stateless') return send(res, 200, this.config.nodeId, { 'x-node-id': this.config.nodeId });
        const found = this.node.get(key);
        if (!found) return sendJson(res, 404, { error: 'not-found', key }, { 'x-lsn': String(this.node.state.lsn) });
        return send(res, 200, found, { 'content-type': 'application/octet-stream', 'x-lsn': String(this.node.state.lsn) });
      }
      const lsn = await this.node.write(method === 'PUT' ? OP_PUT : OP_DELETE, key, value ?? Buffer.alloc(0), release);
      sendJson(res, 200, { lsn });
    } finally {
      release();
    }
  }

  private status(): Record<string, unknown> {
    const last = this.node.lastCheckpoint;
    return {
      nodeId: this.config.nodeId,
      role: this.node.role,
      pid: process.pid,
      bootId: this.bootId,
      generation: last?.generation ?? null,
      lsn: this.node.state.lsn,
      lastRecordCrc: this.node.state.lastRecordCrc,
      epoch: this.node.epochs.current,
      epochId: this.node.epochs.lastId,
      keys: this.node.state.map.size,
      lastCheckpoint: last,
      replication: this.node.replicationStatus(),
      ready: this.node.ready,
      inflight: this.gate.inflight,
      queued: this.gate.queued,
      uptimeMs: Date.now() - this.startedAt,
      config: {
        ...this.gate.settings,
        fsync: this.config.fsync,
        checkpointIntervalMs: this.config.checkpointIntervalMs,
        checkpointEveryWrites: this.config.checkpointEveryWrites,
        keep: this.config.keep,
        dataDir: this.config.dataDir,
        port: this.config.port,
      },
    };
  }

  private dump(encoding: 'utf8' | 'base64'): Record<string, unknown> {
    const entries: Record<string, string> = {};
    for (const [key, value] of this.node.state.map) entries[key] = value.toString(encoding);
    return { lsn: this.node.state.lsn, encoding, entries };
  }

  private applyConfig(body: Record<string, unknown>): Record<string, unknown> {
    const change: Partial<typeof this.gate.settings> = {};
    for (const [name, min] of [
      ['serviceTimeMs', 0],
      ['concurrency', 1],
      ['queueLimit', 0],
      ['queueTimeoutMs', 0],
    ] as const) {
      const value = body[name];
      if (value === undefined) continue;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < min || (name !== 'serviceTimeMs' && !Number.isInteger(value))) {
        throw new HttpError(400, { error: 'bad-config', field: name, detail: `must be a number >= ${min}` });
      }
      change[name] = value;
    }
    const replication = replicationChange(body);
    this.gate.update(change);
    this.node.reconfigureReplication(replication);
    return this.status();
  }
}

function promotion(body: Record<string, unknown>): ReturnType<typeof replicationChange> & { restore?: boolean } {
  const change = replicationChange(body);
  if (body.restore === undefined) return change;
  if (typeof body.restore !== 'boolean') throw new HttpError(400, { error: 'bad-config', field: 'restore', detail: 'must be true or false' });
  return { ...change, restore: body.restore };
}

/** The primary's promotion epochs sent with a replication batch; absent or malformed: none. */
function epochsOf(req: http.IncomingMessage): Epoch[] | null {
  const raw = req.headers['x-epochs'];
  if (typeof raw !== 'string') return null;
  try {
    return parseEpochs(JSON.parse(raw));
  } catch {
    return null;
  }
}

/** The endpoints only the lab may call: they change roles, take data in, or read all of it. */
function isLabOnly(path: string): boolean {
  return path.startsWith('/admin/') || path.startsWith('/replication/') || path === '/dump' || path === '/admin' || path === '/replication';
}

/**
 * Why a request to a lab-only endpoint is refused, or null. A web page can reach 127.0.0.1 (a
 * port scan, DNS rebinding): its Host is its own name, its Origin is its own site, and it does not
 * know the per-lab secret the engine gave this node through the environment.
 */
export function refuseStranger(req: http.IncomingMessage, secret: string | null): Record<string, unknown> | null {
  const host = req.headers.host;
  // Through the balancer the client's Host arrives as X-Forwarded-Host: it must be loopback too.
  const forwarded = req.headers['x-forwarded-host'];
  for (const name of [host, ...(forwarded === undefined ? [] : String(forwarded).split(','))]) {
    if (typeof name !== 'string' || !isLoopbackHost(hostName(name))) return { error: 'forbidden', reason: 'foreign-host', detail: 'only 127.0.0.1, localhost or [::1] may be named in Host' };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !isLoopbackOrigin(origin)) return { error: 'forbidden', reason: 'foreign-origin', detail: 'a cross-site request is refused here' };
  if (secret === null) return { error: 'forbidden', reason: 'no-node-secret', detail: 'this node was started without FIREDRILL_NODE_SECRET: its admin, replication and dump endpoints are closed' };
  const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (given === undefined || !sameSecret(given, secret)) return { error: 'forbidden', reason: 'bad-node-secret', detail: 'the lab\'s node secret is required (Authorization: Bearer)' };
  return null;
}

/** `127.0.0.1:4100` → `127.0.0.1`, `[::1]:80` → `[::1]`, `localhost` → `localhost`. */
function hostName(host: string): string {
  const match = /^(\[[^\]]*\]|[^:]*)(?::\d*)?$/.exec(host.trim());
  return match ? match[1]! : '';
}

function isLoopbackOrigin(origin: string | string[]): boolean {
  if (typeof origin !== 'string') return false;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHost(url.hostname);
  } catch {
    return false; // `null` (a sandboxed frame, a file) and anything unparsable
  }
}

function sameSecret(given: string, secret: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

function replicationChange(body: Record<string, unknown>): { replicas?: ReplicaAddress[]; replication?: ReplicationMode } {
  try {
    const out: { replicas?: ReplicaAddress[]; replication?: ReplicationMode } = {};
    if (body.replicas !== undefined) {
      const list = body.replicas;
      if (typeof list !== 'string' && !(Array.isArray(list) && list.every((r) => typeof r === 'string'))) {
        throw new ConfigError('replicas', 'must be a list of "host:port"');
      }
      out.replicas = parseReplicas('replicas', list as string | string[]);
    }
    if (body.replication !== undefined) out.replication = parseReplicationMode('replication', String(body.replication));
    return out;
  } catch (error) {
    if (error instanceof ConfigError) throw new HttpError(400, { error: 'bad-config', field: error.flag, detail: error.message });
    throw error;
  }
}

function decodeKey(raw: string): string {
  let key: string;
  try {
    key = decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, { error: 'bad-key' });
  }
  if (key === '') throw new HttpError(400, { error: 'empty-key' });
  return key;
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new HttpError(413, { error: 'too-large', limit }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    // Copy a lone chunk so a stored value never pins the socket's read buffer.
    req.on('end', () => resolve(chunks.length === 1 ? Buffer.from(chunks[0]!) : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readBody(req, MAX_ADMIN_BYTES);
  if (body.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // Fall through to the 400 below.
  }
  throw new HttpError(400, { error: 'bad-json' });
}

function send(res: http.ServerResponse, status: number, body: string | Buffer, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  send(res, status, JSON.stringify(body), { 'content-type': 'application/json', ...headers });
}

function sendAnswer(res: http.ServerResponse, answer: { status: number; body: Record<string, unknown> }, bootId: string): void {
  sendJson(res, answer.status, { ...answer.body, bootId });
}
