import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium as playwright, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, findChromium, writePdf } from '../../electron/engine/report-store/pdf.js';
import { compareReports, renderComparisonHtml } from '../../shared/report/compare.js';
import { renderHtml } from '../../shared/report/html.js';
import { HOSTILE, makeReport } from '../support/report-fixture.js';
import { makeTempDir, removeDir } from '../support/temp.js';

// Debian's Chromium opens the reports as a user would, from a file. Without one this suite is
// skipped, except under CI=true, where a missing Chromium fails it.
const chromium = findChromium();
const ci = process.env.CI === 'true';
if (!chromium && !ci) console.warn('report-html: SKIPPED: no Chromium found (apt-get install chromium, or set FIREDRILL_CHROMIUM)');

interface Opened {
  page: Page;
  /** Every request but the document's own. */
  requests: string[];
  /** Console errors (a CSP violation is one) and uncaught page errors. */
  errors: string[];
}

describe.skipIf(!chromium && !ci)('reports in Chromium', () => {
  let browser: Browser;
  let dir: string;
  const report = makeReport();
  const second = makeReport({ id: 'run-2', balancer: { strategy: 'least-response-time', retry: { enabled: false } } });

  beforeAll(async () => {
    if (!chromium) throw new Error('no Chromium found, and CI=true: install chromium or set FIREDRILL_CHROMIUM');
    dir = await makeTempDir('fd-report-html-');
    browser = await playwright.launch({ executablePath: chromium, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await removeDir(dir);
  });

  async function open(name: string, html: string, colorScheme: 'light' | 'dark' = 'light'): Promise<Opened> {
    const file = join(dir, name);
    writeFileSync(file, html);
    const url = pathToFileURL(file).href;
    const context = await browser.newContext({ colorScheme, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (request) => {
      if (request.url() !== url) requests.push(request.url());
    });
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url, { waitUntil: 'load' });
    return { page, requests, errors };
  }

  it('notices a page that fetches something (the recorder works)', async () => {
    const blocked = await open('blocked.html', '<!doctype html><meta http-equiv="Content-Security-Policy" content="img-src data:"><img src="http://127.0.0.1:9/x.png"><p>x</p>');
    expect(blocked.errors.join('\n')).toMatch(/Content Security Policy/);
    await blocked.page.context().close();
    const leaky = await open('leaky.html', '<!doctype html><img src="http://127.0.0.1:9/x.png"><p>x</p>');
    expect(leaky.requests).toEqual(['http://127.0.0.1:9/x.png']);
    await leaky.page.context().close();
  });

  it('opens the drill report with no request and no error, charts and verdict in view', async () => {
    const { page, requests, errors } = await open('report.html', renderHtml(report));
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
    await expect.poll(() => page.locator('.badge').textContent()).toBe('FAIL');
    expect(await page.locator('h1').textContent()).toBe(HOSTILE.title);
    expect(await page.locator('.reason').first().textContent()).toBe(HOSTILE.reason);
    const charts = page.locator('svg.chart');
    expect(await charts.count()).toBe(3);
    for (const chart of await charts.all()) {
      expect(await chart.isVisible()).toBe(true);
      const box = await chart.boundingBox();
      expect(box?.width).toBeGreaterThan(600);
      expect(box?.height).toBeGreaterThan(150);
    }
    expect(await page.locator('svg.stage-bar').count()).toBe(2);
    // Nothing from the report became an element.
    expect(await page.locator('script, iframe, img, a, object, embed, link, u, b').count()).toBe(0);
    await page.emulateMedia({ media: 'print' });
    expect(await charts.first().isVisible()).toBe(true);
    await page.context().close();
  });

  it('follows the system into dark mode', async () => {
    const background = async (scheme: 'light' | 'dark'): Promise<string> => {
      const { page, errors } = await open(`report-${scheme}.html`, renderHtml(report), scheme);
      expect(errors).toEqual([]);
      // A string, so this Node-side file needs no DOM types.
      const color = String(await page.evaluate('getComputedStyle(document.documentElement).backgroundColor'));
      await page.context().close();
      return color;
    };
    expect(await background('light')).toBe('rgb(255, 255, 255)');
    expect(await background('dark')).toBe('rgb(13, 17, 23)');
  });

  it('opens the comparison with no request and no error, the runs overlaid', async () => {
    const html = renderComparisonHtml(compareReports([report, second]), [report, second]);
    const { page, requests, errors } = await open('compare.html', html);
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
    const charts = page.locator('svg.chart');
    expect(await charts.count()).toBe(2);
    for (const chart of await charts.all()) expect(await chart.isVisible()).toBe(true);
    expect(await page.locator('svg.chart').first().locator('path').count()).toBe(2);
    expect(await page.locator('table.comparison').textContent()).toContain('least-response-time');
    await page.context().close();
  });

  it('prints the report to a PDF', async () => {
    const out = join(dir, 'nested', 'report.pdf');
    await writePdf(renderHtml(report), out);
    expect(readFileSync(out).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(statSync(out).size).toBeGreaterThan(8 * 1024);
  });
});
