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
    replication: z.enum(['sync', 'async']).optional(),
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
};

export const BundledNodeSpec = z
  .object({
    ...NodeSpecBase,
    kind: z.literal('bundled').default('bundled'),
    role: z.enum(['primary', 'standby', 'stateless']).default('primary'),
    server: BundledServerOptions.optional(),
  })
  .strict();

export const CommandNodeSpec = z
  .object({
    ...NodeSpecBase,
    kind: z.literal('command'),
    /** The program to run; `{port}` and `{dataDir}` are replaced in args and env values. */
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    env: z.record(z.string(), z.string()).default({}),
    /** HTTP path polled on 127.0.0.1:{port} until it answers 2xx; omit to count the node ready once spawned. */
    healthPath: z.string().startsWith('/').optional(),
  })
  .strict();

export const NodeSpec = z.union([CommandNodeSpec, BundledNodeSpec]);
export type NodeSpec = z.infer<typeof NodeSpec>;
export type NodeSpecInput = z.input<typeof NodeSpec>;

export const FleetSpec = z
  .object({
    name: z.string().max(100).optional(),
    restart: RestartOverrides.optional(),
    nodes: z
      .array(NodeSpec)
      .min(1)
      .max(64)
      .refine((nodes) => new Set(nodes.map((n) => n.id)).size === nodes.length, 'node ids must be unique'),
  })
  .strict();
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

export const LabSnapshot = z.object({
  version: z.string(),
  runDir: z.string(),
  fleet: FleetState,
  nodes: z.array(NodeSnapshot),
  timeline: z.array(TimelineEvent),
});
export type LabSnapshot = z.infer<typeof LabSnapshot>;
