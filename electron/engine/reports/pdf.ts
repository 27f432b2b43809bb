import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * PDF export outside Electron: the report's HTML printed by a Chromium found on this machine,
 * driven by playwright-core (the desktop app prints with Electron's own webContents instead).
 * The page runs with JavaScript off and every network request refused: a report needs neither.
 */

/** Where Chromium is looked for, in order; FIREDRILL_CHROMIUM, when set, is the only candidate (a typo there must not silently pick another browser). Same list as scripts/e2e.mjs. */
export function chromiumCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const explicit = env.FIREDRILL_CHROMIUM;
  return explicit ? [explicit] : ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
}

export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  return chromiumCandidates(env).find((path) => existsSync(path)) ?? null;
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking'];

export async function writePdf(html: string, outFile: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const executablePath = findChromium(env);
  if (!executablePath) {
    throw new Error(
      `no Chromium found for PDF export (looked at ${chromiumCandidates(env).join(', ')}); install chromium (apt-get install chromium) or set FIREDRILL_CHROMIUM, or use the desktop app, which prints with Electron`,
    );
  }
  // Loaded on first use: the CLI and the engine start without it.
  const { chromium } = await import('playwright-core');
  await mkdir(dirname(outFile), { recursive: true });
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout: 60_000 });
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    await context.route('**/*', (route) => route.abort());
    const page = await context.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    await page.pdf({ path: outFile, format: 'A4', printBackground: true });
  } finally {
    await browser.close();
  }
}
