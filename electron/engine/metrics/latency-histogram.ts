// Latency histograms on HdrHistogram: values recorded in integer microseconds, read back in ms.
import { build, type Histogram } from 'hdr-histogram-js';
import type { LatencySummary } from '../../../shared/contract/model';

/** Highest trackable latency: 60 s, in microseconds; longer values are clamped to it. */
export const MAX_LATENCY_US = 60_000_000;

export const EMPTY_SUMMARY: Readonly<LatencySummary> = Object.freeze({ p50: 0, p90: 0, p99: 0, max: 0, count: 0 });

/**
 * One latency histogram: 1 µs resolution up to 60 s. `digits` is HdrHistogram's significant
 * value digits: 3 (0.1 % error, ~70 KB) for run totals, 2 (1 % error, ~10 KB) for 100 ms windows.
 * `record` allocates nothing.
 */
export class LatencyHistogram {
  private readonly hist: Histogram;
  /** Exact maximum in ms (the histogram only knows it to its resolution). */
  private maxMs = 0;

  constructor(digits: 2 | 3 = 3) {
    this.hist = build({
      bitBucketSize: 32,
      autoResize: false,
      lowestDiscernibleValue: 1,
      highestTrackableValue: MAX_LATENCY_US,
      numberOfSignificantValueDigits: digits,
      useWebAssembly: false,
    });
  }

  get count(): number {
    return this.hist.totalCount;
  }

  /** Records one latency in milliseconds (NaN and negatives count as 0, past 60 s as 60 s). */
  record(ms: number): void {
    let us = Math.round(ms * 1000);
    if (!(us > 0)) us = 0;
    else if (us > MAX_LATENCY_US) us = MAX_LATENCY_US;
    this.hist.recordValue(us);
    // To the microsecond, as the histogram holds it: a clock's last digits mean nothing here, and
    // percentiles capped by the max (a window of one request) would carry them into every tick.
    if (us / 1000 > this.maxMs) this.maxMs = us / 1000;
  }

  /** Latency at a percentile (0..100), ms; 0 when empty. */
  percentile(p: number): number {
    if (this.hist.totalCount === 0) return 0;
    return Math.min(this.hist.getValueAtPercentile(p) / 1000, this.maxMs);
  }

  get max(): number {
    return this.maxMs;
  }

  summary(): LatencySummary {
    const count = this.hist.totalCount;
    if (count === 0) return { ...EMPTY_SUMMARY };
    return { p50: this.percentile(50), p90: this.percentile(90), p99: this.percentile(99), max: this.maxMs, count };
  }

  /** Adds another histogram of the same resolution into this one. */
  add(other: LatencyHistogram): void {
    if (other.hist.totalCount === 0) return;
    this.hist.add(other.hist);
    if (other.maxMs > this.maxMs) this.maxMs = other.maxMs;
  }

  reset(): void {
    this.hist.reset();
    this.maxMs = 0;
  }
}
