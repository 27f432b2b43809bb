import type { AddressInfo, Server } from 'node:net';

/** Listens on 127.0.0.1 only (0 picks a free port); resolves with the port, rejects with the listen error (EADDRINUSE, …). */
export function listenOnLoopback(server: Server, port = 0): Promise<number> {
  return listenOn(server, port, '127.0.0.1');
}

/** Listens on `address` (an interface of this machine, checked by the caller: only classroom mode asks for one but loopback). */
export function listenOn(server: Server, port: number, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
