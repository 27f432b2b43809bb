// `npm start`: the desktop app when Electron's binary is installed, otherwise the same UI via the web host.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);

/**
 * The Electron binary's path, or undefined when it is not downloaded. Read from the package's
 * path.txt and dist/ rather than `require('electron')`: since Electron 42 that require downloads
 * the binary itself, synchronously, which must not happen behind the user's back (or offline).
 */
function electronBinary() {
  let packageDir;
  try {
    packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return undefined;
  }
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const relative = readFileSync(pathFile, 'utf8').trim();
  const path = join(process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(packageDir, 'dist'), relative);
  return existsSync(path) ? path : undefined;
}

/**
 * npm installs Electron without its binary (no install script runs: package.json allowScripts),
 * so that `npm ci` works offline; fetch the binary here, once, the first time the desktop app is
 * wanted. ELECTRON_SKIP_BINARY_DOWNLOAD set: never try (Electron itself no longer reads it).
 */
function downloadElectron() {
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return false;
  let installScript;
  try {
    installScript = createRequire(import.meta.url).resolve('electron/install.js');
  } catch {
    return false;
  }
  console.log("Fetching Electron's binary (first start only)...");
  const result = spawnSync(process.execPath, [installScript], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 });
  return result.status === 0;
}

const electron = electronBinary() ?? (downloadElectron() ? electronBinary() : undefined);
let child;
if (electron) {
  child = spawn(electron, [root, ...args], { cwd: root, stdio: 'inherit' });
} else {
  console.log("Electron's binary is not installed (no download possible here, or ELECTRON_SKIP_BINARY_DOWNLOAD is set); serving the same UI through the web host instead:");
  child = spawn(process.execPath, ['out/cli/index.js', 'serve', ...args], { cwd: root, stdio: 'inherit' });
}

// A Ctrl+C in a terminal already reaches the child (same foreground process group); forwarding it
// as well would be a second SIGINT, which `serve` takes as "exit now, skip the clean stop".
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (signal === 'SIGINT' && process.stdin.isTTY) return;
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}
child.on('error', (error) => {
  console.error(`firedrill: could not start ${electron ?? 'the web host'}: ${error.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (code !== null) process.exit(code);
  process.exit(signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1);
});
