/**
 * What the balancer reports for every proxied request. Declared here structurally so metrics
 * does not depend on the balancer module; keep it in step with `balancer/`.
 */
export interface RequestOutcome {
  /** Epoch ms (engine clock) when the balancer received the request. */
  startedAt: number;
  durationMs: number;
  method: string;
  /** The node that answered last, or null when none did. */
  nodeId: string | null;
  /** HTTP status sent to the client (0 when none could be sent). */
  status: number;
  ok: boolean;
  /** Tries in all, the first included. */
  tries: number;
  retried: boolean;
  error?: string;
}
