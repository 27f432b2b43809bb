import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * PDF export outside Electron: the report's HTML printed by a Chromium found on this machine,
 * driven by playwright-core (the desktop app prints with Electron's own webContents instead).
 * The page is set as content (no URL is loaded), with JavaScript off, the context offline, and
 * every request it might make refused: a report is one self-contained file and needs none.
 *
 * Chromium runs with its sandbox wherever it can. It cannot as root (Chromium refuses: it is
 * known up front), nor where the OS gives it no usable sandbox (no user namespaces and no setuid
 * helper: found when it refuses to start, then it is started once more without). Either way the
 * PDF is still printed - the page is our own, scriptless and offline - and that is said, in one
 * line, never silently.
 */

/** Where Chromium is looked for, in order; FIREDRILL_CHROMIUM, when set, is the only candidate (a typo there must not silently pick another browser). Same list as scripts/e2e.mjs. */
export function chromiumCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const explicit = env.FIREDRILL_CHROMIUM;
  return explicit ? [explicit] : ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
}

export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  return chromiumCandidates(env).find((path) => existsSync(path)) ?? null;
}

/** Chromium's flags for printing one page (the sandbox is decided apart: `chromiumSandbox`). */
export const CHROMIUM_ARGS = ['--disable-gpu', '--disable-background-networking'];

export interface PdfOptions {
  /** The user the printing Chromium runs as (default this process's): root cannot have the sandbox. */
  uid?: number | undefined;
  /** Where the one line about a missing sandbox goes (default: stderr, once per reason per process). */
  say?: (line: string) => void;
}

export interface PdfOutcome {
  sandboxed: boolean;
  /** Why not, when not: the line that was said. */
  note?: string;
}

/** Why the sandbox cannot even be tried, or null when it should be. */
export function sandboxBlocker(uid: number | undefined = process.getuid?.()): string | null {
  return uid === 0 ? 'Chromium does not run its sandbox as root' : null;
}

const SANDBOX_REFUSALS = [/No usable sandbox![^\n]*/, /Running as root without --no-sandbox is not supported[^\n]*/, /[^\n]*setuid sandbox[^\n]*/i, /[^\n]*Failed to move to new namespace[^\n]*/];

/** Chromium's own words when it refused to start sandboxed, if that is what `error` says; null for any other failure. */
export function sandboxRefusal(error: unknown): string | null {
  const text = error instanceof Error ? error.message : String(error);
  for (const pattern of SANDBOX_REFUSALS) {
    const found = pattern.exec(text);
    if (found) return found[0].replace(/^.*?\] /, '').trim();
  }
  return null;
}

const META_REFRESH = /<meta\b[^>]*http-equiv\s*=\s*["']?refresh[^>]*>/gi;

const said = new Set<string>();
function sayOnce(line: string): void {
  if (said.has(line)) return;
  said.add(line);
  process.stderr.write(`firedrill: ${line}\n`);
}

/** The lab's PDF printer (report-store's PdfPrinter): prints, says so when without the sandbox. */
export async function writePdf(html: string, outFile: string, env: NodeJS.ProcessEnv = process.env, options: PdfOptions = {}): Promise<void> {
  await printPdf(html, outFile, env, options);
}

/** Prints `html` to `outFile`; tells whether Chromium had its sandbox, and why not. */
export async function printPdf(html: string, outFile: string, env: NodeJS.ProcessEnv = process.env, options: PdfOptions = {}): Promise<PdfOutcome> {
  const executablePath = findChromium(env);
  if (!executablePath) {
    throw new Error(
      `no Chromium found for PDF export (looked at ${chromiumCandidates(env).join(', ')}); install chromium (apt-get install chromium) or set FIREDRILL_CHROMIUM, or use the desktop app, which prints with Electron`,
    );
  }
  // Loaded on first use: the CLI and the engine start without it.
  const { chromium } = await import('playwright-core');
  await mkdir(dirname(outFile), { recursive: true });
  // Playwright adds --no-sandbox unless told chromiumSandbox: true.
  const launch = (sandbox: boolean) => chromium.launch({ executablePath, args: CHROMIUM_ARGS, chromiumSandbox: sandbox, timeout: 60_000 });

  const blocker = sandboxBlocker('uid' in options ? options.uid : process.getuid?.());
  let why = blocker;
  let browser: Awaited<ReturnType<typeof launch>>;
  if (blocker) browser = await launch(false);
  else {
    try {
      browser = await launch(true);
    } catch (error) {
      const refusal = sandboxRefusal(error);
      if (!refusal) throw error;
      why = `Chromium has no usable sandbox here (${refusal})`;
      browser = await launch(false);
    }
  }
  const note = why ? `PDF printed without Chromium's sandbox: ${why}; the page is the report's own HTML, with JavaScript off and every request refused` : undefined;
  if (note) (options.say ?? sayOnce)(note);

  try {
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true, serviceWorkers: 'block' });
    await context.route('**/*', (route) => route.abort());
    const page = await context.newPage();
    // With JavaScript off, a meta refresh is the one way a page navigates by itself; the refused
    // navigation raced the print ("Printing failed" on a busy machine). A report never has one.
    await page.setContent(html.replace(META_REFRESH, ''), { waitUntil: 'load' });
    await page.pdf({ path: outFile, format: 'A4', printBackground: true });
  } finally {
    await browser.close();
  }
  return note ? { sandboxed: false, note } : { sandboxed: true };
}
