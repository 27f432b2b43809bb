import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test as labTest, expect } from './fixtures.js';
import { LabProcess } from './lab-process.js';
import { DrillsPage } from './pages/drills-page.js';
import { ReportsPage } from './pages/reports-page.js';

/**
 * Drill mode end to end, from the UI only: a short run of "kill one of three" answered and acted
 * on by hand, to its verdict; then its report opened, exported and compared.
 */

/** Used only while the built-in library has no kill-one-of-three (it is written alongside). */
const FALLBACK_DRILL = `
id: e2e-kill-one-of-three
title: Kill one of three (e2e copy)
concept: active-active
summary: Three stateless nodes; one is killed; the two others carry the reads.
seed: 11
topology: { kind: active-active, nodes: 3, restart: { policy: never } }
traffic: { rate: 100, readShare: 1 }
hypothesis: { maxErrorRate: 0.02, maxP99Ms: 1000 }
steps:
  - say: "## Active-active, N+1\\n\\nThree nodes, **a1**, **a2** and **a3**, share the reads."
  - wait: 3000
  - expect: { metric: node.share, node: a2, min: 0.15, max: 0.5 }
  - predict:
      question: We kill a2 and do not restart it. What do the clients see?
      options: [A third of the requests fail, Nothing or a failure or two, Everything slows to a crawl]
      answer: 1
  - fault: { inject: { type: kill, target: a2, attributes: { signal: SIGKILL } } }
  - expect: { event: node.exited, node: a2, within: 2000 }
  - wait: 3000
  - expect: { metric: node.share, node: a2, max: 0.01 }
  - action:
      text: Start a2 again (Start on its card).
      do: { command: node.start, params: { id: a2 } }
  - expect: { event: balancer.readmitted, node: a2, within: 8000 }
  - say: The clients barely noticed.
`;

type LabHome = { reports: string; drills: string };

// The lab of this spec keeps its report history and user drills in the test's own output folder.
const test = labTest.extend<{ home: LabHome }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright requires the fixtures argument to be destructured
  home: async ({}, use, testInfo) => {
    const home = { reports: testInfo.outputPath('reports'), drills: testInfo.outputPath('user-drills') };
    await mkdir(home.reports, { recursive: true });
    await mkdir(home.drills, { recursive: true });
    await writeFile(join(home.drills, 'e2e-kill-one-of-three.yaml'), FALLBACK_DRILL);
    await use(home);
  },
  lab: async ({ home }, use, testInfo) => {
    const lab = await LabProcess.start(testInfo.outputPath('serve.log'), { env: { FIREDRILL_REPORTS_DIR: home.reports, FIREDRILL_USER_DRILLS_DIR: home.drills } });
    try {
      await use(lab);
    } finally {
      await lab.stop();
    }
  },
});

test('a short drill run from the UI to its verdict, then its report opened, exported and compared', async ({ page, labPage, ui, home }, testInfo) => {
  const drills = new DrillsPage(page);
  const reports = new ReportsPage(page);

  await ui.shell.goTo('drills');
  await drills.waitForLibrary();
  const id = await drills.firstOffered(['kill-one-of-three', 'e2e-kill-one-of-three']);
  testInfo.annotations.push({ type: 'drill', description: id });
  await drills.choose(id);
  await expect(page.getByTestId('drill-plan').locator('li')).not.toHaveCount(0);
  await drills.setOptions({ short: true, auto: false });
  await labPage.screenshot(testInfo, 'drill-chosen');

  await drills.run();
  await expect(drills.runView()).toHaveAttribute('data-drill', id);

  // Answer every prediction (by its key: the digits answer here, not switch views) and hand every action to the lab.
  let predictions = 0;
  let actions = 0;
  let pauses = 0;
  for (let stop = await drills.nextStop(60_000); stop !== 'verdict'; stop = await drills.nextStop(60_000)) {
    if (stop.kind === 'continue') {
      // Pause before faults is on by default: nothing is injected until the learner goes on.
      await expect(drills.prompt()).toContainText('Paused before a fault');
      await drills.continueByKey(stop.step);
      pauses++;
    } else if (stop.kind === 'predict') {
      await expect(drills.prompt().getByTestId('drill-option-1')).toBeVisible();
      if (predictions === 0) {
        await labPage.screenshot(testInfo, 'drill-prediction-waiting');
        // A reload mid-drill comes back to the very question (drill.status on connect).
        await page.reload();
        await expect(page.locator('html[data-app-state="ready"]')).toBeAttached();
        await expect(page.locator(`[data-testid="drill-prompt"][data-step="${stop.step}"]`)).toBeVisible();
      }
      await drills.answerByKey(2, stop.step);
      await expect(page.getByTestId('view-drills'), 'the digit answered; it did not switch views').toBeVisible();
      await expect(page.getByTestId(`drill-step-${stop.step}`)).toContainText('You said');
      predictions++;
    } else {
      // Expectations already decided turn pass while the drill is still going.
      await expect(drills.runView()).not.toHaveAttribute('data-state', 'finished');
      await expect(drills.expectations('pass').first()).toBeVisible();
      await expect(page.getByTestId('drill-step-' + stop.step)).toHaveAttribute('aria-current', 'step');
      if (actions === 0) {
        await labPage.screenshot(testInfo, 'drill-action-waiting');
        // Elsewhere in the app, the waiting drill is not forgotten: a bar offers the action and the way back.
        await ui.shell.goTo('lab');
        await expect(page.getByTestId('drill-waiting-bar')).toHaveAttribute('data-kind', 'action');
        await expect(page.getByTestId('nav-drills-waiting')).toBeVisible();
        await labPage.screenshot(testInfo, 'lab-drill-waiting-bar', { fullPage: false });
        await page.getByTestId('drill-waiting-go').click();
        await expect(drills.prompt()).toHaveAttribute('data-step', String(stop.step));
      }
      await drills.doItForMe(stop.step);
      actions++;
    }
  }
  expect(predictions, 'the drill asked a prediction').toBeGreaterThan(0);
  expect(actions, 'the drill asked for a manual action').toBeGreaterThan(0);
  expect(pauses, 'the drill paused before its fault').toBeGreaterThan(0);

  await expect(drills.runView()).toHaveAttribute('data-state', 'finished');
  // On a healthy, quiet machine the drill passes. On a shared 2-core machine a stall can breach its
  // steady state: then the UI must say so, and say why. Either way the view matches the engine's verdict.
  const verdict = String(await drills.verdict().getAttribute('data-verdict'));
  const reason = String(await page.getByTestId('drill-verdict-reason').textContent());
  testInfo.annotations.push({ type: 'verdict', description: `${verdict}: ${reason}` });
  expect(['pass', 'fail'], `verdict ${verdict}: ${reason}`).toContain(verdict);
  await expect(drills.runView()).toHaveAttribute('data-verdict', verdict);
  const expectationCount = await drills.expectations().count();
  expect(expectationCount).toBeGreaterThan(0);
  await expect(drills.expectations('pending'), 'every expectation was decided').toHaveCount(0);
  const failedChecks = page.locator('[data-testid^="drill-expectation-"][data-verdict="fail"], [data-testid^="drill-hypothesis-"][data-verdict="fail"]');
  if (verdict === 'pass') {
    await expect(drills.expectations('pass')).toHaveCount(expectationCount);
    await expect(failedChecks).toHaveCount(0);
  } else {
    console.warn(`drills.spec: the drill failed on this machine (${reason}); checking the UI shows why`);
    expect(reason.length).toBeGreaterThan(0);
    await expect(failedChecks.first()).toBeVisible();
  }
  await expect(page.getByTestId('drill-predictions').locator('[data-testid^="drill-prediction-"]')).toHaveCount(predictions);
  // The built-in drill explains its predictions: why the answer is what it is, beside what was said.
  if (id === 'kill-one-of-three') await expect(page.getByTestId('drill-predictions').locator('[data-testid^="drill-why-"]').first()).not.toBeEmpty();
  await expect(page.getByTestId('drill-progress')).toHaveAttribute('data-value', String(await page.getByTestId('drill-progress').getAttribute('data-total')));
  await labPage.screenshot(testInfo, 'drill-verdict');

  // The report, opened from the verdict: the engine's own HTML in a sandboxed frame.
  await page.getByTestId('drill-open-report').click();
  await expect(page.getByTestId('view-reports')).toBeVisible();
  await reports.waitOpen('report');
  const reportId = String(await reports.viewer().getAttribute('data-id'));
  await expect(reports.items().and(page.locator(`[data-id="${reportId}"]`))).toHaveAttribute('data-verdict', verdict);
  await expect(page.getByTestId('report-frame')).toHaveAttribute('sandbox', '');
  await expect(reports.frame('report').locator('[data-verdict]').first()).toHaveAttribute('data-verdict', verdict);
  await labPage.screenshot(testInfo, 'report-open');

  // Markdown, made in the page and downloaded as a file.
  const markdown = await reports.download('report-export-md');
  expect(markdown.suggestedFilename()).toBe(`${reportId}.md`);
  const text = await readFile(await markdown.path(), 'utf8');
  const word = verdict.toUpperCase();
  expect(text).toMatch(new RegExp(`^# ${word}: `));
  expect(text).toContain(reportId);
  expect(text).toContain(`**Verdict: ${word}**`);

  // HTML, made in the page as the engine makes it: the run's recording and its offline player, which plays from file://.
  const htmlDownload = await reports.download('report-export-html');
  const htmlText = await readFile(await htmlDownload.path(), 'utf8');
  expect(htmlText).toContain('<script type="application/octet-stream" id="firedrill-recording">');
  const htmlFile = testInfo.outputPath(`${reportId}.html`);
  await writeFile(htmlFile, htmlText);
  const offline = await page.context().newPage();
  await offline.goto(pathToFileURL(htmlFile).href);
  await expect(offline.locator('#replay-player')).toHaveAttribute('data-state', 'paused');
  await offline.close();

  // PDF is printed by the engine: the path it wrote, or why not, is shown.
  await page.getByTestId('report-export-pdf').click();
  const pdf = page.getByTestId('report-pdf-result');
  await expect(pdf).toBeVisible({ timeout: 45_000 });
  if ((await pdf.getAttribute('data-state')) === 'ok') {
    const path = join(home.reports, reportId, 'report.pdf');
    await expect(pdf).toContainText(path);
    expect((await stat(path)).size).toBeGreaterThan(1000);
  } else {
    await expect(pdf).toContainText(/Chromium|PDF/);
  }

  // A second run, aborted by its shortcut while it waits on the prediction: faults reverted, verdict aborted.
  await ui.shell.goTo('drills');
  const firstRun = String(await drills.runView().getAttribute('data-run'));
  await page.getByTestId('drill-run-again').click();
  await expect(drills.runView()).not.toHaveAttribute('data-run', firstRun);
  await expect(drills.prompt()).toHaveAttribute('data-kind', 'predict', { timeout: 45_000 });
  await page.locator('body').focus();
  await page.keyboard.press('Shift+X');
  await expect(drills.verdict()).toHaveAttribute('data-verdict', 'aborted');
  await expect(page.getByTestId('drill-verdict-reason')).toContainText('operator');
  await labPage.screenshot(testInfo, 'drill-aborted');
  await page.keyboard.press('o');
  await reports.waitOpen('report');
  const abortedId = String(await reports.viewer().getAttribute('data-id'));
  expect(abortedId).not.toBe(reportId);

  await expect(reports.items()).toHaveCount(2);
  expect(await reports.items().evaluateAll((rows) => rows.map((row) => row.getAttribute('data-id'))), 'newest first').toEqual([abortedId, reportId]);
  await reports.compare([reportId, abortedId]);
  await expect(reports.frame('comparison').locator('h1')).toHaveText('Comparison of 2 drill runs');
  await expect(reports.frame('comparison').locator('body')).toContainText('ABORTED');
  await labPage.screenshot(testInfo, 'reports-comparison');

  // The same views dark and in large type, for a projector.
  await ui.shell.setTheme('dark');
  await reports.open(reportId);
  await labPage.screenshot(testInfo, 'report-open-dark');
  await page.getByTestId('large-type-toggle').click();
  await ui.shell.goTo('drills');
  await expect(drills.verdict()).toBeVisible();
  await labPage.screenshot(testInfo, 'drill-verdict-dark-large');
  await page.keyboard.press('?');
  await expect(page.getByTestId('help-overlay')).toContainText('while a prediction waits');
  await labPage.screenshot(testInfo, 'help-overlay-drills', { fullPage: false });
  await page.keyboard.press('Escape');
  await page.getByTestId('large-type-toggle').click();
  await ui.shell.setTheme('light');
  expect((await readdir(home.reports)).sort()).toEqual([reportId, abortedId].sort());
});
