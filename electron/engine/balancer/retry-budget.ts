// The retry budget: over the last 10 s (ten 1-second buckets), retries may be at most
// `percent`% of requests plus `minPerSec` × 10, so a failing node cannot multiply the load.
const BUCKETS = 10;
const BUCKET_MS = 1_000;
export const RETRY_WINDOW_MS = BUCKETS * BUCKET_MS;

export class RetryBudget {
  private readonly second = new Float64Array(BUCKETS).fill(-1);
  private readonly requests = new Float64Array(BUCKETS);
  private readonly retries = new Float64Array(BUCKETS);

  /** Counts one client request (not its retries). */
  countRequest(at: number): void {
    this.requests[this.bucket(at)]!++;
  }

  /** Takes one retry from the budget if it allows one; false when the budget is spent. */
  tryAcquire(at: number, percent: number, minPerSec: number): boolean {
    const { used, allowed } = this.usage(at, percent, minPerSec);
    if (used + 1 > allowed) return false;
    this.retries[this.bucket(at)]!++;
    return true;
  }

  usage(at: number, percent: number, minPerSec: number): { used: number; allowed: number } {
    const oldest = Math.floor(at / BUCKET_MS) - BUCKETS + 1;
    let requests = 0;
    let used = 0;
    for (let i = 0; i < BUCKETS; i++) {
      if (this.second[i]! < oldest) continue;
      requests += this.requests[i]!;
      used += this.retries[i]!;
    }
    return { used, allowed: Math.floor((requests * percent) / 100 + minPerSec * (RETRY_WINDOW_MS / 1_000)) };
  }

  private bucket(at: number): number {
    const second = Math.floor(at / BUCKET_MS);
    const i = second % BUCKETS;
    if (this.second[i] !== second) {
      this.second[i] = second;
      this.requests[i] = 0;
      this.retries[i] = 0;
    }
    return i;
  }
}
