import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CONTRACT_CHANNEL, type FiredrillBridge } from '../../shared/contract/bridge.js';
import type { Envelope } from '../../shared/contract/envelope.js';

// The whole bridge: send an envelope, hear envelopes. The renderer sees its type (shared/), never this code.
const bridge: FiredrillBridge = {
  send(envelope: Envelope): void {
    ipcRenderer.send(CONTRACT_CHANNEL, envelope);
  },
  onMessage(listener: (message: unknown) => void): () => void {
    // The IPC event is not passed on: it would hand the page `sender`, i.e. ipcRenderer itself.
    const handler = (_event: IpcRendererEvent, message: unknown): void => listener(message);
    ipcRenderer.on(CONTRACT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(CONTRACT_CHANNEL, handler);
    };
  },
};

contextBridge.exposeInMainWorld('firedrill', bridge);
