// A real fleet (FleetHarness: temp run folder, every pid it started killed after the test), a
// FaultRegistry over it with stub network/HTTP ports that record calls, and a listener that keeps
// everything the registry said.
import { afterEach } from 'vitest';
import type { FaultRecord, FleetSpec, FleetSpecInput, NodeSnapshot } from '../../../shared/contract/model';
import { FaultRegistry, type FaultRegistryOptions, type HttpFaultPort, type NetworkFaultPort, type FaultToxic } from '../../../electron/engine/faults/index';
import { procStat } from '../../../electron/engine/faults/process/process-identity';
import { FleetHarness, type TimelineRecord } from '../fleet/helpers';

/** A network or HTTP layer that only records what it was asked to do. */
export class StubPort implements NetworkFaultPort, HttpFaultPort {
  readonly applied = new Map<string, { nodeId: string; spec: FaultToxic }>();
  readonly calls: Array<{ op: 'apply' | 'revert'; faultId: string; at: number }> = [];

  apply(faultId: string, nodeId: string, spec: FaultToxic): void {
    this.calls.push({ op: 'apply', faultId, at: performance.now() });
    this.applied.set(faultId, { nodeId, spec });
  }

  revert(faultId: string): void {
    this.calls.push({ op: 'revert', faultId, at: performance.now() });
    this.applied.delete(faultId);
  }
}

export interface FaultLab {
  harness: FleetHarness;
  registry: FaultRegistry;
  network: StubPort;
  http: StubPort;
  /** What the registry put on the timeline, in order. */
  faultEvents: TimelineRecord[];
  changes: FaultRecord[];
  node(id: string): NodeSnapshot;
  /** Starts the fleet from a spec as written (defaults filled in by the supervisor's own parse). */
  start(spec: FleetSpecInput): Promise<NodeSnapshot[]>;
}

/** One lab per test; disposed (faults halted, nodes stopped, stragglers SIGKILLed by pid) after it. */
export function useFaultLab(): (options?: Partial<Pick<FaultRegistryOptions, 'random'>>) => FaultLab {
  const labs: FaultLab[] = [];
  afterEach(async () => {
    for (const lab of labs.splice(0)) {
      await lab.registry.dispose();
      await lab.harness.cleanup();
    }
  });
  return (options = {}) => {
    const harness = new FleetHarness();
    const network = new StubPort();
    const http = new StubPort();
    const faultEvents: TimelineRecord[] = [];
    const changes: FaultRecord[] = [];
    const recorder = harness.recorder;
    const registry = new FaultRegistry({
      runDir: harness.runDir,
      fleet: harness.fleet,
      network,
      http,
      ...options,
      listener: {
        // Into the same recorder, so a test can wait on fault and node events alike.
        onTimeline: (kind, nodeId, detail, at) => {
          const event = { kind, nodeId, detail, at };
          faultEvents.push(event);
          recorder.onTimeline(event);
        },
        onChanged: (record) => changes.push(record),
      },
    });
    // Forward node.starting as the lab does (crash-loop needs it).
    const forward = recorder.onTimeline.bind(recorder);
    recorder.onTimeline = (event) => {
      forward(event);
      if (event.kind === 'node.starting' && event.nodeId && typeof event.detail?.pid === 'number') registry.onNodeStarting(event.nodeId, event.detail.pid);
    };
    const lab: FaultLab = {
      harness,
      registry,
      network,
      http,
      faultEvents,
      changes,
      start: (spec) => harness.fleet.start(spec as FleetSpec),
      node: (id) => {
        const node = harness.fleet.node(id);
        if (!node) throw new Error(`no node ${id}`);
        return node;
      },
    };
    labs.push(lab);
    return lab;
  };
}

/** The process state letter from /proc (T = stopped), or undefined if gone. */
export function stateOf(pid: number): string | undefined {
  return procStat(pid)?.state;
}

/** A command node that runs an idle Node process; its command line names its data folder. */
export function idleNode(id: string, script = 'setInterval(() => {}, 1000)'): { id: string; kind: 'command'; command: string; args: string[] } {
  return { id, kind: 'command', command: process.execPath, args: ['-e', script, '{dataDir}'] };
}

/** Server log events (the bundled server's JSON lines) of a node, captured by the supervisor since `since`. */
export function serverEvents(lab: FaultLab, id: string, since = 0): Array<Record<string, unknown> & { event: string }> {
  const out: Array<Record<string, unknown> & { event: string }> = [];
  for (const line of lab.harness.fleet.logs(id)) {
    if (line.stream !== 'stdout' || line.at < since || !line.text.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line.text) as Record<string, unknown> & { event: string });
    } catch {
      // not a log event
    }
  }
  return out;
}
