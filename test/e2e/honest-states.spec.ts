import type { Page, TestInfo } from '@playwright/test';
import { expect, test } from './fixtures.js';
import type { LabPage } from './pages/lab-page.js';
import { ReplayBar } from './pages/replay-bar.js';

// Issue 13: a node's process and its place in the balancer are shown apart, and every count comes
// from them; an incident stays on the Lab view as a strip; a lost engine greys the view.

const WIDTHS = [1024, 1440, 1920] as const;

/** The page at each width, one screenshot each (the viewport: what a person sees first). */
async function atWidths(page: Page, labPage: LabPage, testInfo: TestInfo, name: string): Promise<string[]> {
  const paths = [];
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(300); // the layout settles (cards, links, the chart's width)
    paths.push(await labPage.screenshot(testInfo, `${name}-${width}`, { fullPage: false }));
  }
  await page.setViewportSize({ width: 1440, height: 900 });
  return paths;
}

/** The sheet never lies over the card of the node it acts on. */
async function expectBesideCard(page: Page, id: string): Promise<void> {
  const card = await page.getByTestId(`node-card-${id}`).boundingBox();
  const sheet = await page.getByTestId('node-actions-sheet').boundingBox();
  expect(card && sheet, 'card and sheet are laid out').toBeTruthy();
  const overlap = Math.min(card!.x + card!.width, sheet!.x + sheet!.width) - Math.max(card!.x, sheet!.x);
  expect(overlap, `the sheet (${sheet!.x}..${sheet!.x + sheet!.width}) leaves the card of ${id} (${card!.x}..${card!.x + card!.width}) visible`).toBeLessThanOrEqual(0);
}

test('the pause case: a node paused from its sheet reads frozen, then ejected, and the header "2/3 serving", within 500 ms; resume brings it back', async ({ labPage, ui, page }, testInfo) => {
  await labPage.expectAllReady();
  await ui.shell.goTo('settings');
  await page.getByTestId('settings-kind-active-active').check();
  await page.getByTestId('settings-nodes').fill('3');
  await page.getByTestId('settings-topology-apply').click();
  await ui.shell.goTo('lab');
  const count = page.getByTestId('serving-count');
  await expect(count).toHaveText('3/3 serving');
  const id = 'a2';
  const card = page.getByTestId(`node-card-${id}`);
  await expect(card).toHaveAttribute('data-serving', 'true');

  // The page notes, on its own clock, when the click lands and when the card and the header change.
  // (A string: the e2e tsconfig has no DOM types; the code runs in the page.)
  await page.evaluate(`(() => {
    const marks = {};
    globalThis.__marks = marks;
    const cardEl = document.querySelector('[data-testid="node-card-${id}"]');
    const countEl = document.querySelector('[data-testid="serving-count"]');
    const note = () => {
      const t = performance.now();
      if (cardEl.getAttribute('data-process') === 'frozen') marks.frozen ??= t;
      if (cardEl.getAttribute('data-place') === 'ejected') marks.ejected ??= t;
      if (countEl.textContent === '2/3 serving') marks.counted ??= t;
    };
    new MutationObserver(note).observe(cardEl, { attributes: true });
    new MutationObserver(note).observe(countEl, { childList: true, subtree: true, characterData: true });
    document.addEventListener('click', (e) => {
      if (e.target.closest('[data-testid="node-action-pause"]')) marks.click ??= performance.now();
    }, true);
  })()`);

  await ui.nodeActions.open(id);
  await expectBesideCard(page, id);
  await page.getByTestId('node-action-pause').click();
  await expect(ui.nodeActions.sheet(), 'the sheet closes once the pause is done').toBeHidden();

  await expect(card).toHaveAttribute('data-process', 'frozen');
  await expect(page.getByTestId(`node-status-${id}`)).toHaveText(/frozen/);
  await expect(count).toHaveText('2/3 serving');
  await expect(card).toHaveAttribute('data-place', 'ejected');
  await expect(page.getByTestId(`node-upstream-${id}`)).toContainText('ejected');
  await expect(page.getByTestId(`node-upstream-reason-${id}`)).not.toBeEmpty();
  await expect(card).toHaveAttribute('data-serving', 'false');
  const marks = await page.evaluate(() => (globalThis as unknown as { __marks: Record<string, number> }).__marks);
  const since = (mark: string) => Math.round((marks[mark] ?? Number.NaN) - (marks.click ?? Number.NaN));
  const measured = { frozenMs: since('frozen'), countedMs: since('counted'), ejectedMs: since('ejected') };
  testInfo.annotations.push({ type: 'measured', description: JSON.stringify(measured) });
  console.log(`pause → card frozen ${measured.frozenMs} ms, header 2/3 serving ${measured.countedMs} ms, card ejected ${measured.ejectedMs} ms`);
  expect(measured.frozenMs, 'the card reads frozen within 500 ms of the click').toBeLessThanOrEqual(500);
  expect(measured.countedMs, 'the header counts 2/3 serving within 500 ms of the click').toBeLessThanOrEqual(500);
  // Ejection is the balancer's to notice (probes every 100 ms, fall 2): measured 150-450 ms here, under load up to about a second.
  expect(measured.ejectedMs, 'the card reads ejected once the balancer has noticed').toBeLessThanOrEqual(2_000);
  // The Concepts text counts the same.
  await page.getByTestId('topology-kind').click();
  await expect(page.getByTestId('concept-live')).toContainText('2 of 3 nodes are serving');
  await atWidths(page, labPage, testInfo, 'paused');
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForTimeout(800); // colours change over a 0.4 s transition
  await labPage.screenshot(testInfo, 'paused-dark-1440', { fullPage: false });
  await page.emulateMedia({ colorScheme: 'light' });

  // The narrowest width: the sheet still leaves the card it acts on in view.
  await page.setViewportSize({ width: 1024, height: 900 });
  await ui.nodeActions.open(id);
  await expectBesideCard(page, id);
  await labPage.screenshot(testInfo, 'sheet-beside-card-1024', { fullPage: false });
  await page.getByTestId('node-action-resume').click();
  await expect(ui.nodeActions.sheet()).toBeHidden();
  await expect(card).toHaveAttribute('data-process', 'running');
  await expect(card).toHaveAttribute('data-place', 'in-rotation');
  await expect(count).toHaveText('3/3 serving');
});

test('the strip after a kill of the primary in hot standby: detected, failed over and recovered fill in with their ms, and the charts mark them', async ({ lab, labPage, ui, page }, testInfo) => {
  await labPage.expectAllReady();
  await expect(page.getByTestId('serving-count')).toHaveText('1/2 serving · 1 standby');
  await ui.shell.startTraffic();
  const primary = String(await page.locator('[data-testid^="node-card-"][data-role="primary"]').first().getAttribute('data-testid')).replace(/^node-card-/, '');
  lab.trackPid(await labPage.pid(primary));
  await expect(page.getByTestId('incident-strip')).toHaveCount(0);

  await ui.nodeActions.open(primary);
  await expectBesideCard(page, primary);
  await ui.nodeActions.kill();
  await expect(ui.nodeActions.sheet(), 'the sheet closes once the kill is done').toBeHidden();

  // The kill's incident (its cause the fault), followed by its id: on a busy machine another, real
  // incident can come on the same node, before the kill or after it (p1's 150 ms probes time out while
  // Chromium and the lab share 2 cores), with its own item. One open before the kill takes the kill
  // in (its cause a detection, no injected stage): then this test fails, and lab-state.json shows it.
  const first = page
    .locator(`[data-testid="incident-strip-item"][data-node="${primary}"]`)
    .filter({ has: page.locator('.strip-cause', { hasText: /^fault:kill$/ }) })
    .first();
  await expect(first).toBeVisible();
  const incidentId = String(await first.getAttribute('data-incident'));
  const item = page.locator(`[data-testid="incident-strip-item"][data-incident="${incidentId}"]`);
  for (const stage of ['injected', 'detected', 'failedOver', 'recovered']) {
    await expect(item.getByTestId(`strip-stage-${stage}`), stage).toHaveAttribute('data-reached', 'true');
  }
  const ms = await item.locator('[data-testid^="strip-stage-"]').evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-ms'))));
  console.log(`strip after a kill of ${primary}: injected/detected/failed over/recovered at ${ms.join(' / ')} ms`);
  testInfo.annotations.push({ type: 'measured', description: `strip ms ${ms.join(' / ')}` });
  expect(ms[0]).toBe(0);
  expect(ms.every((v, i) => i === 0 || v >= (ms[i - 1] ?? 0)), `stages in order: ${ms.join(', ')}`).toBe(true);
  await expect(item.getByTestId('strip-stage-detected')).toContainText(/\+\d/);
  await expect(item.getByTestId('strip-mttr')).toHaveText(/\d (ms|s)/);
  // The overall chart draws a line at the detection and one at the failover.
  const chart = page.getByTestId('chart-rps');
  await chart.scrollIntoViewIfNeeded();
  await expect.poll(async () => (await chart.locator('[data-markers]').getAttribute('data-marker-stages')) ?? '').toMatch(/detected.*failedOver|failedOver.*detected/);
  const chartShot = testInfo.outputPath('strip-chart-markers.png');
  await chart.screenshot({ path: chartShot });
  await testInfo.attach('strip-chart-markers', { path: chartShot, contentType: 'image/png' });
  await page.evaluate('window.scrollTo(0, 0)');
  await atWidths(page, labPage, testInfo, 'strip');

  // Replayed from where it is watched: the strip's own button, 1 s before the kill, at ¼×; L is live again.
  const replay = new ReplayBar(page);
  await item.getByTestId('incident-replay').click();
  await replay.expectReplaying();
  await expect(replay.scrubber()).toHaveAttribute('data-speed', '0.25');
  await expect(page.getByTestId('replay-fault-offset')).toContainText('before the fault');
  await replay.backToLiveByKey('l');
  await expect(page.locator('html')).toHaveAttribute('data-mode', 'live');

  // It stays until dismissed.
  await page.waitForTimeout(1_500);
  await expect(item).toBeVisible();
  await item.getByTestId('incident-strip-dismiss').click();
  // Only this incident: on a busy machine a second, real one can follow (seen on 2 cores with
  // Chromium beside the lab: s1's 150 ms probes timed out while it sent p1 its log, s1 was ejected,
  // still answered through the balancer, so no failover, and came back; or the same on the restarted
  // p1). It has its own item.
  const strip = item;
  await expect(strip).toHaveCount(0);
  await ui.shell.goTo('incidents');
  await ui.shell.goTo('lab');
  await expect(strip, 'a dismissed incident stays dismissed').toHaveCount(0);
  const others = await page.getByTestId('incident-strip-item').evaluateAll((els) => els.map((el) => `${el.getAttribute('data-node')} (${el.getAttribute('data-incident')})`));
  if (others.length > 0) testInfo.annotations.push({ type: 'another incident', description: others.join(', ') });
});

test('disconnected: the whole view greys and says so; live numbers read "—"', async ({ lab, labPage, ui, page }, testInfo) => {
  await labPage.expectAllReady();
  await ui.shell.startTraffic();
  await expect.poll(() => ui.shell.liveValue('live-p99')).toBeGreaterThan(0);
  await expect(page.getByTestId('app')).toHaveAttribute('data-stale', 'false');
  await lab.stop();
  await expect(page.getByTestId('app')).toHaveAttribute('data-stale', 'true');
  const banner = page.getByTestId('connection-banner');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('Disconnected from the engine');
  await expect(banner).toContainText('not live');
  await expect(page.getByTestId('live-p99')).toHaveText('—');
  await expect(page.getByTestId('serving-count')).toHaveText(/^—\/\d+ serving$/);
  const filterOf = (el: unknown) => (globalThis as unknown as { getComputedStyle(e: unknown): { filter: string } }).getComputedStyle(el).filter;
  const filter = await page.locator('.header').evaluate(filterOf);
  expect(filter, 'the stale view is greyed').toContain('grayscale');
  const bannerFilter = await banner.evaluate(filterOf);
  expect(bannerFilter, 'the banner keeps its colour').toBe('none');
  await atWidths(page, labPage, testInfo, 'disconnected');
});

test('traffic says what it does: the time left of a bounded run, then "traffic stopped (ran 3 s)"', async ({ labPage, page }) => {
  await labPage.expectAllReady();
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-traffic-rate').fill('20');
  await page.getByTestId('settings-traffic-durationMs').fill('3000');
  await page.getByTestId('settings-traffic-start').click();
  const status = page.getByTestId('traffic-status');
  await expect(status).toHaveAttribute('data-state', 'running');
  await expect(status).toHaveText(/^[0-3] s left$/);
  await expect(status).toHaveAttribute('data-state', 'stopped', { timeout: 10_000 });
  await expect(status).toHaveText('traffic stopped (ran 3 s)');
  await expect(page.getByTestId('traffic-toggle')).toHaveAttribute('data-running', 'false');
});
