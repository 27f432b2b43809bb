import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The Electron binary, or why there is none. Read from the electron package's path.txt and dist/,
 * never through `require('electron')`: since Electron 42 that require downloads the binary on the
 * spot (and throws offline), which a test run must not do.
 */
export function electronBinary(): { path: string } | { missing: string } {
  let packageDir: string;
  try {
    packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch (error) {
    return { missing: `the electron package is not installed (${(error as Error).message.split('\n')[0]})` };
  }
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) {
    return { missing: `the Electron binary is not downloaded (no ${pathFile}); run npx install-electron --no with internet access` };
  }
  const path = join(process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(packageDir, 'dist'), readFileSync(pathFile, 'utf8').trim());
  return existsSync(path) ? { path } : { missing: `the Electron binary is not at ${path}` };
}
