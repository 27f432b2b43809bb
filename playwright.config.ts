import { defineConfig } from '@playwright/test';

// Debian's Chromium, not a downloaded one (`npx playwright install` cannot reach its CDN here).
const executablePath = process.env.FIREDRILL_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  testMatch: '*.spec.ts',
  outputDir: 'test-results',
  // Each test runs its own lab (engine + 3 node processes) next to Chromium: one at a time on 2 cores.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1440, height: 900 },
    launchOptions: {
      executablePath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    // The renderer through the web host, in Debian's Chromium.
    { name: 'web', testDir: 'test/e2e' },
    // The desktop app with Playwright's _electron, where the Electron binary exists (skipped, saying why, elsewhere).
    { name: 'electron', testDir: 'test/electron' },
  ],
});
