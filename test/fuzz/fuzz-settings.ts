// How much fuzzing a run does: a seeded slice in `npm test` (and CI), the full run from `npm run fuzz`.
import type { Parameters } from 'fast-check';

const DEFAULT_RUNS = 1_000;
const DEFAULT_SEED = 20_261_204;

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name}: "${raw}" is not a positive integer`);
  return value;
}

/** Runs per property: `FIREDRILL_FUZZ_RUNS`, default 1,000 (the CI slice). */
export const fuzzRuns = positiveInt('FIREDRILL_FUZZ_RUNS', DEFAULT_RUNS);
/** One seed for every property, so a failure replays: `FIREDRILL_FUZZ_SEED`. */
export const fuzzSeed = positiveInt('FIREDRILL_FUZZ_SEED', DEFAULT_SEED);

/** fast-check parameters for a property of `share` of the runs (cheap properties take all, slow ones a part). */
export function fuzzParameters<T>(share = 1): Parameters<T> {
  return { numRuns: Math.max(1, Math.round(fuzzRuns * share)), seed: fuzzSeed, endOnFailure: true };
}

/** A time limit for a fuzz test that grows with its runs (vitest's per-test timeout). */
export function fuzzTimeoutMs(msPerRun: number, share = 1): number {
  return Math.max(30_000, Math.round(fuzzRuns * share * msPerRun) + 10_000);
}
