// How many balancer workers a setting asks for, and whether this Node can run more than one.
import { availableParallelism } from 'node:os';
import type { BalancerWorkerCount } from '../../../shared/contract/model';

/**
 * What `auto` runs at most. Each thread costs about 57 MiB of the lab's memory (measured 2026-12-07:
 * RSS 236 → 287 → 412 → 640 MiB for 1, 2, 4 and 8 workers) and shares the cores with the nodes, the
 * traffic and the UI it serves; on 2 cores a second worker added no throughput. A number (up to 64)
 * still runs that many.
 */
export const AUTO_WORKERS_MAX = 4;

/** `auto`: one per core (at least one, at most AUTO_WORKERS_MAX). */
export function askedWorkers(setting: BalancerWorkerCount, cores: number = availableParallelism()): number {
  return setting === 'auto' ? Math.min(AUTO_WORKERS_MAX, Math.max(1, cores)) : setting;
}

/**
 * Why this Node cannot put more than one listener on the balancer's port, or null when it can:
 * SO_REUSEPORT came in Node 22.12 and 23.1, on Linux and FreeBSD among the platforms the lab runs on
 * (elsewhere Node refuses the option). Electron 45's Node has it; the CLI on Node 20 does not.
 */
export function reusePortMissing(version: string = process.versions.node, platform: NodeJS.Platform = process.platform): string | null {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const recent = major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
  if (!recent) return `more than one balancer worker needs SO_REUSEPORT from Node 22.12 or later; this is Node ${version}: running one`;
  if (platform !== 'linux' && platform !== 'freebsd') return `more than one balancer worker needs SO_REUSEPORT, which Node offers on Linux and FreeBSD, not on ${platform}: running one`;
  return null;
}
