import type { StateCreator } from 'zustand';
import type { Store } from './store.js';

export type ConnectionStatus = 'connecting' | 'open' | 'closed';

export type ConnectionSlice = {
  connection: {
    /** `ipc` inside the Electron window, `websocket` in a browser. */
    via: 'ipc' | 'websocket' | null;
    status: ConnectionStatus;
    /** Failed attempts since the last successful one. */
    attempt: number;
    /** When the next attempt is due (epoch ms), while `closed`. */
    retryAt: number | null;
    /** Why the last attempt failed or the socket closed. */
    reason: string | null;
  };
};

export const createConnectionSlice: StateCreator<Store, [], [], ConnectionSlice> = () => ({
  connection: { via: null, status: 'connecting', attempt: 0, retryAt: null, reason: null },
});
