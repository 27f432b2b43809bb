import { fromWebSocket } from '../../../shared/contract/websocket-transport.js';
import type { Transport } from '../../../shared/contract/transport.js';

/**
 * The web host's event socket. The page is authorised by the HttpOnly cookie the host set when it was first
 * opened with `?token=` (and redirected to drop it from the address bar); the browser sends the cookie itself.
 * A token still in the page's URL (a host that does not redirect) is passed on as before.
 */
export function eventsUrl(location: Location): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const token = new URLSearchParams(location.search).get('token');
  return `${scheme}://${location.host}/api/events${token ? `?token=${encodeURIComponent(token)}` : ''}`;
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
      void whyRefused().then((why) => reject(new Error(why ?? (event.reason || `could not reach the engine (WebSocket code ${event.code})`))));
    });
  });
}

/** A browser does not say why an upgrade was refused: ask the API, which does. */
async function whyRefused(): Promise<string | undefined> {
  try {
    const response = await fetch('/api/state', { method: 'HEAD', cache: 'no-store' });
    if (response.status === 401) return 'this page is not authorised: open the URL `firedrill serve` printed (it carries the lab token)';
    if (response.status === 403) return 'this page is not the lab’s own (Host or Origin refused): open the URL `firedrill serve` printed';
  } catch {
    // the engine is gone: the socket's own reason says so
  }
  return undefined;
}
