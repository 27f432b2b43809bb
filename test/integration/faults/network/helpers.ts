// Real sockets on 127.0.0.1 for the fault proxy tests: a TCP echo server that counts its open
// connections, a client that records every read with its time, and cleanup after each test.
import net, { type AddressInfo, type Socket } from 'node:net';
import { afterEach } from 'vitest';
import { FaultProxy } from '../../../../electron/engine/faults/network/index';
import { sleep } from '../../../../shared/sleep';

export class EchoServer {
  readonly sockets = new Set<Socket>();
  private readonly server: net.Server;
  port = 0;

  /** `allowHalfOpen`: after the client's FIN, answer `afterEnd` then close (tests half-close). */
  constructor(private readonly options: { afterEnd?: string; paused?: boolean } = {}) {
    this.server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
      if (this.options.paused) socket.pause();
      socket.on('data', (data) => socket.write(data));
      socket.on('end', () => {
        if (this.options.afterEnd) socket.write(this.options.afterEnd);
        socket.end();
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get open(): number {
    return this.sockets.size;
  }

  resumeAll(): void {
    for (const socket of this.sockets) socket.resume();
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export interface Read {
  at: number;
  bytes: number;
}

/** A client socket that records every read and how it ended. */
export class Client {
  readonly reads: Read[] = [];
  readonly chunks: Buffer[] = [];
  received = 0;
  endedAt: number | null = null;
  closedAt: number | null = null;
  error: NodeJS.ErrnoException | null = null;
  private waiters = new Set<() => void>();

  constructor(readonly socket: Socket) {
    socket.on('data', (data: Buffer) => {
      this.reads.push({ at: performance.now(), bytes: data.length });
      this.chunks.push(data);
      this.received += data.length;
      this.poke();
    });
    socket.on('end', () => {
      this.endedAt = performance.now();
      this.poke();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.error = error;
      this.poke();
    });
    socket.on('close', () => {
      this.closedAt = performance.now();
      this.poke();
    });
  }

  static connect(port: number): Promise<Client> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1', noDelay: true, allowHalfOpen: true });
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new Client(socket));
      });
      socket.once('error', reject);
    });
  }

  get data(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** Resolves when `predicate` holds, checked on every event; rejects after `timeoutMs`. */
  until(predicate: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!predicate()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`${what} not met within ${timeoutMs} ms (received ${this.received} B, error ${this.error?.code ?? 'none'})`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  /** Writes `payload` and resolves with the ms until as many bytes came back. */
  async roundTrip(payload: Buffer | string): Promise<number> {
    const size = Buffer.byteLength(payload);
    const target = this.received + size;
    const started = performance.now();
    this.socket.write(payload);
    await this.until(() => this.received >= target, 10_000, 'echo');
    return performance.now() - started;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private poke(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

export async function waitUntil(predicate: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await sleep(5);
  }
}

/** Echo server + proxy in front of it + clients, all closed after the test. */
export function useLab(): {
  echo(options?: ConstructorParameters<typeof EchoServer>[0]): Promise<EchoServer>;
  proxy(upstreamPort: number, random?: () => number): Promise<FaultProxy>;
  client(port: number): Promise<Client>;
} {
  const closers: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
  return {
    async echo(options) {
      const server = await new EchoServer(options).start();
      closers.push(() => server.close());
      return server;
    },
    async proxy(upstreamPort, random) {
      const proxy = new FaultProxy({ name: 'test', upstreamPort, random });
      await proxy.listen(0);
      closers.push(() => proxy.close());
      return proxy;
    },
    async client(port) {
      const client = await Client.connect(port);
      closers.push(() => client.destroy());
      return client;
    },
  };
}

/** u32 big-endian sequence numbers from `from`, `count` of them. */
export function numbered(from: number, count: number): Buffer {
  const buffer = Buffer.alloc(count * 4);
  for (let i = 0; i < count; i += 1) buffer.writeUInt32BE(from + i, i * 4);
  return buffer;
}

/** The index of the first u32 out of sequence, or -1 when `data` is exactly 0, 1, 2, … */
export function firstOutOfOrder(data: Buffer): number {
  for (let i = 0; i + 4 <= data.length; i += 4) if (data.readUInt32BE(i) !== i / 4) return i / 4;
  return data.length % 4 === 0 ? -1 : Math.floor(data.length / 4);
}
