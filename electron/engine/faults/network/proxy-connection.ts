// One client connection through the proxy: the client socket, its upstream socket, and a Link
// each way. Errors never escape: a reset or error on one side resets the other (a proxy can only
// say "broken" with a RST), and every socket and timer is released when both sockets are closed.
import net, { type Socket } from 'node:net';
import { Link, type ByteCounters } from './link';
import { createStage } from './toxics/index';
import type { LinkControl, ToxicAttributes, ToxicEnv } from './toxic-stage';
import type { ToxicSpec, ToxicStream } from './toxic-spec';

export interface ConnectionOwner {
  readonly env: ToxicEnv;
  readonly counters: ByteCounters;
  upstreamTarget(): { host: string; port: number };
  /** The toxics in force, in the order they were added. */
  activeToxics(): readonly ToxicSpec[];
  /** A blackhole cut is on: new links start frozen. */
  frozen(): boolean;
  connectionClosed(connection: ProxyConnection): void;
}

type State = 'held' | 'connecting' | 'open' | 'closing' | 'closed';

/**
 * RST when the socket is connected; a plain destroy otherwise (never throws).
 *
 * Not after `end()` until 'finish': libuv's uv_tcp_close_reset refuses a stream whose shutdown is
 * still queued (EINVAL), and Node (20 at least) marks the handle closing all the same, so the socket
 * emits 'error' and never 'close', its handle is never freed, and a worker thread holding it never
 * ends (`terminate()` spins in its handle cleanup: the threaded data plane's hang, by gdb). A
 * graceful close (a toxic's, a node's FIN passed on) and a reset before the FIN went out: 4 times in
 * one full test run on the thread. Such a socket is destroyed instead (the peer sees FIN or RST).
 */
export function resetSocket(socket: Socket): void {
  if (socket.destroyed) return;
  try {
    if (socket.connecting || (socket.writableEnded && !socket.writableFinished)) socket.destroy();
    else socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

/** FIN after what is already written, then close (Go's Conn.Close); never throws. */
function closeSoon(socket: Socket): void {
  if (socket.destroyed) return;
  if (socket.connecting || socket.writableFinished) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  if (!socket.writableEnded) socket.end();
}

export class ProxyConnection {
  private state: State = 'held';
  private upstream: Socket | null = null;
  private up: Link | null = null;
  private down: Link | null = null;
  private openSockets = 1;
  private readonly control: LinkControl & { closeGracefully(): void };

  constructor(
    private readonly client: Socket,
    private readonly owner: ConnectionOwner,
  ) {
    this.control = { reset: () => this.reset(), closeGracefully: () => this.closeGracefully() };
    client.on('error', this.onError);
    client.on('close', this.onClose);
  }

  get isHeld(): boolean {
    return this.state === 'held';
  }

  /** Dials the node; the client is not read until the upstream connection is up. */
  connect(): void {
    if (this.state !== 'held') return;
    this.state = 'connecting';
    const { host, port } = this.owner.upstreamTarget();
    const upstream = net.connect({ host, port, noDelay: true, allowHalfOpen: true });
    this.upstream = upstream;
    this.openSockets += 1;
    upstream.on('error', this.onError);
    upstream.on('close', this.onClose);
    upstream.once('connect', this.onConnect);
  }

  addToxic(spec: ToxicSpec): void {
    const link = this.linkFor(spec.stream);
    if (!link) return; // not open yet: it gets the toxics in force when it opens
    // Rolled once per connection and toxic, like Toxiproxy's `rand.Float32() < toxicity`.
    if (!(this.owner.env.random() < spec.toxicity)) return;
    link.addStage(spec.name, createStage(spec.type, spec.attributes, this.owner.env, this.control));
  }

  updateToxic(name: string, stream: ToxicStream, attributes: ToxicAttributes): void {
    this.linkFor(stream)?.updateStage(name, attributes);
  }

  removeToxic(name: string, stream: ToxicStream): void {
    this.linkFor(stream)?.removeStage(name);
  }

  freeze(): void {
    this.up?.freeze();
    this.down?.freeze();
  }

  thaw(): void {
    this.up?.thaw();
    this.down?.thaw();
  }

  /** RST both sides now. */
  reset(): void {
    if (this.state === 'closed') return;
    this.state = 'closing';
    this.disposeLinks();
    resetSocket(this.client);
    if (this.upstream) resetSocket(this.upstream);
  }

  /** FIN both sides after what is already written (Toxiproxy's Close on both connections). */
  closeGracefully(): void {
    if (this.state === 'closed' || this.state === 'closing') return;
    this.state = 'closing';
    this.disposeLinks();
    closeSoon(this.client);
    if (this.upstream) closeSoon(this.upstream);
  }

  /** The proxy is closing: no goodbyes. */
  destroy(): void {
    if (this.state === 'closed') return;
    this.state = 'closing';
    this.disposeLinks();
    this.client.destroy();
    this.upstream?.destroy();
  }

  private linkFor(stream: ToxicStream): Link | null {
    if (this.state !== 'open') return null;
    return stream === 'upstream' ? this.up : this.down;
  }

  private readonly onConnect = (): void => {
    if (this.state !== 'connecting' || !this.upstream) return;
    this.state = 'open';
    const { env, counters } = this.owner;
    const clock = (): number => env.now();
    const poll = (): void => env.poll();
    this.up = new Link('upstream', this.client, this.upstream, this.control, counters, clock, poll);
    this.down = new Link('downstream', this.upstream, this.client, this.control, counters, clock, poll);
    for (const spec of this.owner.activeToxics()) this.addToxic(spec);
    if (this.owner.frozen()) this.freeze();
    this.up.start();
    this.down.start();
  };

  private readonly onError = (): void => {
    // The other side learns of it the only way TCP allows: a reset.
    this.reset();
  };

  private readonly onClose = (): void => {
    this.openSockets -= 1;
    if (this.openSockets > 0) {
      // The client went away before the node answered the dial: nothing to wait for.
      if (this.state === 'connecting' || this.state === 'held') this.destroy();
      return;
    }
    this.state = 'closed';
    this.disposeLinks();
    this.owner.connectionClosed(this);
  };

  private disposeLinks(): void {
    this.up?.dispose();
    this.down?.dispose();
  }
}
