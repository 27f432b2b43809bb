// After a drill, the lab goes back to what it was: its topology (or its fleet stopped, if it was),
// the balancer's settings, the traffic settings, and the traffic running if it was. Or, with
// put-back off or when something cannot be put back, it says plainly what the drill left.
import type { BalancerSettings, LabSnapshot, TopologySpec, TrafficSettings } from '../../../shared/contract/model.js';
import type { LabAfter } from '../../../shared/drill/run.js';
import { formatMs } from '../../../shared/report/format.js';
import { now } from '../clock.js';
import type { DrillLab } from './drill-lab.js';

/** Traffic with less of its run left than this is not started again (it would stop at once). */
const MIN_TRAFFIC_LEFT_MS = 1_000;

/** The lab as it was before the drill touched it. */
export interface LabBefore {
  topology: TopologySpec | null;
  fleetRunning: boolean;
  /** Nodes that were up (ready or starting). */
  nodesUp: string[];
  balancer: BalancerSettings;
  traffic: { settings: TrafficSettings; running: boolean; endsAt: number | null };
}

export async function labBefore(lab: DrillLab): Promise<LabBefore> {
  const state = await lab.call('lab.state', {});
  const traffic = state.traffic;
  return {
    topology: state.topology,
    fleetRunning: state.fleet.status === 'running' || state.fleet.status === 'starting',
    nodesUp: state.nodes.filter((n) => n.status === 'ready' || n.status === 'starting').map((n) => n.id),
    balancer: state.balancer.settings,
    traffic: { settings: traffic.settings, running: traffic.running, endsAt: traffic.running && traffic.startedAt !== null ? traffic.startedAt + traffic.settings.durationMs : null },
  };
}

export interface PutBackOptions {
  putBack: boolean;
  /** The run used the lab's own fleet: its topology was never changed. */
  onLabFleet: boolean;
  /** Why nothing may be done now (the lab is shutting down), if so. */
  skip?: string | null;
}

/** Puts the lab back as `before` (or lists what differs, with put-back off); never throws. */
export async function putLabBack(lab: DrillLab, before: LabBefore, options: PutBackOptions): Promise<LabAfter> {
  const after: LabAfter = { putBack: options.putBack && !options.skip, restored: [], left: [] };
  if (options.skip) {
    after.left.push(`nothing was put back: ${options.skip}`);
    return after;
  }
  const act = async (done: string, undone: string, fn: () => Promise<unknown>): Promise<void> => {
    if (!after.putBack) {
      after.left.push(undone);
      return;
    }
    try {
      await fn();
      after.restored.push(done);
    } catch (error) {
      after.left.push(`${undone} (could not be put back: ${(error as Error).message})`);
    }
  };
  try {
    let state = await lab.call('lab.state', {});
    state = await fleetBack(lab, before, state, options, act, after);
    if (!sameJson(state.balancer.settings, before.balancer)) {
      await act(`balancer: ${balancerWords(before.balancer)}, as before`, `balancer: the drill's settings (${balancerWords(state.balancer.settings)}; before: ${balancerWords(before.balancer)})`, () => lab.call('balancer.set', before.balancer));
    }
    if (!sameJson(state.traffic.settings, before.traffic.settings)) {
      await act(`traffic settings: ${trafficWords(before.traffic.settings)}, as before`, `traffic settings: the drill's (${trafficWords(state.traffic.settings)}; before: ${trafficWords(before.traffic.settings)})`, () => lab.call('traffic.set', before.traffic.settings));
    }
    if (before.traffic.running && !state.traffic.running) {
      const left = (before.traffic.endsAt ?? 0) - now();
      if (left < MIN_TRAFFIC_LEFT_MS) after.restored.push('traffic: not started again, its run would have ended during the drill');
      else {
        await act(`traffic running again (${formatMs(left)} left of its run)`, 'traffic stopped (it was running before the drill)', async () => {
          await lab.call('traffic.start', { ...before.traffic.settings, durationMs: Math.round(left) });
          // The run's length as the operator set it, for the next start.
          await lab.call('traffic.set', { durationMs: before.traffic.settings.durationMs });
        });
      }
    }
  } catch (error) {
    after.left.push(`the lab could not be read back (${(error as Error).message}): it may be as the drill left it`);
  }
  return after;
}

type Act = (done: string, undone: string, fn: () => Promise<unknown>) => Promise<void>;

/** The topology (or the lab's own fleet's nodes) and whether the fleet runs; returns the lab's state after. */
async function fleetBack(lab: DrillLab, before: LabBefore, state: LabSnapshot, options: PutBackOptions, act: Act, after: LabAfter): Promise<LabSnapshot> {
  let changed = false;
  if (!options.onLabFleet && before.topology === null) {
    after.left.push(`topology: the drill's ${topologyWords(state.topology)}; the lab's fleet from its fleet file cannot be rebuilt from here (start it again from the file)`);
  } else if (!options.onLabFleet && before.topology && !sameJson(before.topology, state.topology)) {
    const was = before.topology;
    await act(`topology: ${topologyWords(was)}, as before`, `topology: the drill's ${topologyWords(state.topology)} (before: ${topologyWords(was)})`, () => lab.call('topology.set', was));
    changed = after.putBack;
  } else if (before.fleetRunning) {
    // The same fleet: nodes the drill left down come back up.
    const down = state.nodes.filter((n) => before.nodesUp.includes(n.id) && n.status !== 'ready' && n.status !== 'starting').map((n) => n.id);
    for (const id of down) {
      await act(`${id} started again`, `${id} is down (it was up before the drill)`, () => lab.call('node.start', { id }));
      changed ||= after.putBack;
    }
  }
  if (changed) state = await lab.call('lab.state', {});
  const running = state.fleet.status === 'running' || state.fleet.status === 'starting';
  if (!before.fleetRunning && running) {
    await act('fleet: stopped, as it was', 'fleet: running (it was stopped before the drill)', () => lab.call('fleet.stop', {}));
    if (after.putBack) state = await lab.call('lab.state', {});
  }
  return state;
}

/** Put-back in one sentence, for the timeline. */
export function labAfterWords(after: LabAfter): string {
  const restored = after.restored.length > 0 ? `Put back: ${after.restored.join('; ')}.` : '';
  const left = after.left.length > 0 ? `Left as the drill had it: ${after.left.join('; ')}.` : '';
  if (!restored && !left) return 'The lab is as it was before the drill: nothing to put back.';
  return [after.putBack ? 'The drill put the lab back.' : 'The drill did not put the lab back (put-back was off).', restored, left].filter(Boolean).join(' ');
}

function topologyWords(topology: TopologySpec | null): string {
  if (!topology) return 'fleet from a file';
  if (topology.kind === 'active-active') return `active-active, ${topology.nodes} nodes`;
  if (topology.kind === 'hot-standby') return `hot-standby (${topology.replication})`;
  return topology.kind;
}

function balancerWords(b: BalancerSettings): string {
  return `${b.strategy}, retries ${b.retry.enabled ? 'on' : 'off'}, health checks every ${formatMs(b.health.intervalMs)}`;
}

function trafficWords(t: TrafficSettings): string {
  return `${t.rate} req/s, ${Math.round(t.readShare * 100)} % reads, ${formatMs(t.durationMs)} a run`;
}

/** Deep equality of two parsed values, whatever their keys' order. */
function sameJson(a: unknown, b: unknown): boolean {
  return stable(a) === stable(b);
}

function stable(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stable(v)}`).join(',')}}`;
}
