import { z } from 'zod';
import {
  BalancerSettingsPatch,
  FaultRecord,
  FaultSpec,
  BalancerState,
  FleetSpec,
  FleetState,
  Incident,
  LabSnapshot,
  LedgerCounts,
  LogBatch,
  LogLine,
  MetricsTick,
  NodeId,
  NodeSnapshot,
  type FleetSpecInput,
  type NodeSpecInput,
  TimelineEvent,
  TopologySpec,
  TrafficSettingsPatch,
  TrafficState,
} from './model.js';
import { DrillRunParams, DrillRunStatus, DrillSummary, ReportFormat } from '../drill/run.js';
import { ChaosMeshExport, ChaosMeshExportOptions } from '../drill/chaos-mesh/options.js';
import { DrillSpec } from '../drill/schema.js';
import { ReportComparison } from '../report/compare.js';
import { DrillReport, ReportSummary } from '../report/model.js';
import { Recording, RecordingInfo, RecordingRange } from '../replay/recording.js';
import { ClassroomStatus } from './classroom.js';

const RunId = z.string().min(1).max(200);
/** Over the contract a report is named by its id in the lab's history, never by a path (the CLI reads paths itself). */
const ReportRef = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'a report id from report.list');

/**
 * Why the contract refuses a `command` node: it starts a program of the user's own choosing, with
 * an environment of its choosing, and only the person at the machine may start one (see
 * electron/engine/fleet-admission.ts): not a script holding the token, nor a compromised renderer.
 */
export const COMMAND_NODE_REFUSAL =
  'a command node starts a program of your own: only the person at the machine can start one (`firedrill serve --fleet FILE`, or File > Open fleet file… in the desktop app); over the API a fleet holds bundled nodes only';

/** The indexes of `command` nodes in anything shaped like a fleet: read before the schema, so a half-written one is refused for what it is. */
export function commandNodeIndexes(fleet: unknown): number[] {
  const nodes = typeof fleet === 'object' && fleet !== null ? (fleet as { nodes?: unknown }).nodes : undefined;
  if (!Array.isArray(nodes)) return [];
  return nodes.flatMap((node: unknown, index) => (typeof node === 'object' && node !== null && (node as { kind?: unknown }).kind === 'command' ? [index] : []));
}

/** A fleet as the contract takes it: bundled nodes only. */
export type ContractFleetInput = Omit<FleetSpecInput, 'nodes'> & { nodes: Array<Extract<NodeSpecInput, { kind?: 'bundled' }>> };

const ContractFleetSpec = z
  .custom<ContractFleetInput>()
  .superRefine((fleet, ctx) => {
    for (const index of commandNodeIndexes(fleet)) ctx.addIssue({ code: 'custom', path: ['nodes', index, 'kind'], message: COMMAND_NODE_REFUSAL });
  })
  .transform((fleet): FleetSpecInput => fleet)
  .pipe(FleetSpec);

/** Every command the engine offers: `domain.verb` -> its params and its result. */
export const commands = {
  'lab.state': {
    params: z.object({}).strict(),
    result: LabSnapshot,
    summary: 'The whole lab: fleet, nodes and the recent timeline.',
  },
  'fleet.start': {
    params: z.object({ fleet: ContractFleetSpec.optional() }).strict(),
    result: LabSnapshot,
    summary: 'Start the fleet (the given one of bundled nodes, or the current one) and wait until every node is ready or failed.',
  },
  'fleet.stop': {
    params: z.object({ graceMs: z.number().int().min(0).max(60_000).optional() }).strict(),
    result: LabSnapshot,
    summary: 'Stop every node (SIGTERM, then SIGKILL after the grace period).',
  },
  'node.start': {
    params: z.object({ id: NodeId }).strict(),
    result: NodeSnapshot,
    summary: 'Start one stopped node.',
  },
  'node.stop': {
    params: z.object({ id: NodeId, graceMs: z.number().int().min(0).max(60_000).optional() }).strict(),
    result: NodeSnapshot,
    summary: 'Stop one node; the supervisor does not restart a node the lab stopped.',
  },
  'node.restart': {
    params: z.object({ id: NodeId, graceMs: z.number().int().min(0).max(60_000).optional() }).strict(),
    result: NodeSnapshot,
    summary: 'Stop one node and start it again.',
  },
  'node.promote': {
    params: z.object({ id: NodeId }).strict(),
    result: z.object({ from: NodeId, to: NodeId, durationMs: z.number() }),
    summary: 'Promote the standby by hand (a manual failover): the primary is fenced if it runs, the standby takes over.',
  },
  'node.logs': {
    params: z.object({ id: NodeId, limit: z.number().int().min(1).max(10_000).optional() }).strict(),
    result: z.object({ lines: z.array(LogLine) }),
    summary: "The newest lines of one node's captured stdout and stderr (default 500).",
  },
  'topology.set': {
    params: TopologySpec,
    result: LabSnapshot,
    summary: 'Rebuild the fleet as a topology: active-active, or a primary with a hot, warm or cold standby.',
  },
  'balancer.set': {
    params: BalancerSettingsPatch,
    result: BalancerState,
    summary: 'Change the strategy, weights, health checks, passive detection or retry policy, live.',
  },
  'traffic.start': {
    params: TrafficSettingsPatch,
    result: TrafficState,
    summary: 'Start open-loop traffic through the balancer (settings override the current ones); it stops by itself.',
  },
  'traffic.stop': {
    params: z.object({}).strict(),
    result: TrafficState,
    summary: 'Stop the traffic now.',
  },
  'traffic.set': {
    params: TrafficSettingsPatch,
    result: TrafficState,
    summary: 'Change traffic settings; the rate applies at once, the rest from the next start.',
  },
  'fault.inject': {
    params: FaultSpec,
    result: FaultRecord,
    summary: 'Break a node on purpose: process, network, HTTP or checkpoint fault; optional auto-expiry.',
  },
  'fault.revert': {
    params: z.object({ id: z.string().min(1).max(64) }).strict(),
    result: FaultRecord,
    summary: 'Take one fault back (in-flight data passes on).',
  },
  'fault.halt': {
    params: z.object({}).strict(),
    result: z.object({ reverted: z.number().int(), ms: z.number() }),
    summary: 'Take back every active fault at once.',
  },
  'fault.list': {
    params: z.object({}).strict(),
    result: z.object({ faults: z.array(FaultRecord) }),
    summary: 'Active faults first, then the recent history.',
  },
  'ledger.check': {
    params: z.object({}).strict(),
    result: LedgerCounts,
    summary: 'Read back every acknowledged write from the current primary and count lost and stale ones.',
  },
  'drill.list': {
    params: z.object({}).strict(),
    result: z.object({ drills: z.array(DrillSummary), problems: z.array(z.string()) }),
    summary: 'The drills on offer: the built-in library and your own (~/.firedrill/drills); files that do not parse are listed as problems.',
  },
  'drill.get': {
    params: z.object({ id: z.string().min(1).max(200) }).strict(),
    result: z.object({ summary: DrillSummary, spec: DrillSpec }),
    summary: 'One drill, whole: its narration, steps and hypothesis.',
  },
  'drill.exportChaosMesh': {
    params: ChaosMeshExportOptions.extend({ id: z.string().min(1).max(200) }).strict(),
    result: ChaosMeshExport,
    summary: 'One drill as a Chaos Mesh Workflow (YAML) to run on Kubernetes, and the list of what Chaos Mesh cannot express.',
  },
  'drill.run': {
    params: DrillRunParams,
    result: DrillRunStatus,
    summary: 'Start a drill (by id, or given whole); progress comes as drill.step events and the end as drill.verdict.',
  },
  'drill.abort': {
    params: z.object({ runId: RunId.optional() }).strict(),
    result: DrillRunStatus,
    summary: 'End the running drill now; every fault is reverted and the verdict is aborted.',
  },
  'drill.answer': {
    params: z
      .object({ runId: RunId, step: z.number().int().min(0), option: z.number().int().min(0).optional(), perform: z.boolean().optional() })
      .strict(),
    result: DrillRunStatus,
    summary: 'Answer the prediction the drill waits on (option), or say a manual action is done (perform: true lets the lab do it).',
  },
  'drill.vote': {
    params: z.object({ runId: RunId, step: z.number().int().min(0), option: z.number().int().min(0) }).strict(),
    result: z.object({ step: z.number().int(), option: z.number().int() }),
    summary: "A classroom viewer's answer to the prediction the drill waits on: one vote per viewer (a new one replaces it); the tally is in the prediction's `tally`.",
  },
  'drill.status': {
    params: z.object({}).strict(),
    result: z.object({ run: DrillRunStatus.nullable() }),
    summary: 'The running drill, or the last one to finish.',
  },
  'report.list': {
    params: z.object({ limit: z.number().int().min(1).max(10_000).optional() }).strict(),
    result: z.object({ reports: z.array(ReportSummary), problems: z.array(z.string()) }),
    summary: 'The report history, newest first; unreadable reports are listed as problems.',
  },
  'report.open': {
    params: z.object({ id: ReportRef }).strict(),
    result: z.object({ report: DrillReport, dir: z.string(), files: z.partialRecord(ReportFormat, z.string()) }),
    summary: 'One report, whole, with the paths of its rendered files.',
  },
  'report.compare': {
    params: z.object({ ids: z.array(ReportRef).min(2).max(6) }).strict(),
    result: ReportComparison,
    summary: 'Two to six runs side by side: the same drill across topologies, strategies or builds.',
  },
  'report.export': {
    params: z.object({ id: ReportRef, format: ReportFormat }).strict(),
    result: z.object({ path: z.string() }),
    summary: 'Render one format of a stored report (HTML, Markdown, JUnit, PDF) into its folder.',
  },
  'recording.info': {
    params: z.object({}).strict(),
    result: RecordingInfo,
    summary: "What the live recording holds (its extent, keyframes, weight) and how much one recording.get may carry.",
  },
  'recording.get': {
    params: RecordingRange,
    result: Recording,
    summary: "A stretch of the live lab's recording (default all of it, the last 30 minutes): keyframes and every event, to replay any instant (shared/replay).",
  },
  'report.recording': {
    params: z.object({ id: ReportRef, from: z.number().optional(), to: z.number().optional() }).strict(),
    result: z.object({ recording: Recording.nullable() }),
    summary: "A drill report's recording, from the run's start to its verdict (or the stretch from..to); null for a report written without one.",
  },
  'classroom.status': {
    params: z.object({}).strict(),
    result: ClassroomStatus,
    summary: "Classroom mode: the caller's role, whether the read-only viewers' link is on, the link (for the teacher) and how many viewers watch.",
  },
  'classroom.start': {
    params: z.object({}).strict(),
    result: ClassroomStatus,
    summary: 'Turn classroom mode on: a read-only link with its own token on 127.0.0.1 (another interface only with `firedrill serve --classroom-host ADDR --yes`).',
  },
  'classroom.stop': {
    params: z.object({}).strict(),
    result: ClassroomStatus,
    summary: 'Turn classroom mode off: every viewer is disconnected and the link stops working.',
  },
} as const;

/** Every event the engine emits: `domain.changed`, `domain.tick`, ... -> its payload. */
export const events = {
  'fleet.changed': FleetState,
  'node.changed': NodeSnapshot,
  'log.batch': LogBatch,
  'timeline.event': TimelineEvent,
  /** 10 Hz, batched: counts over the window (rates: shared/rates.ts), latency percentiles, overall and per node. */
  'metrics.tick': MetricsTick,
  /** The balancer's settings and upstreams, whenever an upstream's state or the settings change (not per tick). */
  'balancer.changed': BalancerState,
  /** The write ledger's counts after each check (`ledger.check`, or the one after an incident). */
  'ledger.checked': LedgerCounts,
  'incident.changed': Incident,
  'traffic.changed': TrafficState,
  'fault.changed': FaultRecord,
  /** The running drill's whole status, on every step and every change of a check's verdict. */
  'drill.step': DrillRunStatus,
  /** The drill's end: its verdict, why, and the report's id. */
  'drill.verdict': DrillRunStatus,
} as const;

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export type Events = typeof events;
export type EventName = keyof Events;
export type CommandParams<K extends CommandName> = z.input<Commands[K]['params']>;
export type ParsedParams<K extends CommandName> = z.output<Commands[K]['params']>;
export type CommandResult<K extends CommandName> = z.output<Commands[K]['result']>;
export type EventPayload<K extends EventName> = z.output<Events[K]>;

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(commands, name);
}

export function isEventName(name: string): name is EventName {
  return Object.hasOwn(events, name);
}
