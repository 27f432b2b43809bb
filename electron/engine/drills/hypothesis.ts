// The steady-state hypothesis of a drill, checked all along, and its stop condition.
//
// The hypothesis is about what the clients saw over the whole run: the error rate and the p99 of
// every request sent since the run began, and the acknowledged writes the ledger lost. It is
// checked at every look (the runner looks four times a second) once enough requests were sent for
// a rate to mean something, and the worst value seen is the one that counts: a breach stays a
// breach. The stop condition is about now: the error rate of the last metrics windows, above its
// limit for long enough, ends the drill before it does more harm.
import type { MetricsTick, TrafficStats } from '../../../shared/contract/model.js';
import type { HypothesisCheck, HypothesisName } from '../../../shared/drill/run.js';
import { boundSentence } from '../../../shared/drill/plain.js';
import type { DrillHypothesis, DrillStop } from '../../../shared/drill/schema.js';

/** Below this many requests an error rate or a p99 is noise: one failure in ten is not 10 %. */
export const MIN_SAMPLE = 100;

const describe: Record<HypothesisName, (value: number) => string> = {
  maxErrorRate: (v) => `error rate ${percent(v)}`,
  maxP99Ms: (v) => `p99 ${v.toFixed(1)} ms`,
  maxLostWrites: (v) => `${v} lost write${v === 1 ? '' : 's'}`,
};

const limitText: Record<HypothesisName, (value: number) => string> = {
  maxErrorRate: (v) => percent(v),
  maxP99Ms: (v) => `${v} ms`,
  maxLostWrites: (v) => String(v),
};

export function percent(ratio: number): string {
  const p = ratio * 100;
  return `${p < 10 && p !== 0 ? p.toFixed(2) : p.toFixed(1)} %`;
}

export class HypothesisMonitor {
  private readonly checks = new Map<HypothesisName, HypothesisCheck>();
  private stopSince: number | null = null;

  constructor(
    hypothesis: DrillHypothesis,
    private readonly stop: DrillStop | undefined,
  ) {
    for (const name of ['maxErrorRate', 'maxP99Ms', 'maxLostWrites'] as const) {
      const limit = hypothesis[name];
      if (limit === undefined) continue;
      this.checks.set(name, { name, limit, observed: null, worst: null, verdict: 'pending', breachedAtMs: null, detail: 'not checked yet', sentence: boundSentence(name, hypothesis) ?? '' });
    }
  }

  list(): HypothesisCheck[] {
    return [...this.checks.values()].map((c) => ({ ...c }));
  }

  /** Looks at the traffic so far; returns whether any check changed its verdict. */
  observeTraffic(stats: TrafficStats | null, atMs: number): boolean {
    if (!stats) return false;
    const sent = stats.ok + stats.failed;
    if (sent < MIN_SAMPLE) return false;
    let changed = this.observe('maxErrorRate', stats.failed / sent, atMs, `${stats.failed} of ${sent} requests failed`);
    changed = this.observe('maxP99Ms', stats.latency.p99, atMs, `over ${stats.latency.count} requests`) || changed;
    return changed;
  }

  observeLostWrites(lost: number, atMs: number, checked: number): boolean {
    return this.observe('maxLostWrites', lost, atMs, `${checked} acknowledged writes read back`);
  }

  /**
   * Feeds one metrics window to the stop condition. Returns a reason to stop when the error rate
   * has stayed above its limit for `forMs` (a window with no requests breaks the streak).
   */
  observeTick(tick: MetricsTick, atMs: number): string | null {
    if (!this.stop) return null;
    const rate = tick.requests > 0 ? tick.errors / tick.requests : 0;
    if (tick.requests <= 0 || rate <= this.stop.errorRateAbove) {
      this.stopSince = null;
      return null;
    }
    this.stopSince ??= atMs - tick.windowMs;
    if (atMs - this.stopSince < this.stop.forMs) return null;
    return `stop condition: error rate above ${percent(this.stop.errorRateAbove)} for ${Math.round(atMs - this.stopSince)} ms (last window ${percent(rate)})`;
  }

  /** Settles every check at the end: one never measured stays unchecked (pending) and says why. */
  finish(reasons: Partial<Record<HypothesisName, string>>): void {
    for (const check of this.checks.values()) {
      if (check.verdict !== 'pending') continue;
      if (check.observed === null) check.detail = reasons[check.name] ?? 'never measured';
    }
  }

  breaches(): string[] {
    return [...this.checks.values()]
      .filter((c) => c.verdict === 'fail')
      .map((c) => `${describe[c.name](c.worst ?? 0)} > ${limitText[c.name](c.limit)}`);
  }

  private observe(name: HypothesisName, value: number, atMs: number, context: string): boolean {
    const check = this.checks.get(name);
    if (!check) return false;
    const before = check.verdict;
    check.observed = value;
    check.worst = check.worst === null ? value : Math.max(check.worst, value);
    if (value > check.limit && check.breachedAtMs === null) check.breachedAtMs = atMs;
    check.verdict = check.worst > check.limit ? 'fail' : 'pass';
    const worst = check.worst === value ? '' : `; worst ${describe[name](check.worst)}`;
    check.detail = `${describe[name](value)} (${context})${worst}, limit ${limitText[name](check.limit)}`;
    return check.verdict !== before;
  }
}
