import type { Envelope } from './envelope.js';
import type { Unsubscribe } from './transport.js';

/** The one IPC channel between the Electron window and the engine; it carries contract envelopes both ways. */
export const CONTRACT_CHANNEL = 'firedrill:contract';

/** What electron/preload exposes as `window.firedrill`, and all it exposes. */
export interface FiredrillBridge {
  send(envelope: Envelope): void;
  onMessage(listener: (message: unknown) => void): Unsubscribe;
}
