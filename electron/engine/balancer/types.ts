// The balancer's public event and outcome shapes (the lab wires these to its timeline and metrics).

export interface UpstreamTarget {
  id: string;
  port: number;
  weight?: number;
  /**
   * What active health checks ask this node: its own path (a command node's `healthPath`), null
   * for no active probe (a command node without one: only its exit and live traffic judge it), or
   * left out for the settings' `health.path` (the bundled server's `/readyz`).
   */
  healthPath?: string | null;
}

export type DetectionVia = 'exit' | 'passive' | 'active';

export interface RequestOutcome {
  /** When the request arrived (monotonic epoch ms). */
  startedAt: number;
  durationMs: number;
  method: string;
  /** The node that answered (or, on failure, the last one tried); null when none was tried. */
  nodeId: string | null;
  /** The status sent to the client; 0 when none was (the client went away first). */
  status: number;
  /** A response below 500 reached the client in full. */
  ok: boolean;
  tries: number;
  retried: boolean;
  /**
   * 'ECONNREFUSED' | 'ECONNRESET' | 'timeout' | 'no-upstream' | 'budget-exhausted' | 'client-aborted' | ...
   * and the failover hold's 503s (with Retry-After): 'failover-deadline' (held past the deadline),
   * 'failover-write-refused' (a non-idempotent write while there was no primary: not sent),
   * 'failover-write-unknown' (a non-idempotent write cut by the primary's loss: it may have landed).
   */
  error?: string;
  /** Set only for a request the failover hold held: how long it waited in all (ms). */
  heldMs?: number;
  /** Set for a held request or a write the hold answered 503: the lost node it was about (null when none was named). */
  heldFor?: string | null;
}

export interface BalancerListener {
  /** A node seen failing; each way (exit, passive, active) is its own event, once per incident. */
  onDetected(e: { nodeId: string; via: DetectionVia; at: number; reason: string }): void;
  /**
   * A node taken out of rotation (only on the way out: a node already out is not ejected again);
   * `strikes`, for a passive ejection: its passive ejections in a row (its time doubles with each).
   */
  onEjected(e: { nodeId: string; via: DetectionVia; at: number; untilAt: number | null; strikes?: number }): void;
  onReadmitted(e: { nodeId: string; at: number; via: 'active' | 'timer' | 'lab' }): void;
  /** The first successful response from a node after it was (re)admitted: "recovered". */
  onFirstServed(e: { nodeId: string; at: number }): void;
}
