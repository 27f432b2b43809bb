// A reset that meets a graceful close: `end()` then a reset in the same tick. Node's resetAndDestroy
// fails there (libuv refuses to reset a stream whose shutdown is queued) and the socket never emits
// 'close'; its handle is never freed, and a worker thread holding one never ends. Real sockets.
import net, { type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ProxyConnection, resetSocket, type ConnectionOwner } from '../../../../electron/engine/faults/network/proxy-connection';
import { now } from '../../../../electron/engine/clock';
import { waitUntil } from './helpers';

const servers: net.Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A connected pair on 127.0.0.1: the accepted socket and the client's. */
async function pair(): Promise<{ accepted: Socket; client: Socket }> {
  let accept!: (s: Socket) => void;
  const accepted = new Promise<Socket>((resolve) => (accept = resolve));
  const server = net.createServer({ allowHalfOpen: true }, accept);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
  client.on('error', () => undefined);
  const socket = await accepted;
  socket.on('error', () => undefined);
  sockets.push(client, socket);
  return { accepted: socket, client };
}

function isOpenHandle(socket: Socket): boolean {
  return (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().includes(socket);
}

describe('a reset right after a graceful close', () => {
  it('resetSocket after end() in the same tick still closes the socket and frees its handle', async () => {
    const { accepted } = await pair();
    let closed = false;
    accepted.on('close', () => (closed = true));
    accepted.write('bye');
    accepted.end();
    resetSocket(accepted);
    await waitUntil(() => closed, 2_000);
    expect(isOpenHandle(accepted)).toBe(false);
  });

  it('a ProxyConnection closed gracefully and reset in the same tick ends both sockets and tells its owner', async () => {
    const downstream = await pair();
    // The proxy's client side is the accepted socket of the pair; its upstream it dials itself.
    const upstreamServer = net.createServer({ allowHalfOpen: true }, (s) => {
      s.on('error', () => undefined);
      sockets.push(s);
    });
    servers.push(upstreamServer);
    await new Promise<void>((resolve) => upstreamServer.listen(0, '127.0.0.1', resolve));
    let closedConnections = 0;
    const owner: ConnectionOwner = {
      env: { now, at: () => 0, cancel: () => undefined, poll: () => undefined, random: () => 0.5 },
      counters: { upstream: 0, downstream: 0 },
      upstreamTarget: () => ({ host: '127.0.0.1', port: (upstreamServer.address() as AddressInfo).port }),
      activeToxics: () => [],
      frozen: () => false,
      connectionClosed: () => (closedConnections += 1),
    };
    const connection = new ProxyConnection(downstream.accepted, owner);
    let upstreamSocket: Socket | null = null;
    const dialled = new Promise<void>((resolve) => upstreamServer.once('connection', () => resolve()));
    connection.connect();
    await dialled;
    await waitUntil(() => ((upstreamSocket = (connection as unknown as { upstream: Socket | null }).upstream), upstreamSocket !== null && !upstreamSocket.connecting), 2_000);

    connection.closeGracefully(); // FIN both ways (a timeout or limit_data toxic)...
    connection.reset(); // ...and in the same tick a reset (an error on the other side, a cut)
    await waitUntil(() => closedConnections === 1, 2_000);
    expect(downstream.accepted.destroyed).toBe(true);
    expect(isOpenHandle(downstream.accepted)).toBe(false);
    expect(isOpenHandle(upstreamSocket!)).toBe(false);
  });
});
