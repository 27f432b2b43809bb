import { app, BrowserWindow, dialog, nativeTheme, protocol, session, utilityProcess } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FleetSpec } from '../../shared/contract/model.js';
import { ClassroomServer } from '../cli/classroom.js';
import { Lab } from '../engine/lab.js';
import { APP_INDEX_URL, APP_SCHEME, APP_SCHEME_PRIVILEGES, isAppPage, serveAppRequest } from './app-protocol.js';
import { createFleetLauncher } from './fleet-launcher.js';
import { fromIpcMain } from './ipc-transport.js';
import { installMenu } from './menu.js';
import { openFleetFile } from './open-fleet.js';
import { printHtmlToPdf } from './print-to-pdf.js';

// Bundled to out/main/index.js; the preload and the renderer are built next to it.
const here = dirname(fileURLToPath(import.meta.url));
const PRELOAD = join(here, '..', 'preload', 'index.cjs');
const RENDERER_DIR = join(here, '..', 'renderer');
/** Quitting waits this long for the lab to stop its fleet, then exits anyway. */
const DISPOSE_LIMIT_MS = 15_000;

let lab: Lab | undefined;
/** Classroom mode's listener for the current lab: Settings > Classroom starts it (loopback only); it stops with the lab. */
let classroom: ClassroomServer | undefined;
/** One for the app's life (labs come and go): the bundled server as utility processes, so RunAsNode can stay off. */
let fleetLauncher: ReturnType<typeof createFleetLauncher> | undefined;
let mainWindow: BrowserWindow | undefined;
let quitState: 'running' | 'disposing' | 'done' = 'running';

function createWindow(): BrowserWindow {
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
    endConnection = undefined;
    // The lab of the moment: a fleet file opened from the menu replaces it, then reloads the page.
    if (!lab) return;
    const transport = fromIpcMain(win.webContents, isAppPage);
    lab.host.connect(transport);
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

/** Stops the current lab within DISPOSE_LIMIT_MS (then gives up on it); afterwards there is none. */
async function disposeLab(): Promise<void> {
  const current = lab;
  const viewers = classroom;
  lab = undefined;
  classroom = undefined;
  if (!current) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      console.error(`firedrill: the lab did not stop within ${DISPOSE_LIMIT_MS} ms; exiting anyway`);
      resolve();
    }, DISPOSE_LIMIT_MS);
  });
  try {
    await Promise.race([Promise.all([viewers?.stop(), current.dispose()]), limit]);
  } catch (error) {
    console.error('firedrill: stopping the lab failed:', error);
  } finally {
    clearTimeout(timer);
  }
}

function createLab(fleet?: FleetSpec): Promise<Lab> {
  const runDir = process.env.FIREDRILL_RUN_DIR;
  fleetLauncher ??= createFleetLauncher({ utilityProcess, app });
  // Toxiproxy's API on a free 127.0.0.1 port; Settings shows where.
  const created = Lab.create({ ...(runDir ? { runDir } : {}), ...(fleet ? { fleet } : {}), printPdf: printHtmlToPdf, launcher: fleetLauncher, toxiproxy: {} });
  return created.then((next) => {
    // The viewers' link serves the same built renderer over HTTP, every client read-only (the window keeps IPC).
    classroom = new ClassroomServer({ host: next.host, staticDir: RENDERER_DIR });
    next.classroom.provide(classroom);
    return next;
  });
}

/**
 * A fleet file the person at the machine chose and confirmed (File > Open fleet file…) replaces
 * the lab: the old one stops, a new one starts with the fleet, the page reloads onto it. Should
 * the new one fail to start, the default lab comes back and the error is shown.
 */
async function runConfirmedFleet(fleet: FleetSpec): Promise<void> {
  await disposeLab();
  let failure: unknown;
  try {
    lab = await createLab(fleet);
  } catch (error) {
    failure = error;
    lab = await createLab().catch(() => undefined);
  }
  // Quit while the new lab was starting: it stops too.
  if (quitState !== 'running') {
    await disposeLab();
    return;
  }
  mainWindow?.webContents.reload();
  if (failure !== undefined) throw failure;
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
      fleetLauncher?.dispose();
      quitState = 'done';
      app.quit();
    });
  });
  app.on('window-all-closed', () => app.quit());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

  await app.whenReady();
  lockDown();
  installMenu({ openFleetFile: () => void openFleetFile(mainWindow, { run: (fleet) => runConfirmedFleet(fleet) }) });
  try {
    lab = await createLab();
  } catch (error) {
    dialog.showErrorBox('Firedrill could not start its lab', error instanceof Error ? error.message : String(error));
    app.exit(1);
    return;
  }
  mainWindow = createWindow();
  mainWindow.on('closed', () => (mainWindow = undefined));
}

void main();
