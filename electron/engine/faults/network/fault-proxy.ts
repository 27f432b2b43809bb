// A TCP fault proxy in front of one node (Toxiproxy's Proxy): listens on 127.0.0.1, dials the
// node for every client, and runs Toxiproxy's toxics on the bytes in between, live. Also the
// lab's partition: `cut('refuse' | 'blackhole')`. See README.md for what differs from Toxiproxy.
import net, { type Socket } from 'node:net';
import { listenOnLoopback } from '../../listen-loopback';
import { ContractError } from '../../../../shared/contract/errors';
import { now } from '../../clock';
import { threadScheduler, type Deadline, type DeadlineScheduler } from './deadline-scheduler';
import type { ByteCounters } from './link';
import { ProxyConnection, resetSocket, type ConnectionOwner } from './proxy-connection';
import type { ToxicEnv } from './toxic-stage';
import { copySpec, parseAttributes, parseToxicSpec, type ToxicSpec } from './toxic-spec';
import { labRandom } from '../../random';

export interface FaultProxyOptions {
  /** For messages and the lab's bookkeeping (e.g. the node id and link). */
  name: string;
  upstreamPort: number;
  upstreamHost?: '127.0.0.1';
  /** Uniform in [0, 1): toxicity rolls, jitter, slice sizes. Default Math.random. */
  random?: () => number;
  /** When toxics release what they hold. Default: the thread's one scheduler, shared by every proxy in it. */
  scheduler?: DeadlineScheduler;
}

export type CutMode = 'refuse' | 'blackhole';

export interface FaultProxyStats {
  /** Every connection accepted since `listen` (refused ones included). */
  connections: number;
  /** Open now (held by a blackhole included). */
  active: number;
  /** Bytes written to the node / to clients. */
  bytesUp: number;
  bytesDown: number;
}

/** A blackhole holds at most this many new connections; more are reset. */
export const MAX_HELD_CONNECTIONS = 512;

export class FaultProxy {
  readonly name: string;
  private upstreamPort: number;
  private readonly upstreamHost: string;
  private readonly server: net.Server;
  private readonly connections = new Set<ProxyConnection>();
  private readonly chain: ToxicSpec[] = [];
  private mode: CutMode | null = null;
  private accepted = 0;
  private listeningPort = 0;
  private closing: Promise<void> | null = null;
  private readonly owner: ConnectionOwner;

  constructor(options: FaultProxyOptions) {
    this.name = options.name;
    this.upstreamPort = options.upstreamPort;
    this.upstreamHost = options.upstreamHost ?? '127.0.0.1';
    const random = options.random ?? labRandom;
    const scheduler = options.scheduler ?? threadScheduler(now);
    const env: ToxicEnv = {
      now: () => scheduler.now(),
      at: (due, fn) => scheduler.at(due, fn),
      cancel: (handle) => scheduler.cancel(handle as Deadline),
      poll: () => scheduler.poll(),
      random,
    };
    const counters: ByteCounters = { upstream: 0, downstream: 0 };
    this.owner = {
      env,
      counters,
      upstreamTarget: () => ({ host: this.upstreamHost, port: this.upstreamPort }),
      activeToxics: () => this.chain,
      frozen: () => this.mode === 'blackhole',
      connectionClosed: (connection) => this.connections.delete(connection),
    };
    // pauseOnConnect: nothing is read from a client before its upstream connection is up.
    this.server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, this.onConnection);
    this.server.on('error', () => undefined); // listen errors are reported by listen()
  }

  /** Listens on 127.0.0.1 only; 0 picks a free port. Resolves with the port. */
  listen(port = 0): Promise<number> {
    if (this.closing) return Promise.reject(new ContractError({ code: 'closed', message: `fault proxy ${this.name} is closed` }));
    return listenOnLoopback(this.server, port).then((listening) => (this.listeningPort = listening));
  }

  get port(): number {
    return this.listeningPort;
  }

  /** Where new connections go (127.0.0.1 or the host it was given). */
  get upstream(): { host: string; port: number } {
    return { host: this.upstreamHost, port: this.upstreamPort };
  }

  /** The node moved (restarted on another port): new connections go there, open ones stay. */
  setUpstreamPort(port: number): void {
    this.upstreamPort = port;
  }

  /** Appends to its stream's chain, on every open connection too (from their next chunk on). */
  addToxic(spec: ToxicSpec): void {
    const toxic = parseToxicSpec(spec);
    if (this.chain.some((t) => t.name === toxic.name)) {
      throw new ContractError({ code: 'conflict', message: `toxic ${toxic.name} already exists on ${this.name}`, field: 'name' });
    }
    this.chain.push(toxic);
    for (const connection of this.connections) connection.addToxic(toxic);
  }

  /** Changes only the attributes named; connections keep their toxicity roll. */
  updateToxic(name: string, attributes: Record<string, number>): void {
    const toxic = this.chain.find((t) => t.name === name);
    if (!toxic) throw new ContractError({ code: 'not-found', message: `no toxic ${name} on ${this.name}`, field: 'name' });
    toxic.attributes = parseAttributes(toxic.type, { ...toxic.attributes, ...attributes });
    for (const connection of this.connections) connection.updateToxic(name, toxic.stream, toxic.attributes);
  }

  /** Takes it out of every chain; what it held is passed on, never dropped. Unknown names are ignored (false). */
  removeToxic(name: string): boolean {
    const index = this.chain.findIndex((t) => t.name === name);
    const toxic = this.chain[index];
    if (!toxic) return false;
    this.chain.splice(index, 1);
    for (const connection of [...this.connections]) connection.removeToxic(name, toxic.stream);
    return true;
  }

  /**
   * Partition on/off. `refuse`: new connections are reset as soon as accepted, open ones are reset.
   * `blackhole`: new connections are accepted and held unanswered, open ones frozen (nothing passes
   * either way, nothing is closed). `null` heals: held connections dial the node, frozen ones resume.
   */
  cut(mode: CutMode | null): void {
    if (this.closing) return;
    this.mode = mode;
    const connections = [...this.connections];
    if (mode === 'refuse') {
      for (const connection of connections) connection.reset();
    } else if (mode === 'blackhole') {
      for (const connection of connections) connection.freeze();
    } else {
      for (const connection of connections) {
        if (connection.isHeld) connection.connect();
        else connection.thaw();
      }
    }
  }

  toxics(): ToxicSpec[] {
    return this.chain.map(copySpec);
  }

  stats(): FaultProxyStats {
    return { connections: this.accepted, active: this.connections.size, bytesUp: this.owner.counters.upstream, bytesDown: this.owner.counters.downstream };
  }

  /** Destroys every connection and the server; every timer goes with them. Idempotent. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.mode = null;
    this.closing = new Promise<void>((resolve) => {
      for (const connection of [...this.connections]) connection.destroy();
      if (!this.server.listening) {
        resolve();
        return;
      }
      this.server.close(() => resolve());
    });
    return this.closing;
  }

  private readonly onConnection = (client: Socket): void => {
    this.accepted += 1;
    if (this.closing) {
      client.on('error', () => undefined);
      client.destroy();
      return;
    }
    if (this.mode === 'refuse' || (this.mode === 'blackhole' && this.heldCount() >= MAX_HELD_CONNECTIONS)) {
      client.on('error', () => undefined);
      resetSocket(client);
      return;
    }
    const connection = new ProxyConnection(client, this.owner);
    this.connections.add(connection);
    if (this.mode !== 'blackhole') connection.connect();
  };

  private heldCount(): number {
    let held = 0;
    for (const connection of this.connections) if (connection.isHeld) held += 1;
    return held;
  }
}
