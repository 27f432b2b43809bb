import type { FiredrillBridge } from '../../../shared/contract/bridge.js';
import { Listeners, type Transport, type Unsubscribe } from '../../../shared/contract/transport.js';

export type { FiredrillBridge };

declare global {
  interface Window {
    /** Present only inside the Electron window. */
    firedrill?: FiredrillBridge;
  }
}

/** A Transport over the preload bridge. IPC does not drop, so it closes only when told to. */
export function fromBridge(bridge: FiredrillBridge): Transport {
  const closes = new Listeners<[]>();
  const stops = new Set<Unsubscribe>();
  let closed = false;
  return {
    send: (message) => {
      if (!closed) bridge.send(message);
    },
    onMessage: (listener) => {
      const stop = bridge.onMessage((message) => {
        if (!closed) listener(message);
      });
      stops.add(stop);
      return () => {
        stops.delete(stop);
        stop();
      };
    },
    onClose: (listener) => closes.add(listener),
    close: () => {
      if (closed) return;
      closed = true;
      for (const stop of stops) stop();
      stops.clear();
      closes.emit();
    },
  };
}
