// Bundles the Node-side entry points with esbuild; the renderer is built by Vite.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const quiet = process.argv.includes('--quiet');
// Tests build before they run; one broken entry should fail only the tests that need it.
const keepGoing = process.argv.includes('--keep-going');

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: quiet ? 'warning' : 'info',
  // Keep the CJS-only dependencies working inside an ESM bundle.
  banner: { js: "import { createRequire as __frCreateRequire } from 'node:module'; const require = __frCreateRequire(import.meta.url);" },
  format: 'esm',
  packages: 'bundle',
  // playwright-core (PDF export) finds its own files next to itself: load it from node_modules, never bundle it.
  external: ['electron', 'playwright-core'],
};

const entries = [
  { in: 'electron/server/main.ts', out: 'out/server/index.js' },
  { in: 'electron/engine/fleet/reaper-main.ts', out: 'out/reaper/index.js' },
  { in: 'electron/cli/main.ts', out: 'out/cli/index.js' },
  { in: 'electron/engine/data-plane/worker-main.ts', out: 'out/data-plane/index.js' },
  { in: 'electron/main/index.ts', out: 'out/main/index.js' },
];

const builds = entries
  .filter((e) => existsSync(new URL(`../${e.in}`, import.meta.url)))
  .map((e) => build({ ...common, entryPoints: [e.in], outfile: e.out }));

// The preload runs in a sandboxed renderer, which loads CommonJS only.
if (existsSync(new URL('../electron/preload/index.ts', import.meta.url))) {
  builds.push(
    build({
      ...common,
      banner: {},
      format: 'cjs',
      entryPoints: ['electron/preload/index.ts'],
      outfile: 'out/preload/index.cjs',
    }),
  );
}

const failed = (await Promise.allSettled(builds)).filter((r) => r.status === 'rejected');
if (failed.length > 0) {
  console.error(`build: ${failed.length} entry point(s) failed${keepGoing ? '; going on without them' : ''}`);
  if (!keepGoing) process.exit(1);
}
