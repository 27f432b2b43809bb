import { writeFile } from 'node:fs/promises';
import { BrowserWindow, type WebContents } from 'electron';

/** Prints what a webContents shows to a PDF file; returns the path. */
export async function printToPdf(contents: WebContents, path: string): Promise<string> {
  const data = await contents.printToPDF({ printBackground: true, pageSize: 'A4' });
  await writeFile(path, data);
  return path;
}

/**
 * The lab's PDF printer in the desktop app: a report's self-contained HTML loaded into a hidden,
 * sandboxed window with scripts off, printed with Electron's printToPDF (no Chromium download).
 * Offline: the page is its own data: URL, its CSP is default-src 'none', and the default session
 * cancels every http(s), ws(s) and file:// request (index.ts, lockDown).
 */
export async function printHtmlToPdf(html: string, path: string): Promise<void> {
  const win = new BrowserWindow({
    show: false,
    webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false },
  });
  try {
    await win.loadURL(`data:text/html;charset=utf-8;base64,${Buffer.from(html, 'utf8').toString('base64')}`);
    await printToPdf(win.webContents, path);
  } finally {
    win.destroy();
  }
}
