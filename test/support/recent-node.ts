// A Node with SO_REUSEPORT (≥ 22.12) for the tests of several balancer workers, when the tests run on
// an older one (Node 20 here; Electron 45's own Node has it): this Node itself if it is recent enough,
// else $FIREDRILL_RECENT_NODE, else the official build from the npm registry (the `node-<os>-<cpu>`
// packages), fetched once into node_modules/.cache. Returns the binary's path, or why there is none.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { reusePortMissing } from '../../electron/engine/data-plane/worker-count';

/** Pinned: the newest 22.x on the registry on 2026-12-07. */
export const RECENT_NODE_VERSION = '22.23.5';

export function recentNode(root: string): { path: string } | { missing: string } {
  if (reusePortMissing() === null) return { path: process.execPath };
  const given = process.env.FIREDRILL_RECENT_NODE;
  if (given) return existsSync(given) ? { path: given } : { missing: `FIREDRILL_RECENT_NODE=${given}: no such file` };
  const os = process.platform === 'win32' ? 'win' : process.platform;
  const name = `node-${os}-${process.arch}`;
  const dir = join(root, 'node_modules', '.cache', 'firedrill', `${name}-${RECENT_NODE_VERSION}`);
  const binary = join(dir, 'package', 'bin', 'node');
  if (existsSync(binary)) return { path: binary };
  try {
    mkdirSync(dir, { recursive: true });
    const tarball = execFileSync('npm', ['pack', `${name}@${RECENT_NODE_VERSION}`, '--silent', '--pack-destination', dir], { cwd: dir, encoding: 'utf8', timeout: 240_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n').pop()!;
    execFileSync('tar', ['-xzf', join(dir, tarball), '-C', dir], { timeout: 120_000 });
    rmSync(join(dir, tarball), { force: true });
    if (!existsSync(binary)) return { missing: `${name}@${RECENT_NODE_VERSION} from the npm registry has no ${binary}` };
    return { path: binary };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return { missing: `could not fetch ${name}@${RECENT_NODE_VERSION} from the npm registry: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
}
