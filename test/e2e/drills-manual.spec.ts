import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test as base, type Page, type TestInfo } from '@playwright/test';
import { parse } from 'yaml';
import { LabProcess } from './lab-process.js';
import { AppShell } from './pages/app-shell.js';
import { DrillsPage } from './pages/drills-page.js';
import { LabPage } from './pages/lab-page.js';

/**
 * Issue 14: every built-in drill walked by hand, in the drill view, as its prompts say — each
 * prediction answered, each pause before a fault passed with Continue, each manual step done on the
 * drill view's own node cards or settings form (never *Do it for me*, never the API) — and passing.
 * One lab serves every drill (each drill builds its own topology); the short profile keeps the
 * whole walk within a few minutes.
 */

type Act = { command: string; params: Record<string, unknown> };
type Drill = { id: string; steps: Array<Record<string, unknown>> };

const library = fileURLToPath(new URL('../../drills/library', import.meta.url));
const files = (await readdir(library)).filter((f) => f.endsWith('.yaml')).sort();
const drills: Drill[] = await Promise.all(files.map(async (f) => parse(await readFile(join(library, f), 'utf8')) as Drill));

const test = base.extend<object, { sharedLab: LabProcess & { reportsDir: string } }>({
  sharedLab: [
    // eslint-disable-next-line no-empty-pattern -- Playwright requires the fixtures argument to be destructured
    async ({}, use, workerInfo) => {
      const reports = await mkdtemp(join(tmpdir(), 'firedrill-e2e-reports-'));
      const lab = await LabProcess.start(join(workerInfo.project.outputDir, `drills-manual-serve-${workerInfo.workerIndex}.log`), { env: { FIREDRILL_REPORTS_DIR: reports } });
      try {
        await use(Object.assign(lab, { reportsDir: reports }));
      } finally {
        await lab.stop();
        await rm(reports, { recursive: true, force: true });
      }
    },
    { scope: 'worker', timeout: 60_000 },
  ],
});

test.describe.configure({ mode: 'serial' });

test('the walk covers the whole built-in library', async ({ page, sharedLab }) => {
  await new LabPage(page).open(sharedLab.url);
  await new AppShell(page).goTo('drills');
  const drillsPage = new DrillsPage(page);
  await drillsPage.waitForLibrary();
  for (const d of drills) await expect(drillsPage.card(d.id), `${d.id} is offered`).toBeVisible();
  // Settings help (the concepts panel): Markdown built as elements, no backtick left raw.
  await new AppShell(page).goTo('settings');
  if (!(await page.getByTestId('concepts-panel').isVisible())) await page.keyboard.press('c');
  await page.getByTestId('concept-pick-health-check').click();
  await expect(page.getByTestId('concept-meaning').locator('code').first()).toHaveText('fall');
  await expect(page.getByTestId('concept-meaning')).not.toContainText('`');
});

for (const drill of drills) {
  test(`${drill.id}, walked by hand on the drill view, passes`, async ({ page, sharedLab }, testInfo) => {
    test.setTimeout(150_000);
    await new LabPage(page).open(sharedLab.url);
    await new AppShell(page).goTo('drills');
    const drillsPage = new DrillsPage(page);
    await drillsPage.waitForLibrary();
    await drillsPage.choose(drill.id);
    await drillsPage.setOptions({ short: true, auto: false });
    await drillsPage.run();
    await expect(drillsPage.runView()).toHaveAttribute('data-drill', drill.id);

    let acts = 0;
    let doneByHand = 0;
    for (let stop = await drillsPage.nextStop(90_000); stop !== 'verdict'; stop = await drillsPage.nextStop(90_000)) {
      const prompt = page.locator(`[data-testid="drill-prompt"][data-step="${stop.step}"]`);
      if (stop.kind === 'continue' || stop.kind === 'predict') {
        await prompt.getByTestId(stop.kind === 'continue' ? 'drill-continue' : 'drill-option-0').click();
        // Gone before the next look: the answered prompt can stay on screen a moment (until the run's
        // next status), and a second click on it then waited for a button that never came back.
        await expect(prompt).toHaveCount(0, { timeout: 10_000 });
      } else {
        const act = actOf(drill, stop.step);
        // The prompt says what and where, from the step's own command.
        await expect(prompt.getByTestId('drill-act-hint')).toBeVisible();
        if (drill.id === 'kill-one-of-three' || drill.id === 'frozen-node-active-vs-passive-detection') await screenshots(page, drill.id);
        // The narration in force stays pinned and whole while the drill waits.
        await expect(page.getByTestId('drill-now')).toBeVisible();
        await doByHand(page, act);
        acts++;
        // The drill sees the act and goes on by itself; Done only when the form had nothing left to send.
        const selfCompleted = await prompt.waitFor({ state: 'detached', timeout: 8_000 }).then(
          () => true,
          () => false,
        );
        if (!selfCompleted) {
          await prompt.getByTestId('drill-action-done').click();
          doneByHand++;
        }
        await expect(prompt).toHaveCount(0);
        await expect(page.getByTestId(`drill-step-done-${stop.step}`)).toHaveAttribute('data-by', 'operator');
        if (selfCompleted) await expect(page.getByTestId(`drill-step-done-${stop.step}`)).toContainText('seen: you');
      }
    }
    // Markdown is rendered everywhere in drill mode (narration, prompts, step lines, explanations): no mark left raw.
    const text = String(await drillsPage.runView().textContent());
    expect(text, 'no backtick left raw').not.toContain('`');
    expect(text, 'no heading mark left raw').not.toMatch(/(^|\n)\s*##/);
    testInfo.annotations.push({ type: 'acts', description: `${acts} done by hand, ${doneByHand} needed Done` });
    const verdict = drillsPage.verdict();
    const reason = String(await page.getByTestId('drill-verdict-reason').textContent());
    const failed = await page.locator('[data-testid^="drill-expectation-"][data-verdict="fail"], [data-testid^="drill-hypothesis-"][data-verdict="fail"]').allTextContents();
    const verdictIs = await verdict.getAttribute('data-verdict');
    if (verdictIs !== 'pass') await attachReport(testInfo, sharedLab.reportsDir, drill.id);
    expect(verdictIs, `${drill.id}: ${reason} ${failed.join(' | ')}`).toBe('pass');
    expect(doneByHand, 'every act was seen by the drill itself').toBe(0);
    // The run's own settings stay behind with the lab; the next drill sets up its own.
    await page.getByTestId('drill-back').click();
  });
}

/**
 * A failed walk keeps what the run saw: its settings, upstream states on the timeline and last events,
 * from the report the lab wrote (the reports folder is removed with the shared lab).
 */
async function attachReport(testInfo: TestInfo, reportsDir: string, drillId: string): Promise<void> {
  const runs = (await readdir(reportsDir)).filter((name) => name.includes(drillId)).sort();
  const newest = runs.at(-1);
  const report = newest
    ? ((await readFile(join(reportsDir, newest, 'report.json'), 'utf8').then(JSON.parse, () => null)) as { balancer: unknown; timeline: unknown[]; traffic: unknown; reason: string } | null)
    : null;
  if (!report) return console.log(`${drillId} failed; no report of it in ${reportsDir} yet`);
  const tail = report.timeline.slice(-60);
  console.log(`${drillId} failed: ${report.reason}\nbalancer: ${JSON.stringify(report.balancer)}\ntraffic: ${JSON.stringify(report.traffic)}\nlast ${tail.length} events:\n${tail.map((e) => JSON.stringify(e)).join('\n')}`);
  await testInfo.attach(`${drillId}-report.json`, { body: JSON.stringify(report, null, 2), contentType: 'application/json' });
}

function actOf(drill: Drill, step: number): Act {
  const s = drill.steps[step] as { action?: { do?: { command: string; params?: Record<string, unknown> } } } | undefined;
  const act = s?.action?.do;
  if (!act) throw new Error(`step ${step} of ${drill.id} is not an action with a do`);
  return { command: act.command, params: act.params ?? {} };
}

/** The act done as a learner does it on the drill view: a node card's button, or the settings form shown under the prompt. */
async function doByHand(page: Page, act: Act): Promise<void> {
  const id = String(act.params.id ?? '');
  const lab = page.getByTestId('drill-lab');
  switch (act.command) {
    case 'node.start':
      return lab.getByTestId(`node-start-${id}`).click();
    case 'node.stop':
      return lab.getByTestId(`node-stop-${id}`).click();
    case 'node.restart':
      return lab.getByTestId(`node-restart-${id}`).click();
    case 'node.promote':
      return lab.getByTestId(`drill-node-promote-${id}`).click();
    case 'balancer.set': {
      const form = page.getByTestId('drill-act-settings').getByTestId('settings-balancer');
      for (const [key, value] of Object.entries(act.params)) {
        if (key === 'strategy') await form.getByTestId('settings-strategy').selectOption(String(value));
        else await fill(form.getByTestId.bind(form), `settings-${key}`, value as Record<string, unknown>);
      }
      return form.getByTestId('settings-balancer-apply').click();
    }
    case 'traffic.set': {
      const form = page.getByTestId('drill-act-settings').getByTestId('settings-traffic');
      await fill(form.getByTestId.bind(form), 'settings-traffic', act.params);
      return form.getByTestId('settings-traffic-apply').click();
    }
    default:
      throw new Error(`no manual path in the drill view for ${act.command}`);
  }
}

async function fill(byTestId: Page['getByTestId'], prefix: string, fields: Record<string, unknown>): Promise<void> {
  for (const [name, value] of Object.entries(fields)) {
    const field = byTestId(`${prefix}-${name}`);
    if (typeof value === 'boolean') await field.setChecked(value);
    else await field.fill(String(value));
  }
}

/** The drill view waiting on a manual step, at a laptop's width and a desktop's, for a person to look at. */
async function screenshots(page: Page, name: string): Promise<void> {
  const size = page.viewportSize();
  for (const width of [1024, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: join(tmpdir(), `drillview-${name}-${width}.png`), fullPage: true });
  }
  if (size) await page.setViewportSize(size);
}
