// The traffic session: the lab's client load, one generator at a time, and the write ledger it fills.
import { ContractError, TrafficSettings, withPatch, type FleetSpec, type LedgerCounts, type NodeSnapshot, type TopologySpec, type TrafficState } from '../../../shared/contract/index.js';
import type { FleetStatus } from '../fleet/index.js';
import type { IncidentTracker } from '../incidents/index.js';
import { labNodeSecret } from '../fleet/node-launch.js';
import { now } from '../clock.js';
import { sleep } from '../../../shared/sleep.js';
import { TrafficGenerator, WriteLedger } from '../traffic/index.js';
import type { LabEvents } from './lab-events.js';
import type { RecordTimeline } from './timeline.js';

export interface TrafficSessionOptions {
  runDir: string;
  /** Where traffic goes in (read at each start: the balancer's port is known once it listens). */
  balancerUrl: () => string;
  fleetStatus: () => FleetStatus;
  /** Where acknowledged writes should be: the current primary. */
  primary: () => NodeSnapshot | undefined;
  topology: () => TopologySpec | null;
  /** True once the lab is being torn down: a ledger check waiting for a primary gives up. */
  disposed: () => boolean;
  record: RecordTimeline;
  events: LabEvents;
  incidents: Pick<IncidentTracker, 'setLedger'>;
}

const noCounts = (): LedgerCounts => ({ acked: 0, checked: 0, lost: 0, stale: 0, checkedAt: null });

/**
 * The lab's client load and its write ledger: one generator at a time (`traffic.*`), the settings
 * the next one starts with, and the read-back of every acknowledged write (`ledger.check`).
 */
export class TrafficSession {
  private settings: TrafficSettings = TrafficSettings.parse({});
  private generator: TrafficGenerator | null = null;
  private startedAt: number | null = null;
  private ledger = new WriteLedger();
  private counts: LedgerCounts = noCounts();

  constructor(private readonly options: TrafficSessionOptions) {}

  get running(): boolean {
    return this.generator?.running ?? false;
  }

  /** The current (or last) generator's numbers, null before the first start. */
  stats(): ReturnType<TrafficGenerator['stats']> | null {
    return this.generator?.stats() ?? null;
  }

  /** The settings the next start uses; the fleet lifecycle puts them back when a fleet change fails. */
  get nextSettings(): TrafficSettings {
    return this.settings;
  }

  set nextSettings(settings: TrafficSettings) {
    this.settings = settings;
  }

  /** A new fleet writes a new ledger. */
  resetLedger(): void {
    this.ledger = new WriteLedger();
    this.counts = noCounts();
  }

  /** Stateless nodes store nothing and refuse writes: active-active traffic is reads only. */
  adjustTo(fleetSpec: FleetSpec): void {
    const stateless = fleetSpec.nodes.every((n) => n.kind === 'bundled' && n.role === 'stateless');
    this.settings = { ...this.settings, readShare: stateless ? 1 : TrafficSettings.parse({}).readShare };
  }

  start(patch: Partial<TrafficSettings>): TrafficState {
    if (this.generator?.running) throw new ContractError({ code: 'conflict', message: 'traffic is already running; stop it or use traffic.set', field: 'traffic' });
    const fleetStatus = this.options.fleetStatus();
    if (fleetStatus !== 'running') throw new ContractError({ code: 'conflict', message: `the fleet is ${fleetStatus}`, field: 'fleet' });
    const settings = withPatch(this.settings, patch);
    const generator = new TrafficGenerator({
      baseUrl: this.options.balancerUrl(),
      settings,
      ledger: this.ledger,
      onDone: () => {
        if (this.generator === generator) this.options.events.emit('traffic.changed', this.state());
      },
    });
    this.settings = settings;
    this.generator = generator;
    this.startedAt = now();
    generator.start();
    this.options.record('traffic.started', { rate: this.settings.rate, durationMs: this.settings.durationMs, readShare: this.settings.readShare });
    const state = this.state();
    this.options.events.emit('traffic.changed', state);
    return state;
  }

  async stop(): Promise<void> {
    const generator = this.generator;
    if (!generator?.running) return;
    await generator.stop();
    this.options.record('traffic.stopped', { sent: generator.stats().sent });
    this.options.events.emit('traffic.changed', this.state());
  }

  /** `traffic.set`: the next start's settings, and the running generator's too (its seed stays). */
  set(patch: Partial<TrafficSettings>): TrafficState {
    const next = withPatch(this.settings, patch);
    if (this.generator?.running) {
      const { seed: _seed, ...live } = patch;
      this.generator.update(live);
    }
    this.settings = next;
    const state = this.state();
    this.options.events.emit('traffic.changed', state);
    return state;
  }

  state(): TrafficState {
    return {
      running: this.generator?.running ?? false,
      settings: this.settings,
      startedAt: this.startedAt,
      stats: this.generator ? this.generator.stats() : null,
      ledger: this.ledgerCounts(),
    };
  }

  /** The last check's counts, with the writes acknowledged so far. */
  ledgerCounts(): LedgerCounts {
    return { ...this.counts, acked: this.ledger.acked };
  }

  /** Reads every acknowledged write back from the current primary: lost and stale counts. */
  async checkLedger(): Promise<LedgerCounts> {
    const primary = this.options.primary();
    if (!primary || primary.status !== 'ready') {
      throw new ContractError({ code: 'conflict', message: 'no primary is ready to check the ledger against', field: 'primary' });
    }
    const check = await this.ledger.verify(`http://127.0.0.1:${primary.port}`, { nodeSecret: labNodeSecret(this.options.runDir) }).catch((error: unknown) => {
      // It hung, died or was fenced while it was read: the lab's state, not a bug (a 409, never a 500).
      throw new ContractError({ code: 'conflict', message: `the primary ${primary.id} did not answer the read-back: ${(error as Error).message}`, field: 'primary' });
    });
    this.counts = { acked: check.acked, checked: check.checked, lost: check.lost, stale: check.stale, checkedAt: check.checkedAt };
    this.options.events.emit('ledger.checked', { ...this.counts });
    this.options.record('ledger.checked', { primary: primary.id, acked: check.acked, checked: check.checked, lost: check.lost, stale: check.stale });
    return this.counts;
  }

  /** When an incident is over and writes were acknowledged, count what it cost in data. */
  async checkLedgerFor(incidentId: string): Promise<void> {
    const topology = this.options.topology();
    if (this.ledger.acked === 0 || !topology || topology.kind === 'active-active') return;
    // The new primary may still be finishing its promotion: give it a few seconds.
    const deadline = now() + 5_000;
    for (;;) {
      try {
        const counts = await this.checkLedger();
        this.options.incidents.setLedger(incidentId, { lost: counts.lost, stale: counts.stale });
        return;
      } catch (error) {
        if (now() > deadline || this.options.disposed()) {
          this.options.record('ledger.check-failed', { incident: incidentId, reason: (error as Error).message });
          return;
        }
        await sleep(50);
      }
    }
  }
}
