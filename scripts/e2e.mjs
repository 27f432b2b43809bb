// The end-to-end tests: the built web host driven through Debian's Chromium by Playwright.
// Without Chromium they are skipped (loudly), except in CI, where that is a failure.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const ci = process.env.CI === 'true';

// An explicit FIREDRILL_CHROMIUM is the only candidate: a typo there should not silently pick another browser.
// Same candidates, same order, as findChromium() in electron/engine/report-store/pdf.ts.
const candidates = process.env.FIREDRILL_CHROMIUM ? [process.env.FIREDRILL_CHROMIUM] : ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
const chromium = candidates.find((path) => existsSync(path));
if (!chromium) {
  const reason = `no Chromium found (looked at ${candidates.join(', ')}; set FIREDRILL_CHROMIUM or apt-get install chromium)`;
  if (ci) {
    console.error(`E2E FAILED (CI=true): ${reason}`);
    process.exit(1);
  }
  console.log(`E2E SKIPPED: ${reason}`);
  process.exit(0);
}

const missing = ['out/cli/index.js', 'out/server/index.js', 'out/renderer/index.html'].filter((f) => !existsSync(new URL(`../${f}`, import.meta.url)));
if (missing.length > 0) {
  console.error(`E2E FAILED: not built: ${missing.join(', ')} (run: node scripts/build.mjs && npx vite build)`);
  process.exit(1);
}

const cli = createRequire(import.meta.url).resolve('@playwright/test/cli');
const child = spawn(process.execPath, [cli, 'test', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, FIREDRILL_CHROMIUM: chromium },
});
// A terminal's Ctrl+C reaches Playwright directly; a second, forwarded SIGINT would make it abort hard.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (!(signal === 'SIGINT' && process.stdin.isTTY)) child.kill(signal);
  });
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
