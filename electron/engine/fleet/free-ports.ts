import { createServer, type Server } from 'node:net';

/** Ports held open on 127.0.0.1 until released: nothing else on the machine can be given them meanwhile. */
export interface PortReservation {
  ports: number[];
  release(): Promise<void>;
}

/** Free TCP ports on 127.0.0.1, all distinct, each held open until `release()`. */
export async function reservePorts(count: number): Promise<PortReservation> {
  const servers: Server[] = [];
  const release = (): Promise<void> =>
    Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve())))).then(() => undefined);
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      ports.push(await listenOnFreePort(server));
    }
    return { ports, release };
  } catch (error) {
    await release();
    throw error;
  }
}

/** Free TCP ports on 127.0.0.1, all distinct: each is held open until every one is found, then released. */
export async function allocatePorts(count: number): Promise<number[]> {
  const reservation = await reservePorts(count);
  await reservation.release();
  return reservation.ports;
}

/**
 * True when this process could listen on 127.0.0.1:`port` now (it briefly does). A port freed
 * between an allocation and a spawn may have been taken by any other process on the machine.
 */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function listenOnFreePort(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address && typeof address === 'object') resolve(address.port);
      else reject(new Error('could not read the allocated port'));
    });
  });
}
