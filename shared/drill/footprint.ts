// What a drill asks of the machine it runs on — processes, requests, bytes, time, faults — and the
// most a drill file may ask. A drill is shared like a script: before it runs, the operator sees this.
import { TrafficSettings } from '../contract/model.js';
import type { DrillSpec } from './schema.js';

/**
 * The most a drill may ask. The built-in library asks at most 300 req/s of 64 B values for about half
 * a minute; these leave room for heavier teaching drills and stay far from hurting a workstation.
 */
export const DrillLimits = {
  /** Requests per second: the drill's traffic and any `traffic.set` it performs. */
  rate: 1_000,
  /** Bytes per value written (and read back). */
  valueBytes: 64 * 1024,
  /** Peak rate × value size. */
  bytesPerSec: 8 * 1024 * 1024,
  /** Peak rate × how long traffic runs. */
  totalRequests: 300_000,
  /** `traffic.durationMs`. */
  trafficMs: 10 * 60_000,
  /** All waits of a drill together. */
  waitsMs: 10 * 60_000,
  /** One expected event's time limit. */
  withinMs: 2 * 60_000,
  /** A fault's `durationMs`. */
  faultMs: 10 * 60_000,
  keys: 100_000,
  maxInFlight: 2_000,
  /** Active-active nodes (a standby topology runs two). */
  nodes: 8,
  steps: 200,
} as const;

/** Below all of these a drill from anywhere runs without asking; above any, `firedrill run` asks first on a terminal. */
export const ModestLoad = { rate: 300, valueBytes: 4 * 1024, lengthMs: 3 * 60_000, nodes: 5 } as const;

export interface DrillFootprint {
  topology: DrillSpec['topology']['kind'];
  /** Processes the lab starts for it. */
  nodes: number;
  /** The highest rate it asks (its traffic, or a later traffic.set), req/s. */
  peakRate: number;
  /** The largest value it writes, bytes. */
  valueBytes: number;
  /** The largest share of writes it asks, 0..1. */
  writeShare: number;
  /** The most its steps can take: every wait plus every expected event's full time limit, ms. */
  lengthMs: number;
  /** How long traffic runs at most, ms: the steps' length, or less when the drill bounds it. */
  trafficMs: number;
  /** Peak rate × traffic time: the most requests it can send. */
  totalRequests: number;
  /** Each injected fault, e.g. "kill on a2". */
  faults: string[];
  /** Where in the file the peak rate and the largest value are asked (for messages). */
  ratePath: Array<string | number>;
  valueBytesPath: Array<string | number>;
}

const TRAFFIC_DEFAULTS = TrafficSettings.parse({});

export function drillFootprint(spec: DrillSpec): DrillFootprint {
  let peakRate = spec.traffic.rate ?? TRAFFIC_DEFAULTS.rate;
  let ratePath: Array<string | number> = spec.traffic.rate === undefined ? ['traffic'] : ['traffic', 'rate'];
  let valueBytes = spec.traffic.valueBytes ?? TRAFFIC_DEFAULTS.valueBytes;
  let valueBytesPath: Array<string | number> = spec.traffic.valueBytes === undefined ? ['traffic'] : ['traffic', 'valueBytes'];
  let readShare = spec.traffic.readShare ?? TRAFFIC_DEFAULTS.readShare;
  let lengthMs = 0;
  const faults: string[] = [];
  spec.steps.forEach((step, index) => {
    if ('wait' in step) lengthMs += step.wait;
    if ('expect' in step && step.expect.within !== undefined) lengthMs += step.expect.within;
    if ('fault' in step && step.fault.inject) faults.push(`${step.fault.inject.type} on ${step.fault.inject.target}`);
    if ('fault' in step && step.fault.after) lengthMs += step.fault.after.within + (step.fault.after.delayMs ?? 0);
    if ('action' in step && step.action.do?.command === 'traffic.set') {
      const params = step.action.do.params as { rate?: number; valueBytes?: number; readShare?: number };
      const at = ['steps', index, 'action', 'do', 'params'];
      if (params.rate !== undefined && params.rate > peakRate) [peakRate, ratePath] = [params.rate, [...at, 'rate']];
      if (params.valueBytes !== undefined && params.valueBytes > valueBytes) [valueBytes, valueBytesPath] = [params.valueBytes, [...at, 'valueBytes']];
      if (params.readShare !== undefined) readShare = Math.min(readShare, params.readShare);
    }
  });
  const trafficMs = Math.min(spec.traffic.durationMs ?? Infinity, lengthMs);
  return {
    topology: spec.topology.kind,
    nodes: spec.topology.kind === 'active-active' ? spec.topology.nodes : 2,
    peakRate,
    valueBytes,
    writeShare: 1 - readShare,
    lengthMs,
    trafficMs,
    totalRequests: Math.ceil((peakRate * trafficMs) / 1000),
    faults,
    ratePath,
    valueBytesPath,
  };
}

export function isModestLoad(f: DrillFootprint): boolean {
  return f.peakRate <= ModestLoad.rate && f.valueBytes <= ModestLoad.valueBytes && f.lengthMs <= ModestLoad.lengthMs && f.nodes <= ModestLoad.nodes;
}

/** Two lines: the lab and its traffic, then the faults. */
export function describeFootprint(f: DrillFootprint): string {
  const writes = f.writeShare <= 0 ? 'no writes' : `${Math.round(f.writeShare * 100)} % writes`;
  const load = `${f.nodes} nodes (${f.topology}) on this machine; traffic up to ${count(f.peakRate)} req/s, ${formatBytes(f.valueBytes)} values, ${writes}, for up to ${formatDuration(f.trafficMs)} (at most ${count(f.totalRequests)} requests)`;
  return `${load}\nFaults: ${f.faults.length > 0 ? f.faults.join(', ') : 'none'}`;
}

export function count(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${count(Math.round((bytes / (1024 * 1024)) * 10) / 10)} MiB`;
  if (bytes >= 1024) return `${count(Math.round((bytes / 1024) * 10) / 10)} KiB`;
  return `${bytes} B`;
}

export function formatDuration(ms: number): string {
  if (ms >= 120_000) return `${count(Math.round((ms / 60_000) * 10) / 10)} min`;
  return ms < 10_000 ? `${count(Math.round(ms / 100) / 10)} s` : `${Math.round(ms / 1000)} s`;
}
