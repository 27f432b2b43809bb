// The report's offline player: a real drill's report.html, opened from file:// in Chromium with no
// network, plays the run back; a node's process and balancer place change in the order they did.
import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cliEntry } from '../support/cli.js';

/** Runs `firedrill run` on the quick drill (a3 killed) in its own folders; resolves with report.html's path. */
function runDrill(dir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliEntry, 'run', 'test/fixtures/drills/quick-pass.yaml', '--auto', '--seed', '11', '--format', 'json,html'], {
      env: { ...process.env, FIREDRILL_REPORTS_DIR: join(dir, 'reports'), FIREDRILL_RUN_DIR: join(dir, 'runs'), FIREDRILL_USER_DRILLS_DIR: join(dir, 'none') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const html = /^ {2}html +(\S+)$/m.exec(out)?.[1];
      if (code === 0 && html) resolve(html);
      else reject(new Error(`firedrill run exited ${code}: ${out}`));
    });
  });
}

test.describe('report player', () => {
  let dir = '';
  let reportHtml = '';
  test.beforeAll(async () => {
    test.setTimeout(90_000);
    dir = mkdtempSync(join(tmpdir(), 'fd-player-'));
    reportHtml = await runDrill(dir);
  });
  test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('plays a real drill from file:// with no network: a3 runs in rotation, is killed and taken out, in that order', async ({ page }, testInfo) => {
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(pathToFileURL(reportHtml).href);
    const player = page.locator('#replay-player');
    await expect(player).toHaveAttribute('data-state', 'paused');
    const a3 = page.getByTestId('player-node-a3');
    // The bar is ticked where the incident's stages fell: a3's injection among them.
    expect(await page.locator('#player-stage-marks option').count()).toBeGreaterThanOrEqual(2);
    await expect(page.locator('#player-stage-marks option[label="a3 injected"]')).toHaveCount(1);

    // Every state a3's card takes from now on, recorded in the page itself (a frame is short).
    await player.evaluate((root) => {
      type Scope = { a3States: string[]; a3At: number[]; MutationObserver: new (callback: () => void) => { observe(target: unknown, options: object): void } };
      const w = globalThis as unknown as Scope;
      w.a3States = [];
      w.a3At = [];
      const read = () => {
        const card = root.querySelector('[data-testid="player-node-a3"]');
        const state = card ? `${card.getAttribute('data-process')}/${card.getAttribute('data-place')}` : 'absent';
        if (w.a3States[w.a3States.length - 1] === state) return;
        w.a3States.push(state);
        w.a3At.push(Number(root.getAttribute('data-at') ?? 0));
      };
      read();
      new w.MutationObserver(read).observe(root, { subtree: true, childList: true, attributes: true });
    });

    await page.getByTestId('player-play').click();
    await expect(player).toHaveAttribute('data-state', 'playing');
    await expect(player).toHaveAttribute('data-state', 'ended', { timeout: 30_000 });
    const { states, ats } = await page.evaluate(() => {
      const w = globalThis as unknown as { a3States: string[]; a3At: number[] };
      return { states: w.a3States, ats: w.a3At };
    });
    testInfo.annotations.push({ type: 'a3 states', description: states.join(' → ') });

    const firstServing = states.indexOf('ready/in-rotation');
    const firstGone = states.findIndex((s, i) => i > firstServing && !s.startsWith('ready/'));
    expect(firstServing, states.join(' → ')).toBeGreaterThanOrEqual(0);
    expect(firstGone, states.join(' → ')).toBeGreaterThan(firstServing);
    // Killed: the process went (exited, or waiting to restart), and the balancer took it out.
    expect(states.slice(firstGone).some((s) => /^(exited|backoff|starting)\//.test(s)), states.join(' → ')).toBe(true);
    expect(states.slice(firstServing + 1).some((s) => /\/(down|ejected)$/.test(s)), states.join(' → ')).toBe(true);

    // Just after a3 went: the timeline in words up to that instant, the kill and what followed.
    await page.getByTestId('player-bar').fill(String((ats[firstGone] ?? 0) + 40));
    await expect(a3).toHaveAttribute('data-place', /^(down|ejected)$/);
    await expect(page.getByTestId('player-timeline')).toContainText('a3 killed (SIGKILL)');
    await expect(page.getByTestId('player-timeline')).toContainText(/a3 exited \(SIGKILL\)[^·]*· \+[\d.]+ ms after the kill/);
    await expect(page.getByTestId('player-clock')).toContainText('after the kill');
    expect(errors).toEqual([]);
    expect(requests.filter((url) => !url.startsWith('file:'))).toEqual([]);

    // Drag back to the start: the kill is not on the timeline yet.
    await page.getByTestId('player-bar').fill('0');
    await expect(page.getByTestId('player-timeline')).not.toContainText('a3 killed');
    await expect(page.getByTestId('player-nodes')).toContainText('No node yet: the fleet is starting.');

    // The kill, replayed from 1 s before it at ¼×.
    await page.getByTestId('player-jump-0').click();
    await expect(page.getByTestId('player-speed-0.25')).toHaveAttribute('aria-pressed', 'true');
    await expect(player).toHaveAttribute('data-state', 'playing');
    // Before the kill at first (at ¼× the second before it takes four), then a3 goes out.
    await expect(page.getByTestId('player-timeline')).not.toContainText('a3 killed');
    await expect(page.getByTestId('player-timeline')).toContainText('a3 killed (SIGKILL)', { timeout: 10_000 });
    await expect(a3).toHaveAttribute('data-place', /^(down|ejected)$/, { timeout: 10_000 });
    await page.getByTestId('player-play').click();
    await expect(player).toHaveAttribute('data-state', 'paused');

    // Frame by frame: each step adds one sentence to the timeline.
    await page.getByTestId('player-bar').fill('0');
    const rows = page.getByTestId('player-timeline').locator('li[data-kind]');
    await expect(rows).toHaveCount(0);
    for (let n = 1; n <= 3; n++) {
      await page.getByTestId('player-step').click();
      await expect(rows).toHaveCount(n);
    }

    // Screenshots at two widths, of the player itself.
    for (const width of [1024, 1440]) {
      await page.setViewportSize({ width, height: 900 });
      await page.getByTestId('player-speed-0.25').click();
      // Just after a3 was killed: the moment the player is for.
      await page.getByTestId('player-bar').fill(String((ats[firstGone] ?? 0) + 40));
      const path = testInfo.outputPath(`report-player-${width}.png`);
      await page.locator('#replay').screenshot({ path });
      await testInfo.attach(`report-player-${width}`, { path, contentType: 'image/png' });
    }
  });
});
