import { app, BrowserWindow, dialog, nativeTheme, protocol, session } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lab } from '../engine/lab.js';
import { APP_INDEX_URL, APP_SCHEME, APP_SCHEME_PRIVILEGES, isAppPage, serveAppRequest } from './app-protocol.js';
import { fromIpcMain } from './ipc-transport.js';
import { installMenu } from './menu.js';
import { printHtmlToPdf } from './print-to-pdf.js';

// Bundled to out/main/index.js; the preload and the renderer are built next to it.
const here = dirname(fileURLToPath(import.meta.url));
const PRELOAD = join(here, '..', 'preload', 'index.cjs');
const RENDERER_DIR = join(here, '..', 'renderer');
/** Quitting waits this long for the lab to stop its fleet, then exits anyway. */
const DISPOSE_LIMIT_MS = 15_000;

let lab: Lab | undefined;
let mainWindow: BrowserWindow | undefined;
let quitState: 'running' | 'disposing' | 'done' = 'running';

function createWindow(engine: Lab): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 960,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Firedrill',
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#0f1216' : '#f6f7f9',
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      sandbox: true,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });

  // One contract connection per loaded document: a reload gets a fresh one, the old one ends.
  let endConnection: (() => void) | undefined;
  win.webContents.on('did-start-navigation', (details) => {
    if (!details.isMainFrame || details.isSameDocument) return;
    endConnection?.();
    const transport = fromIpcMain(win.webContents, isAppPage);
    engine.host.connect(transport);
    endConnection = () => transport.close();
  });
  win.webContents.once('destroyed', () => endConnection?.());
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_INDEX_URL);
  return win;
}

/**
 * Electron's security checklist, for every webContents present and future: no navigation away
 * (reloads and in-page hash changes are not navigations), no new windows, no webviews, every
 * permission refused, and no request from a page to the network or to file:// - the app is served
 * from app://, the engine is reached over IPC, and a report prints from its own data: URL.
 */
function lockDown(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
  const defaultSession = session.defaultSession;
  defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  defaultSession.setPermissionCheckHandler(() => false);
  defaultSession.setDevicePermissionHandler(() => false);
  defaultSession.webRequest.onBeforeRequest({ urls: ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*', 'file:///*'] }, (_details, callback) => callback({ cancel: true }));
  defaultSession.protocol.handle(APP_SCHEME, (request) => serveAppRequest(request, RENDERER_DIR));
}

async function disposeLab(): Promise<void> {
  if (!lab) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      console.error(`firedrill: the lab did not stop within ${DISPOSE_LIMIT_MS} ms; exiting anyway`);
      resolve();
    }, DISPOSE_LIMIT_MS);
  });
  try {
    await Promise.race([lab.dispose(), limit]);
  } catch (error) {
    console.error('firedrill: stopping the lab failed:', error);
  } finally {
    clearTimeout(timer);
  }
}

async function main(): Promise<void> {
  // Before ready: app:// gets an origin of its own, and every renderer is sandboxed, whatever its window asks.
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
  app.enableSandbox();
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  // The fleet's children must stop before the app exits, however the quit was asked for.
  app.on('before-quit', (event) => {
    if (quitState === 'done') return;
    event.preventDefault();
    if (quitState === 'disposing') return;
    quitState = 'disposing';
    void disposeLab().finally(() => {
      quitState = 'done';
      app.quit();
    });
  });
  app.on('window-all-closed', () => app.quit());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

  await app.whenReady();
  lockDown();
  installMenu();
  try {
    const runDir = process.env.FIREDRILL_RUN_DIR;
    lab = await Lab.create({ ...(runDir ? { runDir } : {}), printPdf: printHtmlToPdf });
  } catch (error) {
    dialog.showErrorBox('Firedrill could not start its lab', error instanceof Error ? error.message : String(error));
    app.exit(1);
    return;
  }
  const engine = lab;
  mainWindow = createWindow(engine);
  mainWindow.on('closed', () => (mainWindow = undefined));
}

void main();
