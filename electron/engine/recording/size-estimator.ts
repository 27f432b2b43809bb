// What an entry weighs, estimated cheaply: JSON.stringify of a sample of each event's payloads,
// the running average for the rest (a 64-node metrics tick is ~10 KB; serialising every one would
// cost more than recording it).

/** Measure the first few of each event, then one in this many. */
const SAMPLE_EVERY = 32;
const FIRST_MEASURED = 4;
/** What an entry costs besides its payload (seq, at, event name, the object). */
const ENTRY_OVERHEAD = 64;

export class SizeEstimator {
  private readonly byEvent = new Map<string, { seen: number; measured: number; total: number }>();

  /** Bytes of one entry of `event`: measured for a sample, the event's average otherwise. */
  estimate(event: string, payload: unknown): number {
    let stats = this.byEvent.get(event);
    if (!stats) {
      stats = { seen: 0, measured: 0, total: 0 };
      this.byEvent.set(event, stats);
    }
    stats.seen++;
    if (stats.measured < FIRST_MEASURED || stats.seen % SAMPLE_EVERY === 0) {
      stats.measured++;
      stats.total += this.measure(payload);
    }
    return ENTRY_OVERHEAD + event.length + Math.ceil(stats.total / stats.measured);
  }

  /** Bytes of a value as JSON (UTF-16 length: close enough for a budget). */
  measure(value: unknown): number {
    return JSON.stringify(value)?.length ?? 4;
  }

  /** A log batch by its lines' text (they vary too much for an average), in one pass and no copy. */
  static logBatch(payload: unknown): number {
    const lines = (payload as { lines?: Array<{ text?: string; nodeId?: string }> }).lines ?? [];
    let bytes = ENTRY_OVERHEAD + 32;
    for (const line of lines) bytes += 64 + (line.text?.length ?? 0) + (line.nodeId?.length ?? 0);
    return bytes;
  }
}
