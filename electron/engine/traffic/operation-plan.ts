// The seeded sequence of operations a traffic run sends: read or write, and which key.
import type { TrafficSettings } from '../../../shared/contract/model';
import { mulberry32 } from '../random';

export { mulberry32 };

/** Exponent of the zipf key distribution (YCSB's default). */
export const ZIPF_EXPONENT = 0.99;

/**
 * Zipf over ranks 1..n by rejection-inversion (Hörmann & Derflinger 1996, as in Apache Commons
 * RNG): O(1) memory and time whatever n, about 1.1 uniform draws per sample.
 */
export class ZipfSampler {
  private readonly hIntegralX1: number;
  private readonly hIntegralN: number;
  private readonly s: number;

  constructor(
    private readonly n: number,
    private readonly exponent: number = ZIPF_EXPONENT,
  ) {
    if (!(n >= 1) || !(exponent > 0)) throw new RangeError('zipf needs n >= 1 and an exponent > 0');
    this.hIntegralX1 = this.hIntegral(1.5) - 1;
    this.hIntegralN = this.hIntegral(n + 0.5);
    this.s = 2 - this.hIntegralInverse(this.hIntegral(2.5) - this.h(2));
  }

  /** A rank in 1..n; rank 1 is the most popular. */
  sample(random: () => number): number {
    for (;;) {
      const u = this.hIntegralN + random() * (this.hIntegralX1 - this.hIntegralN);
      const x = this.hIntegralInverse(u);
      let k = Math.floor(x + 0.5);
      if (k < 1) k = 1;
      else if (k > this.n) k = this.n;
      if (k - x <= this.s || u >= this.hIntegral(k + 0.5) - this.h(k)) return k;
    }
  }

  private h(x: number): number {
    return Math.exp(-this.exponent * Math.log(x));
  }

  private hIntegral(x: number): number {
    const logX = Math.log(x);
    return helper2((1 - this.exponent) * logX) * logX;
  }

  private hIntegralInverse(x: number): number {
    let t = x * (1 - this.exponent);
    if (t < -1) t = -1; // guards against rounding just past the domain
    return Math.exp(helper1(t) * x);
  }
}

/** log1p(x) / x, stable near 0. */
function helper1(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1 / 3 - 0.25 * x));
}

/** expm1(x) / x, stable near 0. */
function helper2(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + (x / 3) * (1 + 0.25 * x));
}

export type OperationKind = 'read' | 'write';

export interface Operation {
  kind: OperationKind;
  /** 0-based key index; rank 1 of zipf is index 0. */
  keyIndex: number;
}

/** `key-000042`: zero-padded to at least 6 digits, wider when `keys` needs it. */
export function keyName(index: number, keys: number): string {
  return `key-${String(index).padStart(Math.max(6, String(Math.max(0, keys - 1)).length), '0')}`;
}

export type PlanSettings = Pick<TrafficSettings, 'seed' | 'readShare' | 'keys' | 'distribution'>;

/**
 * The operation stream of a run: each operation draws once for its kind, then its key, from one
 * mulberry32 stream seeded by `seed`. Operations are drawn even when a request is dropped, so the
 * sequence never depends on timing.
 */
export class OperationPlan {
  private readonly random: () => number;
  private readShare: number;
  private keys: number;
  private zipf: ZipfSampler | null;
  private readonly width: number;

  constructor(settings: PlanSettings) {
    this.random = mulberry32(settings.seed);
    this.readShare = settings.readShare;
    this.keys = settings.keys;
    this.zipf = settings.distribution === 'zipf' ? new ZipfSampler(settings.keys) : null;
    this.width = Math.max(6, String(Math.max(0, settings.keys - 1)).length);
  }

  next(): Operation {
    const kind: OperationKind = this.random() < this.readShare ? 'read' : 'write';
    const keyIndex = this.zipf ? this.zipf.sample(this.random) - 1 : Math.floor(this.random() * this.keys);
    return { kind, keyIndex };
  }

  keyName(index: number): string {
    return `key-${String(index).padStart(this.width, '0')}`;
  }

  /** Live change of the mix or the key space (the stream goes on from where it is). */
  update(settings: Partial<PlanSettings>): void {
    if (settings.readShare !== undefined) this.readShare = settings.readShare;
    if (settings.keys !== undefined || settings.distribution !== undefined) {
      this.keys = settings.keys ?? this.keys;
      const zipf = (settings.distribution ?? (this.zipf ? 'zipf' : 'uniform')) === 'zipf';
      this.zipf = zipf ? new ZipfSampler(this.keys) : null;
    }
  }
}
