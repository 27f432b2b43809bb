import { fromWebSocket } from '../../../shared/contract/websocket-transport.js';
import type { Transport } from '../../../shared/contract/transport.js';

/** The web host's event socket, authorised by the token the host printed in the lab's URL. */
export function eventsUrl(location: Location): string | null {
  const token = new URLSearchParams(location.search).get('token');
  if (!token) return null;
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/api/events?token=${encodeURIComponent(token)}`;
}

/** Opens the socket and resolves once it is open; rejects if it closes or stalls first. */
export function openSocket(url: string, timeoutMs: number): Promise<{ transport: Transport; socket: WebSocket }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no answer from the engine in ${timeoutMs} ms`));
    }, timeoutMs);
    socket.addEventListener('open', () => {
      clearTimeout(timer);
      resolve({ transport: fromWebSocket(socket), socket });
    });
    socket.addEventListener('close', (event) => {
      clearTimeout(timer);
      reject(new Error(event.reason || `could not reach the engine (WebSocket code ${event.code})`));
    });
  });
}
