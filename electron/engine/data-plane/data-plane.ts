// The one interface between the engine and its data plane (the balancer and the TCP fault proxies).
// Messages in, one ordered stream of messages out, and the few calls whose answer the engine must
// wait for. In-process today (in-process.ts); a worker thread can implement the same thing.
import type { FaultToxic, LinkProxy, PlaneIn, PlaneOut } from './messages';

export type PlaneListener = (message: PlaneOut) => void;

/** A node's own port, where its fault proxies forward to. */
export interface NodePort {
  id: string;
  port: number;
}

export interface DataPlane {
  /** Fire and forget; messages are applied in the order sent. Ignored once closed. */
  send(message: PlaneIn): void;
  /** Every message out, in order; returns the unsubscribe function. */
  subscribe(listener: PlaneListener): () => void;
  /** The balancer listens on 127.0.0.1 (0: a free port). Resolves with the port. `reusePort`: see listen-loopback.ts. */
  listen(port: number, options?: { reusePort?: boolean }): Promise<number>;
  /** Puts (or keeps) a proxy pair in front of each node and closes the others. Resolves with every proxy. */
  ensureLinks(nodes: NodePort[]): Promise<LinkProxy[]>;
  /** Puts a network fault on a node's links; rejects, with nothing applied, when it cannot. */
  applyLinkToxic(faultId: string, nodeId: string, toxic: FaultToxic): Promise<void>;
  /**
   * Resolves once every message sent before it is applied and the upstream states it moved are in
   * the stream: what a command answers after this, the data plane already does.
   */
  settled(): Promise<void>;
  /** Flushes what is pending out, then stops everything: proxies, server, pools, probes, timers. Idempotent. */
  close(): Promise<void>;
}

/** Tells every subscriber: one that throws is named in a warning, and the others are still told (one broken subscriber must not break the data plane). */
export function deliverTo(listeners: Iterable<PlaneListener>, message: PlaneOut): void {
  for (const listener of listeners) {
    try {
      listener(message);
    } catch (error) {
      process.emitWarning(`data-plane subscriber threw on ${message.type}: ${String(error)}`);
    }
  }
}
