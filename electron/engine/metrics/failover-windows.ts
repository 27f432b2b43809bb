// Which requests arrived while a failover was under way: windows from the primary's loss to the end of its failover.

/** What became of a request: answered at the first try, answered after retries (held through the loss), or failed. */
export type FailoverRequestClass = 'served' | 'held' | 'failed';

interface Window {
  /** The node whose loss opened it. */
  from: string;
  start: number;
  end: number | null;
  /** `failover.held` opens one too: it ends when the node is back in rotation. */
  held: boolean;
}

/** Requests seen before their failover was known: detection comes after the requests the loss failed. */
const RING = 8_192;
/** Windows kept once closed (outcomes arrive after the request ends, so a closed window still counts). */
const CLOSED_KEPT = 8;
/** A window nothing closes (the lab was stopped mid-failover) ends on its own after this long. */
const MAX_WINDOW_MS = 120_000;

/**
 * Failover windows and the requests in them. Fed the lab's timeline and every request outcome; each
 * request is counted at most once, into the window its arrival falls in, including those that ended
 * before the window was opened (they are kept in a bounded ring until then).
 */
export class FailoverWindows {
  private readonly windows: Window[] = [];
  private readonly startedAt = new Float64Array(RING);
  private readonly classes = new Uint8Array(RING);
  /** 1 once a ring entry is counted in a window. */
  private readonly counted = new Uint8Array(RING);
  private next = 0;
  private size = 0;

  constructor(private readonly count: (kind: FailoverRequestClass) => void) {}

  /** A timeline event of the lab: `failover.*` open and close windows; a held node back in rotation closes its own. */
  timeline(kind: string, nodeId: string | undefined, detail: Record<string, unknown>, at: number): void {
    if (kind === 'failover.started' || kind === 'failover.held') {
      const from = typeof detail.from === 'string' ? detail.from : (nodeId ?? '');
      const lossAt = typeof detail.lossAt === 'number' && detail.lossAt <= at ? detail.lossAt : at;
      this.open({ from, start: lossAt, end: null, held: kind === 'failover.held' });
    } else if (kind === 'failover.done' || kind === 'failover.failed') {
      for (const w of this.windows) if (w.end === null && !w.held) w.end = at;
    } else if (nodeId !== undefined && (kind === 'balancer.first-served' || kind === 'balancer.readmitted')) {
      for (const w of this.windows) if (w.end === null && w.held && w.from === nodeId) w.end = at;
    }
  }

  /** `held`: the balancer's failover hold kept it until a node could serve it (held, even if sent once). */
  outcome(startedAt: number, ok: boolean, tries: number, held = false): void {
    const cls: FailoverRequestClass = !ok ? 'failed' : tries > 1 || held ? 'held' : 'served';
    const inWindow = this.windowAt(startedAt) !== undefined;
    if (inWindow) this.count(cls);
    const i = this.next;
    this.startedAt[i] = startedAt;
    this.classes[i] = cls === 'served' ? 0 : cls === 'held' ? 1 : 2;
    this.counted[i] = inWindow ? 1 : 0;
    this.next = (i + 1) % RING;
    this.size = Math.min(this.size + 1, RING);
  }

  private open(w: Window): void {
    this.windows.push(w);
    const closed = this.windows.filter((x) => x.end !== null);
    if (closed.length > CLOSED_KEPT) this.windows.splice(this.windows.indexOf(closed[0]!), 1);
    // The requests the loss failed before anyone knew: counted now, once.
    for (let k = 0; k < this.size; k++) {
      const i = (this.next - 1 - k + RING) % RING;
      if (this.counted[i] === 1 || this.startedAt[i]! < w.start) continue;
      this.counted[i] = 1;
      this.count(this.classes[i] === 0 ? 'served' : this.classes[i] === 1 ? 'held' : 'failed');
    }
  }

  private windowAt(t: number): Window | undefined {
    return this.windows.find((w) => {
      const end = w.end ?? w.start + MAX_WINDOW_MS;
      return t >= w.start && t <= end;
    });
  }
}
