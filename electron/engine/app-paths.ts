import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

/** The folder holding Firedrill's package.json, found from this file whether it runs from source or a bundle. */
export function appRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      try {
        if ((JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'firedrill') return (cachedRoot = dir);
      } catch {
        // not ours; keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the Firedrill package root');
    dir = parent;
  }
}

export function appVersion(): string {
  return (JSON.parse(readFileSync(join(appRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** The built bundled test server, run by the fleet as child processes. */
export function serverEntry(): string {
  return process.env.FIREDRILL_SERVER_ENTRY ?? join(appRoot(), 'out', 'server', 'index.js');
}

/** The built reaper, the watchdog that ends every child if the engine dies. */
export function reaperEntry(): string {
  return process.env.FIREDRILL_REAPER_ENTRY ?? join(appRoot(), 'out', 'reaper', 'index.js');
}

/** The built data plane's thread (data-plane/worker-main.ts): the balancer and the fault proxies. */
export function dataPlaneEntry(): string {
  return process.env.FIREDRILL_DATA_PLANE_ENTRY ?? join(appRoot(), 'out', 'data-plane', 'index.js');
}

export function rendererDir(): string {
  return join(appRoot(), 'out', 'renderer');
}
