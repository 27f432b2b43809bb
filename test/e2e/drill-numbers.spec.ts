import { test, expect } from './fixtures.js';
import { DrillsPage } from './pages/drills-page.js';
import { ReportsPage } from './pages/reports-page.js';

/**
 * Issue 14 from the UI: a drill with a manual step, played by hand with a pause to read the prompt.
 * The verdict splits each MTTR (the reading time is the operator's, not the system's) and says
 * what the lab looks like after the drill; the report shows the same split.
 */

/** The learner reads the action's prompt this long before asking the lab to do it. */
const READING_MS = 2_500;

test('the verdict and the report split the MTTR of a manual recovery, and say what was put back', async ({ page, labPage, ui }, testInfo) => {
  const drills = new DrillsPage(page);
  await ui.shell.goTo('drills');
  await drills.waitForLibrary();
  await drills.choose('kill-one-of-three');
  await drills.setOptions({ short: true, auto: false });
  await expect(page.getByTestId('drill-put-back'), 'put-back is on by default').toBeChecked();
  await drills.run();

  for (let stop = await drills.nextStop(60_000); stop !== 'verdict'; stop = await drills.nextStop(60_000)) {
    if (stop.kind === 'continue') await drills.continueByKey(stop.step);
    else if (stop.kind === 'predict') await drills.answerByKey(2, stop.step);
    else {
      await page.waitForTimeout(READING_MS); // reading the prompt: operator time, by design of this test
      await drills.doItForMe(stop.step);
    }
  }
  await expect(drills.runView()).toHaveAttribute('data-state', 'finished');

  const a2 = page.getByTestId('drill-mttr-a2');
  await expect(a2).toBeVisible();
  await expect(a2).toContainText(/detection .* \+ drill .* \+ operator .* \+ automatic/);
  await expect(a2).toContainText('the system’s own');
  const after = page.getByTestId('drill-lab-after');
  await expect(after).toHaveAttribute('data-put-back', 'true');
  await expect(page.getByTestId('drill-lab-left')).toHaveCount(0);
  await page.setViewportSize({ width: 1440, height: 900 });
  await drills.verdict().scrollIntoViewIfNeeded();
  await labPage.screenshot(testInfo, 'verdict-numbers-1440');
  await page.setViewportSize({ width: 1024, height: 800 });
  await labPage.screenshot(testInfo, 'verdict-numbers-1024');
  await page.setViewportSize({ width: 1440, height: 900 });

  // The incident card: the same parts, while the run is the last one.
  await ui.shell.goTo('incidents');
  const card = page.locator('[data-testid^="incident-"][data-node="a2"]').filter({ has: page.getByTestId('incident-mttr-split') }).first();
  await expect(card.getByTestId('incident-mttr-split')).toContainText(/operator .* \+ automatic .*; the system’s own/);
  await card.scrollIntoViewIfNeeded();
  await labPage.screenshot(testInfo, 'incident-card-1440', { fullPage: false });
  await ui.shell.goTo('drills');

  // The report: the same split beside the incident, and availability 2 of 3 on the system's MTTR.
  const reports = new ReportsPage(page);
  await page.getByTestId('drill-open-report').click();
  await reports.waitOpen('report');
  const frame = reports.frame('report');
  const split = frame.locator('[data-testid^="mttr-split-"]').first();
  await expect(split).toContainText(/operator .* \+ automatic/);
  await split.scrollIntoViewIfNeeded();
  await labPage.screenshot(testInfo, 'report-split-1440', { fullPage: false });
  await expect(frame.locator('#availability')).toContainText('k needed        = 2');
  await frame.locator('#availability').scrollIntoViewIfNeeded();
  await labPage.screenshot(testInfo, 'report-availability-1440', { fullPage: false });
});
