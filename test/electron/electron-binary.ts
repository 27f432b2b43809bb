import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * The Electron binary, or why there is none. `require('electron')` returns its path once the
 * package's install step has downloaded it, and throws when that step was skipped (as here:
 * ELECTRON_SKIP_BINARY_DOWNLOAD, no internet).
 */
export function electronBinary(): { path: string } | { missing: string } {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown as string;
    return existsSync(path) ? { path } : { missing: `the Electron binary is not at ${path}` };
  } catch (error) {
    return { missing: `the Electron binary is not installed (${(error as Error).message.split('\n')[0]}); run node node_modules/electron/install.js with internet access` };
  }
}
