// The lab's one source of randomness for what a drill should be able to replay: which
// connections a toxic hits, which requests an http fault hits, the random strategy's picks and
// the bytes checkpoint damage touches. A drill reseeds it; otherwise it starts from the clock.
// (Traffic has its own seeded stream per run, in traffic/operation-plan.ts.)

/** mulberry32: a small, fast 32-bit PRNG; the same seed gives the same stream. Returns [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let stream = mulberry32(Date.now());

/** Uniform in [0, 1) from the lab's stream. */
export function labRandom(): number {
  return stream();
}

/** Restarts the lab's stream: the same seed, the same sequence of draws. */
export function reseedLab(seed: number): void {
  stream = mulberry32(seed);
}
