// AdmissionGate: a fixed number of service slots, each held for the service time plus the real
// work, and a bounded FIFO queue in front with a wait limit. Overload answers 503, never hangs.
import { sleep } from '../../shared/sleep';

export interface AdmissionSettings {
  serviceTimeMs: number;
  concurrency: number;
  queueLimit: number;
  /** 0 = a queued request waits as long as it takes. */
  queueTimeoutMs: number;
}

export type AdmissionRejection = 'queue-full' | 'queue-timeout' | 'client-gone';

interface Waiter {
  settled: boolean;
  timer: NodeJS.Timeout | null;
  isAbandoned: () => boolean;
  resolve: (outcome: true | AdmissionRejection) => void;
}

export class AdmissionGate {
  inflight = 0;
  queued = 0;
  private queue: Waiter[] = [];
  private head = 0;

  constructor(readonly settings: AdmissionSettings) {}

  update(change: Partial<AdmissionSettings>): void {
    Object.assign(this.settings, change);
    this.pump();
  }

  /** Resolves true once a slot is held (call release() after), or with why it was refused. */
  acquire(isAbandoned: () => boolean = () => false): Promise<true | AdmissionRejection> {
    if (this.inflight < this.settings.concurrency && this.queued === 0) {
      this.inflight++;
      return Promise.resolve(true);
    }
    if (this.queued >= this.settings.queueLimit) return Promise.resolve('queue-full');
    return new Promise((resolve) => {
      const waiter: Waiter = { settled: false, timer: null, isAbandoned, resolve };
      if (this.settings.queueTimeoutMs > 0) {
        waiter.timer = setTimeout(() => this.settle(waiter, 'queue-timeout'), this.settings.queueTimeoutMs);
      }
      this.queue.push(waiter);
      this.queued++;
    });
  }

  release(): void {
    this.inflight--;
    this.pump();
  }

  /** Holds the slot for the configured service time (a timer, not CPU). */
  serviceDelay(): Promise<void> {
    const ms = this.settings.serviceTimeMs;
    return ms > 0 ? sleep(ms) : Promise.resolve();
  }

  private pump(): void {
    while (this.inflight < this.settings.concurrency && this.head < this.queue.length) {
      const waiter = this.queue[this.head++]!;
      if (waiter.settled) continue;
      if (waiter.isAbandoned()) {
        this.settle(waiter, 'client-gone');
        continue;
      }
      this.inflight++;
      this.settle(waiter, true);
    }
    // Compact now and then so the array does not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private settle(waiter: Waiter, outcome: true | AdmissionRejection): void {
    if (waiter.settled) return;
    waiter.settled = true;
    if (waiter.timer) clearTimeout(waiter.timer);
    this.queued--;
    waiter.resolve(outcome);
  }
}
