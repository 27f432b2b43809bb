import type { AddressInfo, Server } from 'node:net';

/**
 * Listens on 127.0.0.1 only (0 picks a free port); resolves with the port, rejects with the listen
 * error (EADDRINUSE, …). `reusePort`: SO_REUSEPORT, for several listeners on one port (Node ≥ 22.12,
 * Linux and some BSDs; older Node ignores it, so a second listener there fails with EADDRINUSE).
 */
export function listenOnLoopback(server: Server, port = 0, options: { reusePort?: boolean } = {}): Promise<number> {
  return listenOn(server, port, '127.0.0.1', options);
}

/** Listens on `address` (an interface of this machine, checked by the caller: only classroom mode asks for one but loopback). */
export function listenOn(server: Server, port: number, address: string, options: { reusePort?: boolean } = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: address, ...(options.reusePort ? { reusePort: true } : {}) }, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
