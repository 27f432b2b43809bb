import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  ContractError,
  ContractHost,
  FleetSpec,
  Listeners,
  checkEvent,
  type CommandHandlers,
  type EventName,
  type EventPayload,
  type FleetSpecInput,
  type FleetState,
  type LabSnapshot,
  type NodeSnapshot,
  type TimelineEvent,
  type Unsubscribe,
} from '../../shared/contract/index.js';
import { appVersion } from './app-paths.js';
import { now } from './clock.js';
import { defaultFleet } from './default-fleet.js';
import { FleetSupervisor } from './fleet/index.js';

const TIMELINE_CAP = 2_000;

export interface LabOptions {
  /** Where node data folders and journals live; default `$FIREDRILL_RUN_DIR` or `~/.firedrill/runs/<time>`. */
  runDir?: string;
  /** The fleet to run; default the built-in one (see default-fleet.ts). */
  fleet?: FleetSpecInput;
  /** Start the fleet at once (default true). */
  autoStart?: boolean;
}

type AnyEvent = { [K in EventName]: [K, EventPayload<K>] }[EventName];

/** The lab: one engine behind the contract. Electron, the web host and tests all drive it through `host`. */
export class Lab {
  readonly host: ContractHost;
  private readonly events = new Listeners<AnyEvent>();
  private readonly timeline: TimelineEvent[] = [];
  private seq = 0;
  private fleetSpec: FleetSpec;
  private readonly fleet: FleetSupervisor;
  private disposed: Promise<void> | undefined;
  private lastFleetState = '';

  private constructor(
    readonly runDir: string,
    fleetSpec: FleetSpec,
  ) {
    this.fleetSpec = fleetSpec;
    this.fleet = new FleetSupervisor({
      runDir,
      listener: {
        onNodeChanged: (node) => {
          this.emit('node.changed', node);
          this.emitFleetStateIfChanged();
        },
        onTimeline: (event) => {
          this.record(event.kind, event.detail ?? {}, event.nodeId, event.at);
          this.emitFleetStateIfChanged();
        },
        onLogs: (lines, dropped) => this.emit('log.batch', { lines, dropped }),
      },
    });
    this.host = new ContractHost(this.handlers(), (listener) =>
      this.events.add((...event: AnyEvent) => listener(event[0], event[1])),
    );
  }

  static async create(options: LabOptions = {}): Promise<Lab> {
    const runDir = resolve(options.runDir ?? process.env.FIREDRILL_RUN_DIR ?? defaultRunDir());
    await mkdir(runDir, { recursive: true });
    const lab = new Lab(runDir, FleetSpec.parse(options.fleet ?? defaultFleet));
    if (options.autoStart ?? true) await lab.fleet.start(lab.fleetSpec);
    return lab;
  }

  /** Listens to every event the lab emits (the same stream the contract carries). */
  onEvent(listener: (...event: AnyEvent) => void): Unsubscribe {
    return this.events.add(listener);
  }

  snapshot(): LabSnapshot {
    return {
      version: appVersion(),
      runDir: this.runDir,
      fleet: this.fleetState(),
      nodes: this.fleet.nodes(),
      timeline: this.timeline.slice(-200),
    };
  }

  /** Stops every node and every timer; safe to call more than once. */
  dispose(): Promise<void> {
    this.disposed ??= (async () => {
      this.host.dispose();
      await this.fleet.dispose();
      this.events.clear();
    })();
    return this.disposed;
  }

  private fleetState(): FleetState {
    return { name: this.fleetSpec.name ?? null, status: this.fleet.status };
  }

  private emitFleetStateIfChanged(): void {
    const state = this.fleetState();
    const key = `${state.name ?? ''}|${state.status}`;
    if (key === this.lastFleetState) return;
    this.lastFleetState = key;
    this.emit('fleet.changed', state);
  }

  private handlers(): CommandHandlers {
    return {
      'lab.state': () => this.snapshot(),
      'fleet.start': async ({ fleet }) => {
        if (this.fleet.status !== 'stopped') {
          throw new ContractError({ code: 'conflict', message: `the fleet is ${this.fleet.status}; stop it first`, field: 'fleet' });
        }
        if (fleet) this.fleetSpec = fleet;
        const started = this.fleet.start(this.fleetSpec);
        this.emitFleetStateIfChanged();
        await started;
        this.emitFleetStateIfChanged();
        return this.snapshot();
      },
      'fleet.stop': async ({ graceMs }) => {
        const stopped = this.fleet.stop(graceMs);
        this.emitFleetStateIfChanged();
        await stopped;
        this.emitFleetStateIfChanged();
        return this.snapshot();
      },
      'node.start': ({ id }) => this.fleet.startNode(id),
      'node.stop': ({ id, graceMs }) => this.fleet.stopNode(id, graceMs),
      'node.restart': ({ id, graceMs }) => this.fleet.restartNode(id, graceMs),
      'node.logs': ({ id, limit }) => {
        if (!this.fleet.node(id)) throw new ContractError({ code: 'not-found', message: `no node "${id}"`, field: 'id' });
        return { lines: this.fleet.logs(id).slice(-(limit ?? 500)) };
      },
    };
  }

  private record(kind: string, detail: Record<string, unknown>, nodeId?: string, at: number = now()): void {
    const event: TimelineEvent = { seq: ++this.seq, at, kind, detail };
    if (nodeId !== undefined) event.nodeId = nodeId;
    this.timeline.push(event);
    if (this.timeline.length > TIMELINE_CAP) this.timeline.splice(0, this.timeline.length - TIMELINE_CAP);
    this.emit('timeline.event', event);
  }

  private emit<K extends EventName>(name: K, payload: EventPayload<K>): void {
    // In tests every event is checked against the contract, so the engine cannot drift from it.
    const checked = process.env.FIREDRILL_CHECK_EVENTS === '1' ? checkEvent(name, payload) : payload;
    this.events.emit(...([name, checked] as AnyEvent));
  }
}

export function defaultRunDir(): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return join(homedir(), '.firedrill', 'runs', `${stamp}-${process.pid}`);
}

export type { NodeSnapshot };
