import { z } from 'zod';

/** Node ids appear in paths, URLs and logs, so they are kept to a safe alphabet. */
export const NodeId = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,31}$/, 'a node id is 1-32 chars of a-z, 0-9 and -, starting with a letter');

export const NodeRole = z.enum(['primary', 'standby', 'stateless', 'custom']);
export type NodeRole = z.infer<typeof NodeRole>;

export const NodeStatus = z.enum([
  'stopped', // never started, or stopped by the lab
  'starting', // spawned, not ready yet
  'ready', // ready check passed
  'stopping', // the lab asked it to stop
  'exited', // died, restart policy said no
  'backoff', // died, waiting to be restarted
  'crash-loop', // died too often too quickly; the supervisor gave up
]);
export type NodeStatus = z.infer<typeof NodeStatus>;

export const RestartPolicy = z.enum(['always', 'on-failure', 'never']);
export type RestartPolicy = z.infer<typeof RestartPolicy>;

export const NodeExit = z.object({
  code: z.number().int().nullable(),
  signal: z.string().nullable(),
  at: z.number(),
  byLab: z.boolean(),
});
export type NodeExit = z.infer<typeof NodeExit>;

export const NodeSnapshot = z.object({
  id: NodeId,
  kind: z.enum(['bundled', 'command']),
  role: NodeRole,
  pid: z.number().int().nullable(),
  port: z.number().int(),
  status: NodeStatus,
  restarts: z.number().int(),
  dataDir: z.string(),
  restartPolicy: RestartPolicy,
  startedAt: z.number().nullable(),
  readyAt: z.number().nullable(),
  lastExit: NodeExit.nullable(),
  /** When status is `backoff`, the time the next start is due. */
  nextStartAt: z.number().nullable(),
});
export type NodeSnapshot = z.infer<typeof NodeSnapshot>;

const Millis = z.number().int().min(0).max(3_600_000);

/**
 * How a primary ships its log. `sync` is strict: a write is acknowledged only once every standby
 * has it, else it fails (503) after `syncTimeoutMs`. `sync-degradable` acknowledges alone while
 * its standby is lost. `async` acknowledges at once and ships behind (the tail may be lost).
 */
export const ReplicationMode = z.enum(['sync', 'sync-degradable', 'async']);
export type ReplicationMode = z.infer<typeof ReplicationMode>;

/** Settings of the bundled test server (electron/server), passed as its command-line flags. */
export const BundledServerOptions = z
  .object({
    serviceTimeMs: Millis.optional(),
    concurrency: z.number().int().min(1).max(10_000).optional(),
    queueLimit: z.number().int().min(0).max(100_000).optional(),
    queueTimeoutMs: Millis.optional(),
    /** `always`: fsync before acknowledging; a number: fsync every that many ms. */
    fsync: z.union([z.literal('always'), z.number().int().min(1).max(60_000)]).optional(),
    checkpointIntervalMs: Millis.optional(),
    checkpointEveryWrites: z.number().int().min(0).max(10_000_000).optional(),
    keep: z.number().int().min(1).max(100).optional(),
    replication: ReplicationMode.optional(),
    /** Strict `sync`: how long a write waits for its standby before it fails with 503 (default 800). */
    syncTimeoutMs: z.number().int().min(1).max(600_000).optional(),
    /** Ids of the standbys a primary ships its log to. */
    replicas: z.array(NodeId).optional(),
  })
  .strict();
export type BundledServerOptions = z.infer<typeof BundledServerOptions>;

const restartFields = {
  policy: RestartPolicy,
  backoffInitialMs: z.number().int().min(0).max(60_000),
  backoffMaxMs: z.number().int().min(0).max(600_000),
  /** This many failures, each within `quickFailureMs` of its start, in a row: crash-loop. */
  crashLoopAfter: z.number().int().min(1).max(100),
  quickFailureMs: z.number().int().min(0).max(600_000),
};

/** Restart settings as written in a fleet file: any subset, merged over the fleet's and the defaults. */
export const RestartOverrides = z.object(restartFields).partial().strict();
export type RestartOverrides = z.infer<typeof RestartOverrides>;

export const RestartSettings = z
  .object({
    policy: restartFields.policy.default('always'),
    backoffInitialMs: restartFields.backoffInitialMs.default(100),
    backoffMaxMs: restartFields.backoffMaxMs.default(10_000),
    crashLoopAfter: restartFields.crashLoopAfter.default(5),
    quickFailureMs: restartFields.quickFailureMs.default(2_000),
  })
  .strict();
export type RestartSettings = z.infer<typeof RestartSettings>;

const NodeSpecBase = {
  id: NodeId,
  restart: RestartOverrides.optional(),
  /** How long a start may take before the node counts as failed. */
  readyTimeoutMs: z.number().int().min(100).max(600_000).optional(),
  /** Start with the fleet (default). A cold standby is false: the lab starts it when it is needed. */
  autostart: z.boolean().default(true),
};

export const BundledNodeSpec = z
  .object({
    ...NodeSpecBase,
    kind: z.literal('bundled').default('bundled'),
    role: z.enum(['primary', 'standby', 'stateless']).default('primary'),
    server: BundledServerOptions.optional(),
  })
  .strict();

/** Text the lab passes to exec: never a NUL (exec cannot carry one); a program path has no control character at all. */
const ExecText = (max: number) => z.string().max(max).refine((text) => !text.includes('\u0000'), 'no NUL character');
const ProgramPath = z
  .string()
  .min(1)
  .max(4_096)
  // eslint-disable-next-line no-control-regex -- control characters are what it refuses
  .refine((text) => !/[\u0000-\u001f\u007f]/.test(text), 'no control characters (NUL, newline, escape, ...)');

/** An HTTP path the lab puts in a request line: printable ASCII without spaces; percent-encode the rest. */
const HealthPath = z
  .string()
  .max(2_048)
  .regex(/^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*$/, 'a path starting with "/", printable ASCII without spaces (percent-encode anything else), up to 2,048 characters');

/** An environment variable's name, as a shell would take it. */
const EnvName = z
  .string()
  .max(256)
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a variable name is letters, digits and _, not starting with a digit')
  .refine((name) => name !== '__proto__', 'not __proto__');

export const CommandNodeSpec = z
  .object({
    ...NodeSpecBase,
    kind: z.literal('command'),
    /** The program to run; `{port}` and `{dataDir}` are replaced in args and env values. */
    command: ProgramPath,
    args: z.array(ExecText(32_768)).max(256).default([]),
    env: z
      .record(EnvName, ExecText(32_768))
      .refine((env) => Object.keys(env).length <= 256, 'at most 256 variables')
      .default({}),
    /** HTTP path polled on 127.0.0.1:{port} until it answers 2xx; omit to count the node ready once spawned. */
    healthPath: HealthPath.optional(),
  })
  .strict();

export const NodeSpec = z.union([CommandNodeSpec, BundledNodeSpec]);
export type NodeSpec = z.infer<typeof NodeSpec>;
export type NodeSpecInput = z.input<typeof NodeSpec>;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What a fleet's nodes say about each other, checked where the file says it (so `serve --fleet` names
 * the line, not a stack): ids are unique; only a primary ships its log, to bundled standbys of the
 * same fleet, each fed by one primary. It also runs when other fields are wrong (every mistake at
 * once), so it reads the nodes as unknown values.
 */
function checkNodeLinks(fleet: unknown, ctx: z.RefinementCtx): void {
  const nodes: unknown[] = isRecord(fleet) && Array.isArray(fleet.nodes) ? fleet.nodes : [];
  const byId = new Map<string, { index: number; kind: string; role: string }>();
  const roleOf = (node: Record<string, unknown>): string => (typeof node.role === 'string' ? node.role : 'primary');
  nodes.forEach((node, index) => {
    if (!isRecord(node) || typeof node.id !== 'string') return;
    const first = byId.get(node.id);
    if (first) ctx.addIssue({ code: 'custom', path: ['nodes', index, 'id'], message: `node id "${node.id}" is already used by nodes.${first.index}` });
    else byId.set(node.id, { index, kind: node.kind === 'command' ? 'command' : 'bundled', role: roleOf(node) });
  });
  const feeder = new Map<string, string>();
  nodes.forEach((node, index) => {
    if (!isRecord(node) || !isRecord(node.server) || !Array.isArray(node.server.replicas)) return;
    const replicas: unknown[] = node.server.replicas;
    const path = ['nodes', index, 'server', 'replicas'];
    if (replicas.length > 0 && roleOf(node) !== 'primary') {
      ctx.addIssue({ code: 'custom', path, message: `only a primary ships its log; this node is a ${roleOf(node)}` });
      return;
    }
    const seen = new Set<string>();
    replicas.forEach((id, j) => {
      if (typeof id !== 'string') return;
      const at = [...path, j];
      const target = byId.get(id);
      let message: string | null = null;
      if (seen.has(id)) message = `"${id}" is listed twice`;
      else if (id === node.id) message = 'a node cannot replicate to itself';
      else if (!target) message = `no node "${id}" in this fleet`;
      else if (target.kind === 'command') message = `"${id}" is a command node: only a bundled standby can take a primary's log`;
      else if (target.role !== 'standby') message = `"${id}" is a ${target.role}, not a standby: give it role: standby`;
      else if (feeder.has(id) && feeder.get(id) !== node.id) message = `"${id}" already takes the log of "${feeder.get(id)}": a standby follows one primary`;
      seen.add(id);
      if (message) ctx.addIssue({ code: 'custom', path: at, message });
      else feeder.set(id, String(node.id));
    });
  });
}

export const FleetSpec = z
  .object({
    name: z
      .string()
      .max(100)
      // eslint-disable-next-line no-control-regex -- control characters are what it refuses
      .refine((name) => !/[\u0000-\u001f\u007f-\u009f]/.test(name), 'no control characters')
      .optional(),
    restart: RestartOverrides.optional(),
    nodes: z.array(NodeSpec).min(1).max(64),
  })
  .strict()
  .superRefine(checkNodeLinks, { when: () => true });
export type FleetSpec = z.infer<typeof FleetSpec>;
export type FleetSpecInput = z.input<typeof FleetSpec>;

export const TimelineEvent = z.object({
  seq: z.number().int(),
  /** Epoch milliseconds with sub-millisecond precision, from the engine's monotonic clock. */
  at: z.number(),
  kind: z.string(),
  nodeId: NodeId.optional(),
  detail: z.record(z.string(), z.unknown()).default({}),
});
export type TimelineEvent = z.infer<typeof TimelineEvent>;

export const LogLine = z.object({
  nodeId: z.string(),
  stream: z.enum(['stdout', 'stderr', 'lab']),
  at: z.number(),
  text: z.string(),
});
export type LogLine = z.infer<typeof LogLine>;

export const LogBatch = z.object({
  lines: z.array(LogLine),
  /** Lines dropped from the per-node buffers since the last batch. */
  dropped: z.number().int().default(0),
});
export type LogBatch = z.infer<typeof LogBatch>;

export const FleetState = z.object({
  name: z.string().nullable(),
  status: z.enum(['stopped', 'starting', 'running', 'stopping']),
});
export type FleetState = z.infer<typeof FleetState>;


// ---- Balancer, topology, traffic, incidents, metrics -------------------------------------

/**
 * A schema for changing some settings: every field optional, and none filled in with its default
 * (zod's `partial()` keeps defaults, which would silently reset what a patch does not name).
 */
export function patchOf<T extends z.ZodRawShape>(schema: z.ZodObject<T>) {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    const inner = field instanceof z.ZodDefault ? (field.unwrap() as z.ZodType) : (field as z.ZodType);
    shape[key] = inner.optional();
  }
  return z.object(shape).strict() as unknown as z.ZodObject<{ [K in keyof T]: z.ZodOptional<T[K] extends z.ZodDefault<infer I> ? I : T[K]> }, z.core.$strict>;
}

/** `base` with what `patch` gives (a field absent or undefined in it keeps its value): two parsed values merged, nothing parsed again. */
export function withPatch<T extends object>(base: T, patch: Partial<T>): T {
  const merged = { ...base };
  for (const [key, value] of Object.entries(patch) as Array<[keyof T, T[keyof T] | undefined]>) if (value !== undefined) merged[key] = value;
  return merged;
}

export const BalancerStrategy = z.enum(['round-robin', 'weighted-round-robin', 'random', 'least-connections', 'least-response-time']);
export type BalancerStrategy = z.infer<typeof BalancerStrategy>;

/** Active detection: probes of each upstream. Defaults 100 ms / 150 ms / rise 1 / fall 2. */
export const HealthCheckSettings = z
  .object({
    enabled: z.boolean().default(true),
    path: HealthPath.default('/readyz'),
    intervalMs: z.number().int().min(10).max(60_000).default(100),
    timeoutMs: z.number().int().min(5).max(60_000).default(150),
    /** Consecutive passes that put an ejected node back. */
    rise: z.number().int().min(1).max(100).default(1),
    /** Consecutive failures that eject a node. */
    fall: z.number().int().min(1).max(100).default(2),
  })
  .strict();
export type HealthCheckSettings = z.infer<typeof HealthCheckSettings>;

/** Passive detection (outlier ejection) from errors seen on live traffic. */
export const PassiveDetectionSettings = z
  .object({
    enabled: z.boolean().default(true),
    /** Connection refused/reset, per-try timeouts and 5xx in a row that eject a node. */
    consecutiveFailures: z.number().int().min(1).max(1_000).default(3),
    /** First ejection lasts this long; each further ejection of the same node doubles it, up to the max. */
    baseEjectionMs: z.number().int().min(10).max(600_000).default(1_000),
    maxEjectionMs: z.number().int().min(10).max(3_600_000).default(30_000),
    /** Never eject more than this share of the upstreams (at least one is always kept). */
    maxEjectedPercent: z.number().min(0).max(100).default(50),
  })
  .strict();
export type PassiveDetectionSettings = z.infer<typeof PassiveDetectionSettings>;

export const RetrySettings = z
  .object({
    enabled: z.boolean().default(true),
    /** Tries in all, the first included. */
    maxTries: z.number().int().min(1).max(10).default(3),
    perTryTimeoutMs: z.number().int().min(1).max(600_000).default(1_000),
    /** Retries may be at most this share of requests over the last 10 s (a retry budget), ... */
    budgetPercent: z.number().min(0).max(1_000).default(20),
    /** ... plus this many retries per second, so a quiet balancer can still retry. */
    budgetMinPerSec: z.number().min(0).max(100_000).default(10),
  })
  .strict();
export type RetrySettings = z.infer<typeof RetrySettings>;

/**
 * Failover hold (standby topologies): while the lost primary's standby is promoted, idempotent
 * requests (GET, HEAD, OPTIONS, TRACE, PUT, DELETE) wait for the new primary instead of failing,
 * up to the topology's deadline counted from the loss; past it they get 503 with Retry-After.
 * Defaults: a few times each topology's promotion on a busy 2-core machine (hot: a promote call,
 * tens of ms; warm: a checkpoint drain and a restore; cold: a process spawn and a restore).
 */
export const FailoverHoldSettings = z
  .object({
    hold: z.boolean().default(true),
    hotDeadlineMs: z.number().int().min(0).max(600_000).default(1_000),
    warmDeadlineMs: z.number().int().min(0).max(600_000).default(2_000),
    coldDeadlineMs: z.number().int().min(0).max(600_000).default(4_000),
  })
  .strict();
export type FailoverHoldSettings = z.infer<typeof FailoverHoldSettings>;

/**
 * How many threads serve the balancer's port (each a whole balancer; the kernel spreads connections
 * among them): `auto`, one per core up to 4 (each thread costs ~57 MiB). More than one needs SO_REUSEPORT from Node (≥ 22.12, Linux);
 * where it is missing the lab runs one and says why (`BalancerState.workers`).
 */
export const BalancerWorkerCount = z.union([z.literal('auto'), z.number().int().min(1).max(64)]);
export type BalancerWorkerCount = z.infer<typeof BalancerWorkerCount>;

export const BalancerSettings = z
  .object({
    strategy: BalancerStrategy.default('round-robin'),
    /** Per-node weights for weighted strategies (default 1). */
    weights: z.record(NodeId, z.number().min(0).max(1_000)).default({}),
    /** Decay of least-response-time's latency average (EWMA), in ms. */
    ewmaDecayMs: z.number().min(1).max(600_000).default(1_000),
    health: HealthCheckSettings.default(HealthCheckSettings.parse({})),
    passive: PassiveDetectionSettings.default(PassiveDetectionSettings.parse({})),
    retry: RetrySettings.default(RetrySettings.parse({})),
    failover: FailoverHoldSettings.default(FailoverHoldSettings.parse({})),
    workers: BalancerWorkerCount.default('auto'),
  })
  .strict();
export type BalancerSettings = z.infer<typeof BalancerSettings>;

/** The same settings as a patch: `balancer.set` changes only what it names. */
export const BalancerSettingsPatch = z
  .object({
    strategy: BalancerStrategy.optional(),
    weights: z.record(NodeId, z.number().min(0).max(1_000)).optional(),
    ewmaDecayMs: z.number().min(1).max(600_000).optional(),
    health: patchOf(HealthCheckSettings).optional(),
    passive: patchOf(PassiveDetectionSettings).optional(),
    retry: patchOf(RetrySettings).optional(),
    failover: patchOf(FailoverHoldSettings).optional(),
    workers: BalancerWorkerCount.optional(),
  })
  .strict();
export type BalancerSettingsPatch = z.infer<typeof BalancerSettingsPatch>;

export const UpstreamState = z.enum(['in-rotation', 'ejected', 'down', 'standby']);
export type UpstreamState = z.infer<typeof UpstreamState>;

export const UpstreamSnapshot = z.object({
  id: NodeId,
  port: z.number().int(),
  state: UpstreamState,
  weight: z.number(),
  inflight: z.number().int(),
  /** Latency average used by least-response-time, ms. */
  ewmaMs: z.number().nullable(),
  consecutiveFailures: z.number().int(),
  ejections: z.number().int(),
  ejectedUntil: z.number().nullable(),
  lastDetection: z.object({ via: z.enum(['exit', 'passive', 'active']), at: z.number(), reason: z.string() }).nullable(),
});
export type UpstreamSnapshot = z.infer<typeof UpstreamSnapshot>;

export const TopologyKind = z.enum(['active-active', 'hot-standby', 'warm-standby', 'cold-standby']);
export type TopologyKind = z.infer<typeof TopologyKind>;

export const TopologySpec = z
  .object({
    kind: TopologyKind,
    /** Active-active: how many stateless nodes (N+1 means one more than the load needs). */
    nodes: z.number().int().min(1).max(32).default(3),
    /** Hot standby only: how the primary ships its log (`sync` is strict; see ReplicationMode). */
    replication: ReplicationMode.default('sync'),
    server: BundledServerOptions.omit({ replicas: true, replication: true }).optional(),
    restart: RestartOverrides.optional(),
    /**
     * How many serving nodes the load needs (k of m): the availability arithmetic counts the service
     * up while at least this many are. Absent: one is enough. A standby topology serves from one node.
     */
    needed: z.number().int().min(1).max(32).optional(),
  })
  .strict();
export type TopologySpec = z.infer<typeof TopologySpec>;

export const KeyDistribution = z.enum(['uniform', 'zipf']);

export const TrafficSettings = z
  .object({
    /** Requests per second, sent open-loop: on schedule, whatever the latency. */
    rate: z.number().min(0.1).max(20_000).default(200),
    /** Bounded: traffic stops by itself after this long. */
    durationMs: z.number().int().min(100).max(3_600_000).default(60_000),
    /** Share of requests that are reads (GET); the rest are writes (PUT). */
    readShare: z.number().min(0).max(1).default(0.8),
    keys: z.number().int().min(1).max(1_000_000).default(1_000),
    distribution: KeyDistribution.default('uniform'),
    valueBytes: z.number().int().min(1).max(1_048_576).default(64),
    /** The client's own timeout per request (the balancer's per-try timeout is separate). */
    timeoutMs: z.number().int().min(1).max(600_000).default(2_000),
    /** Cap on requests in flight: past it a scheduled request is counted as dropped, not delayed. */
    maxInFlight: z.number().int().min(1).max(100_000).default(2_000),
    seed: z.number().int().default(1),
  })
  .strict();
export type TrafficSettings = z.infer<typeof TrafficSettings>;
export const TrafficSettingsPatch = patchOf(TrafficSettings);
export type TrafficSettingsPatch = z.infer<typeof TrafficSettingsPatch>;

export const LatencySummary = z.object({ p50: z.number(), p90: z.number(), p99: z.number(), max: z.number(), count: z.number().int() });
export type LatencySummary = z.infer<typeof LatencySummary>;

export const LedgerCounts = z.object({
  /** Acknowledged writes recorded by the traffic generator. */
  acked: z.number().int(),
  /** Keys checked against the current primary at the last check. */
  checked: z.number().int(),
  lost: z.number().int(),
  stale: z.number().int(),
  checkedAt: z.number().nullable(),
});
export type LedgerCounts = z.infer<typeof LedgerCounts>;

export const TrafficStats = z.object({
  sent: z.number().int(),
  ok: z.number().int(),
  failed: z.number().int(),
  /** Scheduled requests not sent because maxInFlight was reached. */
  dropped: z.number().int(),
  retried: z.number().int(),
  reads: z.object({ sent: z.number().int(), failed: z.number().int() }),
  writes: z.object({ sent: z.number().int(), failed: z.number().int() }),
  latency: LatencySummary,
  perNode: z.record(z.string(), z.object({ ok: z.number().int(), failed: z.number().int(), latency: LatencySummary })),
});
export type TrafficStats = z.infer<typeof TrafficStats>;

export const IncidentStage = z.enum(['injected', 'observed', 'detected', 'ejected', 'failedOver', 'restarted', 'restored', 'recovered']);
export type IncidentStage = z.infer<typeof IncidentStage>;

/**
 * An incident's MTTR in parts that add up to it: detection (fault → detected), time the drill's
 * script held the node down (its waits and steps before asking for the act, a fault it had not
 * reverted yet), time the recovery waited on a person (prompt shown → act done), and the rest,
 * the system's own recovery. Made by shared/report/mttr-split.ts.
 */
export const MttrSplit = z.object({
  detectionMs: z.number(),
  drillMs: z.number(),
  operatorMs: z.number(),
  automaticMs: z.number(),
});
export type MttrSplit = z.infer<typeof MttrSplit>;

/**
 * What the balancer's failover hold did for one incident: idempotent requests held until a node
 * could serve them (sent on, or answered 503 + Retry-After at the deadline), and for how long; and
 * non-idempotent writes answered 503 + Retry-After because they could not be known to have landed
 * (or could not be sent) while there was no primary.
 */
export const FailoverHeld = z.object({
  /** Requests held (each counted once, at its end). */
  requests: z.number().int(),
  /** Of those, answered below 500 once sent on (to the new primary, or the old one back). */
  served: z.number().int(),
  /** Of those, still waiting at the deadline: 503 + Retry-After. */
  expired: z.number().int(),
  /** Longest and total time held, ms. */
  maxMs: z.number(),
  totalMs: z.number(),
  /** Non-idempotent writes answered 503 + Retry-After during the failover. */
  refusedWrites: z.number().int(),
});
export type FailoverHeld = z.infer<typeof FailoverHeld>;

export const Incident = z.object({
  id: z.string(),
  nodeId: NodeId,
  /** What happened: `exit` (a process died, whoever killed it), `hang`, `fault:<type>`, ... */
  cause: z.string(),
  /** Ground-truth timestamps of each stage reached (epoch ms, monotonic clock). */
  stages: z.partialRecord(IncidentStage, z.number()),
  /** `operator`: nothing in the lab noticed; a person promoted the standby (`node.promote`). */
  detectedVia: z.enum(['exit', 'passive', 'active', 'operator']).nullable(),
  /** detected - (injected or observed); recovered - (injected or observed). Derived, never typed in. */
  mttdMs: z.number().nullable(),
  mttrMs: z.number().nullable(),
  lostWrites: z.number().int().nullable(),
  staleWrites: z.number().int().nullable(),
  /**
   * How the failover controller answered the loss of this primary: `promoted` a standby in sync,
   * `promoted-behind` one that may lack acknowledged writes (sync-degradable, async, the operator's
   * choice; `lostWrites` says what it cost), or `held` (strict sync: the primary restarted in place).
   */
  failover: z.object({ outcome: z.enum(['promoted', 'promoted-behind', 'held']), to: NodeId.nullable(), reason: z.string().nullable() }).nullable().optional(),
  /** The MTTR split into detection, the drill's holds, operator time and automatic recovery; absent outside a drill's report (and in older reports), null when not recovered. */
  mttrSplit: MttrSplit.nullable().optional(),
  /** Requests the balancer held through this node's failover (absent when none was held or refused). */
  held: FailoverHeld.optional(),
  /**
   * The data plane's thread died while this incident was open and another took over (its sockets,
   * and the requests in flight on them, ended with it). Absent when it never happened.
   */
  planeRestarts: z.array(z.object({ at: z.number(), downMs: z.number().nullable(), reason: z.string() })).optional(),
  open: z.boolean(),
});
export type Incident = z.infer<typeof Incident>;

/** Counts over one metrics window, per node: rates come from `ratePerSec(count, windowMs)` (shared/rates.ts). */
export const NodeMetrics = z.object({
  /** Requests this node answered (or, on failure, was the last one tried) in the window. */
  requests: z.number().int(),
  errors: z.number().int(),
  /** Tries beyond the first of those requests (retries, not retried requests). */
  retries: z.number().int(),
  /** Requests in flight to it at the window's end. */
  inflight: z.number().int(),
  p50: z.number(),
  p99: z.number(),
});
export type NodeMetrics = z.infer<typeof NodeMetrics>;

/**
 * One metrics window (10 Hz): numbers only, counts over the window and the window itself. States
 * travel as their own events (`balancer.changed`, `ledger.checked`), not with every tick.
 */
export const MetricsTick = z.object({
  /** When the window closed (epoch ms, monotonic clock). */
  at: z.number(),
  windowMs: z.number(),
  /** Requests that ended in the window, answered by a node or by none. */
  requests: z.number().int(),
  errors: z.number().int(),
  retries: z.number().int(),
  /** Requests in flight to every node at the window's end. */
  inflight: z.number().int(),
  /** Acknowledged writes the ledger holds so far: a running total, not a check (that is `ledger.checked`). */
  acked: z.number().int(),
  latency: LatencySummary,
  /** Every routed node (with zeros when idle), and any other node that answered in the window. */
  perNode: z.record(z.string(), NodeMetrics),
});
export type MetricsTick = z.infer<typeof MetricsTick>;

/** The balancer's workers: `running` threads share its port, of `asked`; `note` says why fewer. */
export const BalancerWorkers = z.object({ asked: z.number().int(), running: z.number().int(), note: z.string().nullable() });
export type BalancerWorkers = z.infer<typeof BalancerWorkers>;

export const BalancerState = z.object({
  url: z.string().nullable(),
  settings: BalancerSettings,
  upstreams: z.array(UpstreamSnapshot),
  retryBudget: z.object({ used: z.number(), allowed: z.number() }),
  /** Absent in reports written before 2026-12-07: one worker. */
  workers: BalancerWorkers.default({ asked: 1, running: 1, note: null }),
});
export type BalancerState = z.infer<typeof BalancerState>;

export const TrafficState = z.object({
  running: z.boolean(),
  settings: TrafficSettings,
  startedAt: z.number().nullable(),
  stats: TrafficStats.nullable(),
  ledger: LedgerCounts,
});
export type TrafficState = z.infer<typeof TrafficState>;


// ---- Faults ------------------------------------------------------------------------------
// Network toxics keep Toxiproxy's names and attribute meanings (times in ms, except slicer.delay in µs as in Toxiproxy; rates in KB/s).

const Ms = (max = 3_600_000) => z.number().min(0).max(max);
const Share = z.number().min(0).max(1);

export const FaultAttributes = {
  // process (signals to the lab's own children, by node id)
  kill: z.object({ signal: z.enum(['SIGKILL', 'SIGTERM']).default('SIGKILL'), graceMs: Ms(60_000).default(2_000) }).strict(),
  pause: z.object({}).strict(),
  'crash-loop': z.object({ afterMs: Ms(60_000).default(0) }).strict(),
  restart: z.object({ graceMs: Ms(60_000).default(2_000) }).strict(),
  // network, at the fault proxy in front of the node (Toxiproxy's toxics)
  latency: z.object({ latency: Ms(60_000).default(0), jitter: Ms(60_000).default(0) }).strict(),
  bandwidth: z.object({ rate: z.number().min(0).max(10_000_000).default(0) }).strict(),
  slow_close: z.object({ delay: Ms(60_000).default(0) }).strict(),
  timeout: z.object({ timeout: Ms().default(0) }).strict(),
  reset_peer: z.object({ timeout: Ms().default(0) }).strict(),
  slicer: z.object({ average_size: z.number().int().min(1).max(1_048_576).default(64), size_variation: z.number().int().min(0).max(1_048_576).default(0), delay: Ms(60_000).default(0) }).strict(),
  limit_data: z.object({ bytes: z.number().int().min(0).max(1 << 30).default(0) }).strict(),
  partition: z.object({ links: z.enum(['balancer', 'replication', 'all']).default('all') }).strict(),
  // HTTP, at the balancer's hop to the node
  http_error: z.object({ status: z.number().int().min(400).max(599).default(503), share: Share.default(1) }).strict(),
  http_abort: z.object({ share: Share.default(1), afterBytes: z.number().int().min(0).max(1 << 30).default(0) }).strict(),
  // checkpoint and log files, inside the node's own data folder
  checkpoint_bitflip: z.object({ bits: z.number().int().min(1).max(4096).default(1), generation: z.number().int().min(0).optional() }).strict(),
  checkpoint_truncate: z.object({ keepBytes: z.number().int().min(0).default(0), generation: z.number().int().min(0).optional() }).strict(),
  checkpoint_zero: z.object({ offset: z.number().int().min(0).default(0), length: z.number().int().min(1).max(1 << 30).default(64), generation: z.number().int().min(0).optional() }).strict(),
  checkpoint_delete_newest: z.object({}).strict(),
  checkpoint_stale: z.object({}).strict(),
  wal_corrupt_tail: z.object({ bytes: z.number().int().min(1).max(1 << 20).default(16) }).strict(),
} as const;

export type FaultType = keyof typeof FaultAttributes;
export const FaultType = z.enum(Object.keys(FaultAttributes) as [FaultType, ...FaultType[]]);

export const faultKindOf = (type: FaultType): 'process' | 'network' | 'http' | 'checkpoint' => {
  if (type === 'kill' || type === 'pause' || type === 'crash-loop' || type === 'restart') return 'process';
  if (type === 'http_error' || type === 'http_abort') return 'http';
  if (type.startsWith('checkpoint_') || type.startsWith('wal_')) return 'checkpoint';
  return 'network';
};

/** Which links of a node a network fault acts on: from the balancer, from its peers (replication), or both. */
export const FaultLinks = z.enum(['balancer', 'replication', 'all']);
export type FaultLinks = z.infer<typeof FaultLinks>;

/** A toxic's name as Toxiproxy's clients give it: printable, no slash (it is a path segment). */
export const ToxicName = z
  .string()
  .min(1)
  .max(100)
  // eslint-disable-next-line no-control-regex -- control characters are what it refuses
  .refine((name) => !/[\u0000-\u001f\u007f/]/.test(name), 'no control characters and no "/"');

const FaultInjectFields = z
  .object({
    type: FaultType,
    /** A node id: faults target only nodes the lab started, never PIDs. */
    target: NodeId,
    attributes: z.record(z.string(), z.unknown()).default({}),
    /** Auto-expiry: the fault is reverted after this long. */
    durationMs: z.number().int().min(1).max(3_600_000).optional(),
    /** Network faults: the probability a connection is affected (rolled once per connection, as Toxiproxy does). */
    toxicity: z.number().min(0).max(1).default(1),
    /** Network faults: which direction (upstream = towards the node, downstream = towards the client). */
    stream: z.enum(['upstream', 'downstream']).default('downstream'),
    /** Network faults: which links of the node (default both; a partition may also say it as `attributes.links`). */
    links: FaultLinks.optional(),
    /** Network faults: a name for the toxic (Toxiproxy's clients name theirs); default the fault's id. */
    name: ToxicName.optional(),
  })
  .strict();
type FaultInjectFields = z.output<typeof FaultInjectFields>;

/** The checks across fields: `attributes` against its type's schema, and links and name on network faults only. Returns the parsed attributes when every check passes. */
function checkFault(value: FaultInjectFields, ctx: z.RefinementCtx): Record<string, unknown> | undefined {
  const issues = ctx.issues.length;
  const parsed = FaultAttributes[value.type].safeParse(value.attributes);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: ['attributes', ...issue.path], message: issue.message });
  }
  const network = faultKindOf(value.type) === 'network';
  if (!network && value.links !== undefined) ctx.addIssue({ code: 'custom', path: ['links'], message: `only network faults act on links; ${value.type} is not one` });
  if (!network && value.name !== undefined) ctx.addIssue({ code: 'custom', path: ['name'], message: `only network faults (toxics) take a name; ${value.type} is not one` });
  const said = value.type === 'partition' && parsed.success ? (parsed.data as { links?: FaultLinks }).links : undefined;
  if (value.links !== undefined && said !== undefined && value.attributes.links !== undefined && said !== value.links) {
    ctx.addIssue({ code: 'custom', path: ['links'], message: `links "${value.links}" contradicts attributes.links "${said}": give one` });
  }
  return parsed.success && ctx.issues.length === issues ? (parsed.data as Record<string, unknown>) : undefined;
}

/** A fault as it is asked for (over the contract, in a drill file): every field checked, the attributes as given. */
export const FaultInject = FaultInjectFields.superRefine((value, ctx) => void checkFault(value, ctx));
export type FaultInject = z.infer<typeof FaultInject>;

/** The links a network fault acts on: its own `links`, else a partition's `attributes.links`, else both. */
export function faultLinksOf(inject: Pick<FaultInject, 'type' | 'links' | 'attributes'>): FaultLinks {
  if (inject.links !== undefined) return inject.links;
  const said = inject.type === 'partition' ? FaultLinks.safeParse(inject.attributes.links) : undefined;
  return said?.success ? said.data : 'all';
}

/**
 * A fault ready to apply: what `fault.inject` hands its handler. A FaultInject checked once, with its
 * type's defaults filled into `attributes` and its `links` resolved (a partition's attributes say the
 * links it cuts, whichever way they were given). The fault layer takes it as it is and parses nothing again.
 */
export type FaultSpec<T extends FaultType = FaultType> = {
  [K in T]: Omit<FaultInject, 'type' | 'attributes' | 'links'> & { type: K; attributes: z.output<(typeof FaultAttributes)[K]>; links: FaultLinks };
}[T];
export const FaultSpec = FaultInjectFields.transform((value, ctx): FaultSpec => {
  const attributes = checkFault(value, ctx);
  if (attributes === undefined) return z.NEVER;
  // faultLinksOf, from the attributes just parsed (a partition's links default to all).
  const links = value.links ?? (value.type === 'partition' ? (attributes.links as FaultLinks) : 'all');
  if (value.type === 'partition') attributes.links = links;
  return { ...value, attributes, links } as FaultSpec;
});

export const FaultRecord = z.object({
  id: z.string(),
  type: FaultType,
  kind: z.enum(['process', 'network', 'http', 'checkpoint']),
  target: NodeId,
  attributes: z.record(z.string(), z.unknown()),
  toxicity: z.number(),
  stream: z.enum(['upstream', 'downstream']),
  /** Network faults: the links it acts on (`all` for every other kind). */
  links: FaultLinks.default('all'),
  /** Network faults: the toxic's name, when one was given (the Toxiproxy API names every toxic). */
  name: ToxicName.nullable().default(null),
  status: z.enum(['active', 'reverted', 'expired', 'applied-once', 'failed']),
  injectedAt: z.number(),
  expiresAt: z.number().nullable(),
  revertedAt: z.number().nullable(),
  /** What exactly was done: a file and byte ranges touched, the signal sent, ... */
  effect: z.record(z.string(), z.unknown()).default({}),
  error: z.string().nullable().default(null),
});
export type FaultRecord = z.infer<typeof FaultRecord>;

export const LabSnapshot = z.object({
  version: z.string(),
  runDir: z.string(),
  fleet: FleetState,
  /** The topology the fleet was built from; null when a fleet file was given instead. */
  topology: TopologySpec.nullable(),
  /** Where the lab serves Toxiproxy's HTTP API, when it does (`serve`, the desktop app). */
  toxiproxyUrl: z.string().optional(),
  nodes: z.array(NodeSnapshot),
  balancer: BalancerState,
  traffic: TrafficState,
  incidents: z.array(Incident),
  /** Active faults first, then the recent history. */
  faults: z.array(FaultRecord),
  timeline: z.array(TimelineEvent),
});
export type LabSnapshot = z.infer<typeof LabSnapshot>;
