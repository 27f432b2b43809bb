import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.js';
import { VIEWS } from './pages/app-shell.js';
import { readiness } from './pages/lab-page.js';

/** The node the balancer routes to in a standby topology. */
async function primaryId(page: Page): Promise<string> {
  const testId = await page.locator('[data-testid^="node-card-"][data-role="primary"]').first().getAttribute('data-testid');
  return String(testId).replace(/^node-card-/, '');
}

/** Traffic at 50 req/s from the Settings view: enough to see, gentle on a shared 2-core machine. */
async function startGentleTraffic(page: Page): Promise<void> {
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-traffic-rate').fill('50');
  await page.getByTestId('settings-traffic-durationMs').fill('60000');
  await page.getByTestId('settings-traffic-start').click();
  await expect(page.getByTestId('traffic-toggle')).toHaveAttribute('data-running', 'true');
}

test('a node killed from the UI goes down and comes back, with MTTD and MTTR in its incident', async ({ lab, labPage, ui, page }, testInfo) => {
  await labPage.expectAllReady();
  const id = await primaryId(page);
  lab.trackPid(await labPage.pid(id));
  const recorder = await labPage.recordStatuses(id);

  await ui.nodeActions.open(id);
  await labPage.screenshot(testInfo, 'node-actions', { fullPage: false });
  await ui.nodeActions.kill();
  await ui.nodeActions.close();

  await expect.poll(async () => readiness(await recorder.history())).toEqual(['ready', 'not-ready', 'ready']);
  lab.trackPid(await labPage.pid(id));

  await ui.shell.goTo('incidents');
  const incident = ui.incidents.newestFor(id);
  await ui.incidents.waitClosed(incident);
  const { mttdMs, mttrMs } = await ui.incidents.figures(incident);
  expect(mttdMs, 'MTTD is measured').toBeGreaterThanOrEqual(0);
  expect(mttrMs, 'MTTR is measured, and recovery comes after detection').toBeGreaterThanOrEqual(mttdMs);
  await expect(incident.getByTestId('incident-mttd')).toHaveText(/\d ms|\d s/);
  await expect(incident.getByTestId('incident-mttr')).toHaveText(/\d ms|\d s/);
  expect(await ui.incidents.stages(incident)).toEqual(expect.arrayContaining(['injected', 'detected', 'recovered']));
  // The concepts panel explains MTTD with this very incident.
  await incident.getByRole('button', { name: 'MTTD' }).click();
  await expect(page.getByTestId('concept-live')).toContainText(`(${id}`);
  await labPage.screenshot(testInfo, 'incident-after-kill');
});

test('the standby promoted by hand from its sheet becomes the primary (a manual failover)', async ({ labPage, ui, page }, testInfo) => {
  await labPage.expectAllReady();
  const primary = await primaryId(page);
  const standby = primary === 'p1' ? 's1' : 'p1';
  await ui.nodeActions.open(standby);
  await ui.nodeActions.promote();
  await expect(page.getByTestId(`node-card-${standby}`)).toHaveAttribute('data-role', 'primary');
  await ui.nodeActions.close();
  await expect(page.getByTestId(`node-card-${primary}`)).toHaveAttribute('data-role', 'standby');
  await expect(page.locator('[data-testid="timeline-item"][data-kind="failover.done"]').first()).toBeVisible();
  await labPage.screenshot(testInfo, 'manual-promotion');
});

test('latency injected from the faults panel raises the live p99, and HALT takes it back', async ({ labPage, ui, page }, testInfo) => {
  await labPage.expectAllReady();
  const id = await primaryId(page);

  await startGentleTraffic(page);
  await ui.shell.goTo('lab');
  await expect.poll(() => ui.shell.liveValue('live-rps'), { message: 'traffic flows' }).toBeGreaterThan(10);
  await expect.poll(() => ui.shell.liveValue('live-p99'), { message: 'a quiet baseline first' }).toBeLessThan(60);

  await ui.shell.goTo('faults');
  // 100 ms stays under the health probes' 150 ms timeout: slow, not failed over.
  await ui.faults.inject({ type: 'latency', target: id, attributes: { latency: 100, jitter: 0 } });
  await expect(ui.shell.haltButton()).toHaveAttribute('data-active', '1');
  await labPage.screenshot(testInfo, 'faults-latency-active');
  await ui.shell.goTo('lab');
  await expect.poll(() => ui.shell.liveValue('live-p99'), { message: 'p99 rises past the injected latency' }).toBeGreaterThanOrEqual(95);
  await expect(page.getByTestId(`node-faults-${id}`).getByTestId('fault-chip')).toHaveAttribute('data-type', 'latency');
  await labPage.screenshot(testInfo, 'lab-latency-active');

  await ui.shell.haltByKeyboard();
  await expect(ui.shell.haltButton()).toHaveAttribute('data-active', '0');
  await expect(page.getByTestId(`node-faults-${id}`)).toHaveCount(0);
  await expect.poll(() => ui.shell.liveValue('live-p99'), { message: 'p99 falls back after HALT' }).toBeLessThan(60);
  await ui.shell.stopTraffic();
});

test('every view, light and dark, saved as a screenshot', async ({ labPage, ui, page }, testInfo) => {
  await labPage.expectAllReady();
  // Some traffic, so the charts and links have something to show.
  await startGentleTraffic(page);
  await ui.shell.goTo('lab');
  await expect.poll(() => ui.shell.liveValue('live-rps')).toBeGreaterThan(10);
  await ui.shell.setTheme('light');
  for (const view of VIEWS) {
    await ui.shell.goTo(view);
    // Drills and Reports ask the engine for their lists: shoot once the answer is in.
    await expect(page.locator('[data-state="loading"]')).toHaveCount(0);
    await labPage.screenshot(testInfo, `view-${view}`);
  }
  await ui.shell.setTheme('dark');
  for (const view of ['lab', 'charts', 'faults'] as const) {
    await ui.shell.goTo(view);
    await labPage.screenshot(testInfo, `view-${view}-dark`);
  }
  await page.getByTestId('large-type-toggle').click();
  await expect(page.locator('html')).toHaveAttribute('data-large-type', 'true');
  await ui.shell.goTo('lab');
  await labPage.screenshot(testInfo, 'view-lab-large-type');
  await page.keyboard.press('?');
  await expect(page.getByTestId('help-overlay')).toBeVisible();
  await labPage.screenshot(testInfo, 'help-overlay', { fullPage: false });
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('help-overlay')).toBeHidden();
  await page.getByTestId('large-type-toggle').click();

  // Active-active from the Settings view, one node partitioned: its link is drawn cut.
  await ui.shell.setTheme('light');
  await ui.shell.goTo('settings');
  await page.getByTestId('settings-kind-active-active').check();
  await page.getByTestId('settings-nodes').fill('4');
  await page.getByTestId('settings-topology-apply').click();
  await expect(page.getByTestId('serving-count')).toHaveText('4/4 serving');
  await ui.shell.startTraffic();
  await ui.shell.goTo('faults');
  await ui.faults.inject({ type: 'partition', target: 'a2', attributes: { links: 'balancer' } });
  await ui.shell.goTo('lab');
  await expect(page.getByTestId('link-a2')).toHaveAttribute('data-state', 'cut');
  await labPage.screenshot(testInfo, 'view-lab-active-active-partition');
  await ui.shell.haltButton().click();
  await expect(page.getByTestId('link-a2')).not.toHaveAttribute('data-state', 'cut');
  await ui.shell.stopTraffic();
});
