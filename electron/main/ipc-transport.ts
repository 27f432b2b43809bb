import { ipcMain, type IpcMainEvent, type WebContents } from 'electron';
import type { Envelope } from '../../shared/contract/envelope.js';
import { Listeners, type Transport } from '../../shared/contract/transport.js';
import { CONTRACT_CHANNEL } from '../../shared/contract/bridge.js';

/**
 * A Transport to one window's page over the contract channel. Messages from any other
 * webContents, a subframe, or a page not at a trusted URL are ignored.
 */
export function fromIpcMain(contents: WebContents, isTrustedUrl: (url: string) => boolean): Transport {
  const messages = new Listeners<[unknown]>();
  const closes = new Listeners<[]>();
  let closed = false;

  const onIpc = (event: IpcMainEvent, message: unknown): void => {
    if (closed || event.sender !== contents) return;
    const frame = event.senderFrame;
    if (!frame || frame !== contents.mainFrame || !isTrustedUrl(frame.url)) return;
    messages.emit(message);
  };
  const close = (): void => {
    if (closed) return;
    closed = true;
    ipcMain.removeListener(CONTRACT_CHANNEL, onIpc);
    contents.removeListener('destroyed', close);
    closes.emit();
    messages.clear();
    closes.clear();
  };

  ipcMain.on(CONTRACT_CHANNEL, onIpc);
  contents.once('destroyed', close);

  return {
    send(message: Envelope): void {
      if (!closed && !contents.isDestroyed()) contents.send(CONTRACT_CHANNEL, message);
    },
    onMessage: (listener) => messages.add(listener),
    onClose: (listener) => closes.add(listener),
    close,
  };
}
