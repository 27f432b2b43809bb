import type { Envelope } from './envelope.js';
import { Listeners, type Transport, type Unsubscribe } from './transport.js';

/** The part of a WebSocket that both the browser's and the `ws` package's sockets have. */
export interface WebSocketLike {
  readonly readyState: number;
  /** Bytes queued by send() and not yet handed to the network. */
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: () => void): void;
}

const OPEN = 1;
/** A close frame's reason may be at most 123 bytes (RFC 6455 §5.5); both socket kinds throw past it. */
const MAX_REASON_BYTES = 123;

/** Carries envelopes as JSON text frames. A frame that is not JSON is passed on as-is, to be rejected by the receiver. */
export function fromWebSocket(socket: WebSocketLike): Transport {
  const messages = new Listeners<[unknown]>();
  const closes = new Listeners<[]>();
  socket.addEventListener('message', (event) => {
    const data = typeof event.data === 'string' ? event.data : String(event.data);
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      message = data;
    }
    messages.emit(message);
  });
  socket.addEventListener('close', () => closes.emit());
  return {
    send(message: Envelope): void {
      if (socket.readyState === OPEN) socket.send(JSON.stringify(message));
    },
    onMessage: (listener): Unsubscribe => messages.add(listener),
    onClose: (listener): Unsubscribe => closes.add(listener),
    close: (code = 1000, reason = 'closed') => socket.close(code, shortReason(reason)),
    backlog: () => socket.bufferedAmount,
  };
}

function shortReason(reason: string): string {
  if (reason.length * 3 <= MAX_REASON_BYTES) return reason;
  let out = reason.slice(0, MAX_REASON_BYTES);
  while (new TextEncoder().encode(out).length > MAX_REASON_BYTES) out = out.slice(0, -1);
  return out;
}
