// Command-line flags of the bundled test server; the fleet supervisor passes exactly these.

export type Role = 'primary' | 'standby' | 'stateless';
/**
 * `sync`: strict — a write is acknowledged only once every configured standby has it, or fails
 * (503) after `syncTimeoutMs`. `sync-degradable`: waits for every *connected* standby and goes on
 * alone when one is lost. `async`: acknowledged at once, shipped in the background.
 */
export type ReplicationMode = 'sync' | 'sync-degradable' | 'async';
export const REPLICATION_MODES: readonly ReplicationMode[] = ['sync', 'sync-degradable', 'async'];
/** 'always' = fsync before acknowledging; a number = fsync every that many ms. */
export type FsyncPolicy = 'always' | number;

export interface ReplicaAddress {
  host: string;
  port: number;
}

export interface ServerConfig {
  port: number;
  dataDir: string | null;
  nodeId: string;
  role: Role;
  replicas: ReplicaAddress[];
  replication: ReplicationMode;
  /** Strict sync: how long a write waits for its standbys before it fails with 503. */
  syncTimeoutMs: number;
  fsync: FsyncPolicy;
  checkpointIntervalMs: number;
  checkpointEveryWrites: number;
  keep: number;
  serviceTimeMs: number;
  concurrency: number;
  queueLimit: number;
  queueTimeoutMs: number;
  watchParent: boolean;
  /** Required (Bearer) on /admin/*, /replication/* and /dump, and sent to standbys; from the environment. */
  nodeSecret: string | null;
}

/** A bad command line; `flag` is the flag to name in the one-line message. */
export class ConfigError extends Error {
  constructor(
    readonly flag: string,
    detail: string,
  ) {
    super(`${flag}: ${detail}`);
  }
}

const VALUE_FLAGS = new Set([
  '--port',
  '--data',
  '--node-id',
  '--role',
  '--replicas',
  '--replication',
  '--sync-timeout-ms',
  '--fsync',
  '--checkpoint-interval-ms',
  '--checkpoint-every-writes',
  '--keep',
  '--service-time-ms',
  '--concurrency',
  '--queue-limit',
  '--queue-timeout-ms',
]);
const SWITCH_FLAGS = new Set(['--watch-parent']);

export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): ServerConfig {
  const values = new Map<string, string>();
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (SWITCH_FLAGS.has(flag)) {
      if (flag !== arg) throw new ConfigError(flag, 'takes no value');
      switches.add(flag);
    } else if (VALUE_FLAGS.has(flag)) {
      let value: string | undefined;
      if (flag !== arg) value = arg.slice(eq + 1);
      else {
        value = argv[i + 1];
        if (value === undefined || value.startsWith('--')) throw new ConfigError(flag, 'needs a value');
        i++;
      }
      if (values.has(flag)) throw new ConfigError(flag, 'given more than once');
      values.set(flag, value);
    } else {
      throw new ConfigError(arg.startsWith('--') ? flag : arg, 'unknown argument');
    }
  }

  const role = parseRole(values.get('--role'));
  const rawPort = values.get('--port');
  if (rawPort === undefined) throw new ConfigError('--port', 'is required');
  const port = integer('--port', rawPort, 1, 65535);
  const dataDir = values.get('--data') ?? null;
  if (dataDir === null && role !== 'stateless') throw new ConfigError('--data', `is required for role ${role}`);
  if (dataDir === '') throw new ConfigError('--data', 'must not be empty');
  const nodeId = values.get('--node-id') ?? 'node';
  if (!/^[\w.:-]{1,64}$/.test(nodeId)) throw new ConfigError('--node-id', `must be 1-64 of [A-Za-z0-9_.:-] (got "${nodeId}")`);

  return {
    port,
    dataDir,
    nodeId,
    role,
    replicas: parseReplicas('--replicas', values.get('--replicas') ?? ''),
    replication: parseReplicationMode('--replication', values.get('--replication') ?? 'sync'),
    syncTimeoutMs: integer('--sync-timeout-ms', values.get('--sync-timeout-ms') ?? String(DEFAULT_SYNC_TIMEOUT_MS), 1, 600_000),
    fsync: parseFsync(values.get('--fsync') ?? 'always'),
    checkpointIntervalMs: integer('--checkpoint-interval-ms', values.get('--checkpoint-interval-ms') ?? '5000', 0, 86_400_000),
    checkpointEveryWrites: integer('--checkpoint-every-writes', values.get('--checkpoint-every-writes') ?? '1000', 0, 1e9),
    keep: integer('--keep', values.get('--keep') ?? '3', 1, 1000),
    serviceTimeMs: number('--service-time-ms', values.get('--service-time-ms') ?? '0', 0, 600_000),
    concurrency: integer('--concurrency', values.get('--concurrency') ?? '64', 1, 100_000),
    queueLimit: integer('--queue-limit', values.get('--queue-limit') ?? '256', 0, 1_000_000),
    queueTimeoutMs: integer('--queue-timeout-ms', values.get('--queue-timeout-ms') ?? '2000', 0, 600_000),
    watchParent: switches.has('--watch-parent'),
    nodeSecret: nodeSecretFrom(env),
  };
}

function parseRole(value: string | undefined): Role {
  if (value === undefined) return 'primary';
  if (value === 'primary' || value === 'standby' || value === 'stateless') return value;
  throw new ConfigError('--role', `must be primary, standby or stateless (got "${value}")`);
}

/** Below the balancer's default per-try timeout (1 s), so the 503 — not a timeout — reaches the client. */
export const DEFAULT_SYNC_TIMEOUT_MS = 800;

export function parseReplicationMode(flag: string, value: string): ReplicationMode {
  if ((REPLICATION_MODES as readonly string[]).includes(value)) return value as ReplicationMode;
  throw new ConfigError(flag, `must be sync, sync-degradable or async (got "${value}")`);
}

function parseFsync(value: string): FsyncPolicy {
  if (value === 'always') return 'always';
  return integer('--fsync', value, 1, 60_000);
}

export function parseReplicas(flag: string, value: string | readonly string[]): ReplicaAddress[] {
  const parts = typeof value === 'string' ? value.split(',') : value;
  const out: ReplicaAddress[] = [];
  for (const raw of parts) {
    const part = raw.trim();
    if (part === '') continue;
    const colon = part.lastIndexOf(':');
    const host = part.slice(0, colon);
    if (colon <= 0 || !/^([\w.-]+|\[::1\])$/.test(host)) throw new ConfigError(flag, `expected host:port (got "${part}")`);
    // Nodes obey only the lab on this machine: a primary never ships its data elsewhere.
    if (!isLoopbackHost(host)) throw new ConfigError(flag, `replica "${part}" is not a loopback address (127.0.0.1, localhost or [::1])`);
    out.push({ host: host === '[::1]' ? '::1' : host, port: integer(flag, part.slice(colon + 1), 1, 65535) });
  }
  return out;
}

/** 127.0.0.0/8, localhost or ::1 (bracketed or not). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare.toLowerCase() === 'localhost' || bare === '::1') return true;
  const octets = bare.split('.');
  return octets.length === 4 && octets[0] === '127' && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255);
}

/** The per-lab node secret, from the environment (never argv: `ps` shows argv to every user). */
export const NODE_SECRET_ENV = 'FIREDRILL_NODE_SECRET';

/** null: no secret given; the admin, replication and dump endpoints then refuse everyone. */
export function nodeSecretFrom(env: NodeJS.ProcessEnv): string | null {
  const secret = env[NODE_SECRET_ENV];
  if (secret === undefined || secret === '') return null;
  if (secret.length < 16 || !/^[\x21-\x7e]+$/.test(secret)) throw new ConfigError(NODE_SECRET_ENV, 'must be at least 16 printable characters, no spaces');
  return secret;
}

function integer(flag: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value)) throw new ConfigError(flag, `must be an integer ${min}..${max} (got "${value}")`);
  return number(flag, value, min, max);
}

function number(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new ConfigError(flag, `must be a number ${min}..${max} (got "${value}")`);
  }
  return n;
}

export function formatAddress(address: ReplicaAddress): string {
  return `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
}
