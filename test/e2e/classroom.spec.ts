import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test as labTest, expect } from './fixtures.js';
import { LabProcess } from './lab-process.js';
import { DrillsPage } from './pages/drills-page.js';
import { LabPage } from './pages/lab-page.js';

/**
 * Classroom mode end to end: the teacher's page and a viewer's (two browser contexts, two links)
 * follow one drill. The viewer sees the steps and the prediction live and votes; the teacher sees
 * the tally; the viewer has no controls, and a call forced from its page is refused.
 */

const DRILL = `
id: e2e-classroom
title: Classroom drill
concept: active-active
summary: Two nodes share the load; the class predicts what a kill does.
seed: 5
topology: { kind: active-active, nodes: 2 }
traffic: { rate: 30, readShare: 1 }
steps:
  - say: "## Two nodes\\n\\nBoth **a1** and **a2** serve the reads."
  - wait: 1500
  - predict:
      question: We kill a2. What do the clients see?
      options: [Half the requests fail, Nothing or a failure or two, Everything stops]
      answer: 1
  - say: The balancer took a2 out; the clients barely noticed.
  - wait: 500
`;

const test = labTest.extend<{ drillsDir: string }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright requires the fixtures argument to be destructured
  drillsDir: async ({}, use, testInfo) => {
    const dir = testInfo.outputPath('user-drills');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'e2e-classroom.yaml'), DRILL);
    await use(dir);
  },
  lab: async ({ drillsDir }, use, testInfo) => {
    const lab = await LabProcess.start(testInfo.outputPath('serve.log'), {
      args: ['--classroom'],
      env: { FIREDRILL_REPORTS_DIR: testInfo.outputPath('reports'), FIREDRILL_USER_DRILLS_DIR: drillsDir },
    });
    try {
      await use(lab);
    } finally {
      await lab.stop();
    }
  },
});

const shots = process.env.FIREDRILL_SHOTS; // a folder: screenshots of both pages at 1024 and 1440 px, to look at

test('a classroom viewer follows a drill: sees it live, votes, changes nothing', async ({ lab, labPage, browser }) => {
  test.setTimeout(120_000);
  const teacher = labPage.page;
  expect(lab.classroom).not.toBeNull();
  const link = lab.classroom!;
  expect(link.port).not.toBe(new URL(lab.url).port);

  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  try {
    await new LabPage(viewer).open(link.url);
    await expect(viewer.getByTestId('viewer-banner')).toContainText('read only');
    await expect(teacher.getByTestId('viewer-banner')).toHaveCount(0);
    // The viewer's controls are absent; the teacher's are there.
    for (const id of ['fleet-stop', 'traffic-toggle']) {
      await expect(teacher.getByTestId(id)).toBeVisible();
      await expect(viewer.getByTestId(id)).toBeHidden();
    }
    await expect(viewer.locator('.halt')).toBeHidden();
    await expect(viewer.locator('[data-testid^="node-stop-"]')).toHaveCount(await viewer.locator('[data-testid^="node-stop-"]:not(:visible)').count());

    // Settings > Classroom: the teacher's link and the one viewer watching.
    await teacher.getByTestId('nav-settings').click();
    await expect(teacher.getByTestId('classroom-link')).toHaveText(link.url);
    await expect(teacher.getByTestId('classroom-viewers')).toContainText('1 of 40 viewers');
    if (shots) await teacher.getByTestId('settings-classroom').screenshot({ path: join(shots, 'classroom-settings.png') });
    await viewer.getByTestId('nav-settings').click();
    await expect(viewer.getByTestId('settings-classroom')).toHaveCount(0);
    await expect(viewer.getByTestId('view-settings').locator('form')).toHaveCount(await viewer.getByTestId('view-settings').locator('form:not(:visible)').count());

    // The teacher runs the drill; the viewer follows it on its Drills view.
    await teacher.getByTestId('nav-drills').click();
    await viewer.getByTestId('nav-drills').click();
    const drills = new DrillsPage(teacher);
    await drills.waitForLibrary();
    await drills.choose('e2e-classroom');
    await drills.setOptions({ short: false, auto: false });
    await drills.run();
    await expect(viewer.getByTestId('drill-run')).toBeVisible({ timeout: 20_000 });
    await expect(viewer.getByTestId('drill-step-0')).toBeVisible();
    await expect(viewer.getByTestId('drill-abort')).toBeHidden();
    // The drill view's node cards are the viewer's to look at, not to act on (Kill, Promote).
    await expect(teacher.locator('[data-testid^="drill-node-kill-"]').first()).toBeVisible();
    await expect(viewer.locator('[data-testid^="drill-node-"]').first()).toBeVisible();
    await expect(viewer.locator('[data-testid^="drill-node-kill-"]:visible, [data-testid^="drill-node-promote-"]:visible')).toHaveCount(0);

    // The prediction reaches the viewer live: it votes, and may change its mind.
    const stop = await drills.nextStop(30_000);
    expect(stop).toMatchObject({ kind: 'predict' });
    const vote = viewer.getByTestId('classroom-vote');
    await expect(vote).toBeVisible({ timeout: 10_000 });
    await expect(vote).toContainText('We kill a2');
    await expect(viewer.getByTestId('drill-option-0')).toBeHidden(); // the teacher's answer buttons are not the viewer's
    await viewer.getByTestId('vote-option-0').click();
    await expect(viewer.getByTestId('vote-option-0')).toHaveAttribute('aria-pressed', 'true');
    await viewer.getByTestId('vote-option-1').click();
    await expect(viewer.getByTestId('vote-mine')).toContainText('Your vote: Nothing or a failure or two');

    // The teacher sees the tally: one vote, on the option the viewer chose last.
    const tally = teacher.getByTestId('classroom-tally');
    await expect(tally).toHaveAttribute('data-total', '1');
    await expect(teacher.getByTestId('tally-1')).toHaveAttribute('data-count', '1');
    await expect(teacher.getByTestId('tally-0')).toHaveAttribute('data-count', '0');

    if (shots) {
      for (const width of [1024, 1440]) {
        for (const [name, page] of [['teacher', teacher], ['viewer', viewer]] as const) {
          await page.setViewportSize({ width, height: 900 });
          await page.screenshot({ path: join(shots, `classroom-${name}-${width}.png`), fullPage: false });
        }
      }
    }

    // The presenter view (P): the question waited on, in large type, with the class's tally; P again closes it.
    await teacher.locator('body').focus();
    await teacher.keyboard.press('p');
    await expect(teacher.getByTestId('presenter-now')).toContainText('We kill a2');
    await expect(teacher.getByTestId('presenter').getByTestId('classroom-tally')).toHaveAttribute('data-total', '1');
    if (shots) await teacher.screenshot({ path: join(shots, 'classroom-presenter-1440.png') });
    await teacher.keyboard.press('p');
    await expect(teacher.getByTestId('presenter')).toHaveCount(0);

    // A call forced from the viewer's page (its cookie, its Origin) is refused, and the drill goes on waiting.
    const forced = await viewer.evaluate(async () => {
      const answer = await fetch('/api/commands/fault.halt', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      return { status: answer.status, body: (await answer.json()) as { error?: { code: string } } };
    });
    expect(forced).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    // Nor does the teacher's answer key act from the viewer's page: there, 1 is the Lab view's key.
    await viewer.locator('body').focus();
    await viewer.keyboard.press('1');
    await expect(viewer.getByTestId('view-lab')).toBeVisible();
    await expect(drills.prompt()).toBeVisible();
    await expect(vote).toBeVisible();
    await viewer.getByTestId('nav-drills').click();

    // The teacher answers; the viewer's vote closes and both see the verdict.
    await drills.answerByKey(2, (stop as { step: number }).step);
    await expect(vote).toHaveCount(0);
    await expect(drills.verdict()).toBeVisible({ timeout: 30_000 });
    await expect(viewer.getByTestId('drill-verdict')).toBeVisible({ timeout: 10_000 });
    await expect(viewer.getByTestId(`drill-prediction-${(stop as { step: number }).step}`)).toBeVisible();
  } finally {
    await viewerContext.close();
  }
});
