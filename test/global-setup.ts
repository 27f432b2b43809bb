import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Child processes run the bundled JS, so build it once before any test spawns a node.
export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(process.execPath, ['scripts/build.mjs', '--quiet', '--keep-going'], { cwd: root, stdio: 'inherit' });
}
