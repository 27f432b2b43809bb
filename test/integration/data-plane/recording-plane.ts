// A DataPlane that records every message in and out (the calls that answer too), for the tests.
import type { DataPlane, NodePort, PlaneListener } from '../../../electron/engine/data-plane/index';
import type { FaultToxic, LinkProxy, PlaneIn, PlaneOut } from '../../../electron/engine/data-plane/messages';

export type RecordedIn = PlaneIn | { type: 'listen'; port: number } | { type: 'links.ensure'; nodes: NodePort[] } | { type: 'link-toxic.applied'; faultId: string; nodeId: string; toxic: FaultToxic };

export class RecordingPlane implements DataPlane {
  readonly sent: RecordedIn[] = [];
  readonly out: Array<{ at: number; message: PlaneOut }> = [];

  constructor(private readonly inner: DataPlane) {
    inner.subscribe((message) => this.out.push({ at: performance.timeOrigin + performance.now(), message }));
  }

  send(message: PlaneIn): void {
    this.sent.push(message);
    this.inner.send(message);
  }
  subscribe(listener: PlaneListener): () => void {
    return this.inner.subscribe(listener);
  }
  listen(port: number): Promise<number> {
    this.sent.push({ type: 'listen', port });
    return this.inner.listen(port);
  }
  ensureLinks(nodes: NodePort[]): Promise<LinkProxy[]> {
    this.sent.push({ type: 'links.ensure', nodes });
    return this.inner.ensureLinks(nodes);
  }
  applyLinkToxic(faultId: string, nodeId: string, toxic: FaultToxic): Promise<void> {
    this.sent.push({ type: 'link-toxic.applied', faultId, nodeId, toxic });
    return this.inner.applyLinkToxic(faultId, nodeId, toxic);
  }
  settled(): Promise<void> {
    return this.inner.settled();
  }
  close(): Promise<void> {
    return this.inner.close();
  }

  outOf<K extends PlaneOut['type']>(type: K): Array<Extract<PlaneOut, { type: K }>> {
    return this.out.map((o) => o.message).filter((m): m is Extract<PlaneOut, { type: K }> => m.type === type);
  }
}

/** Plain data only: primitives, arrays and objects whose prototype is Object's (or null). No function, Map, Date, class. */
export function plainDataProblem(value: unknown, path = '$'): string | null {
  if (value === null || ['string', 'number', 'boolean', 'undefined'].includes(typeof value)) return null;
  if (typeof value !== 'object') return `${path} is a ${typeof value}`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = plainDataProblem(value[i], `${path}[${i}]`);
      if (problem) return problem;
    }
    return null;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return `${path} is a ${(value as object).constructor?.name ?? 'class instance'}`;
  for (const [key, v] of Object.entries(value)) {
    const problem = plainDataProblem(v, `${path}.${key}`);
    if (problem) return problem;
  }
  return null;
}

/**
 * A data plane a hop away, as across a thread: every message in is applied, and every message out
 * delivered, on a later turn of the event loop (in order). The answers of the calls come a hop later too.
 */
export class HopPlane implements DataPlane {
  private readonly listeners = new Set<PlaneListener>();

  constructor(private readonly inner: DataPlane) {
    inner.subscribe((message) => {
      const copy = structuredClone(message);
      setImmediate(() => {
        for (const listener of this.listeners) listener(copy);
      });
    });
  }

  send(message: PlaneIn): void {
    const copy = structuredClone(message);
    setImmediate(() => this.inner.send(copy));
  }
  subscribe(listener: PlaneListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  listen(port: number): Promise<number> {
    return this.hop(() => this.inner.listen(port));
  }
  ensureLinks(nodes: NodePort[]): Promise<LinkProxy[]> {
    return this.hop(() => this.inner.ensureLinks(structuredClone(nodes)));
  }
  applyLinkToxic(faultId: string, nodeId: string, toxic: FaultToxic): Promise<void> {
    return this.hop(() => this.inner.applyLinkToxic(faultId, nodeId, structuredClone(toxic)));
  }
  settled(): Promise<void> {
    return this.hop(() => this.inner.settled());
  }
  close(): Promise<void> {
    return this.hop(() => this.inner.close());
  }

  /** Runs after the messages sent before it (FIFO), and answers a turn later. */
  private hop<T>(call: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => setImmediate(() => call().then((v) => setImmediate(() => resolve(v)), (e: unknown) => setImmediate(() => reject(e)))));
  }
}
