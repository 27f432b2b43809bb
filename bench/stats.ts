// Small helpers every benchmark uses.
import { allocatePorts } from '../electron/engine/fleet/free-ports';

/** One line of the bench table. */
export interface BenchRow {
  figure: string;
  value: string;
  target?: string;
  note?: string;
}

/** The p-th percentile (0–100, nearest rank) of the values; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/** A free TCP port on 127.0.0.1 (the fleet's own allocator). */
export async function freePort(): Promise<number> {
  const [port] = await allocatePorts(1);
  return port as number;
}
