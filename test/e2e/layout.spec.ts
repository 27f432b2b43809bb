import type { Page, TestInfo } from '@playwright/test';
import { expect, test } from './fixtures.js';
import type { LabPage } from './pages/lab-page.js';
import { DrillsPage } from './pages/drills-page.js';
import { ReplayBar } from './pages/replay-bar.js';

// Issue 14: a layout that holds from 1024 to 1920 px wide: a one-row header, Concepts as a slide-out
// below 1200 px, a drill's plan shown where it was clicked.

const SIZES = [
  { width: 1024, height: 700 },
  { width: 1440, height: 900 },
  { width: 1920, height: 1080 },
] as const;

type HeaderRow = {
  height: number;
  titleTop: number;
  titleBottom: number;
  tabsTop: number;
  tabsBottom: number;
  /** What of the header lies outside its box (wrapped below it, or past the viewport's right edge). */
  outside: string[];
  horizontalScroll: number;
};

// Runs in the page (the e2e tsconfig has no DOM types): the header's box, the title's and the tabs', and
// every element of the header lying outside the header's box or past the viewport's edges.
const MEASURE_HEADER = `(() => {
  const header = document.querySelector('.header');
  const title = document.querySelector('.header h1');
  const tabs = document.querySelector('[role="tablist"]');
  if (!header || !title || !tabs) throw new Error('no header, title or tabs');
  const h = header.getBoundingClientRect();
  const t = title.getBoundingClientRect();
  const n = tabs.getBoundingClientRect();
  const width = document.documentElement.clientWidth;
  const outside = [];
  for (const el of header.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue; // not shown at this width
    if (el.closest('.tools-menu-items')) continue; // the open ⋯ menu drops below on purpose
    if (r.top < h.top - 1 || r.bottom > h.bottom + 1 || r.right > width + 1 || r.left < -1) {
      outside.push(el.tagName.toLowerCase() + '.' + String(el.className) + ' "' + (el.textContent || '').slice(0, 24) + '" at ' + Math.round(r.left) + ',' + Math.round(r.top) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height));
    }
  }
  return {
    height: Math.round(h.height),
    titleTop: t.top,
    titleBottom: t.bottom,
    tabsTop: n.top,
    tabsBottom: n.bottom,
    outside,
    horizontalScroll: document.documentElement.scrollWidth - width,
  };
})()`;

/** The header as laid out now: its height, where the title and the tabs are, and what spills out of it. */
async function headerRow(page: Page): Promise<HeaderRow> {
  return (await page.evaluate(MEASURE_HEADER)) as HeaderRow;
}

/** One row: the tabs beside the title (the title's middle inside the tabs' height), nothing outside, no sideways scroll. */
function expectOneRow(row: HeaderRow, where: string): void {
  const middle = (row.titleTop + row.titleBottom) / 2;
  expect(middle, `${where}: the title (${row.titleTop}–${row.titleBottom}) is on the tabs' row (${row.tabsTop}–${row.tabsBottom})`).toBeGreaterThanOrEqual(row.tabsTop);
  expect(middle, `${where}: the title is on the tabs' row`).toBeLessThanOrEqual(row.tabsBottom);
  expect(row.height, `${where}: the header is one row high`).toBeLessThanOrEqual(64);
  expect(row.outside, `${where}: nothing of the header wraps below it or past the window`).toEqual([]);
  expect(row.horizontalScroll, `${where}: no horizontal scrollbar`).toBeLessThanOrEqual(0);
}

/** At each size: the header is one row, as high as at the others; a screenshot of the viewport each. */
async function expectOneRowAtEverySize(page: Page, labPage: LabPage, testInfo: TestInfo, name: string): Promise<void> {
  const heights: number[] = [];
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await page.waitForTimeout(200); // media queries and the width hooks settle
    const row = await headerRow(page);
    expectOneRow(row, `${name} at ${size.width} px`);
    heights.push(row.height);
    await labPage.screenshot(testInfo, `${name}-${size.width}`, { fullPage: false });
  }
  expect(new Set(heights).size, `${name}: the header's height is the same at every width (${heights.join(', ')})`).toBe(1);
}

test('the header is one row, of one height, with no horizontal scrollbar, in every view at 1024, 1440 and 1920 px', async ({ labPage, ui, page }, testInfo) => {
  await labPage.expectAllReady();
  for (const view of ['lab', 'charts', 'incidents', 'faults', 'settings', 'drills', 'reports'] as const) {
    await ui.shell.goTo(view);
    await expect(page.locator('[data-state="loading"]')).toHaveCount(0);
    await expectOneRowAtEverySize(page, labPage, testInfo, `view-${view}`);
  }
  // With traffic's countdown under its button too.
  await ui.shell.goTo('lab');
  await ui.shell.startTraffic();
  await expect(page.getByTestId('traffic-status')).toHaveAttribute('data-state', 'running');
  await expectOneRowAtEverySize(page, labPage, testInfo, 'traffic-running');
  // And at every width between, across each step the header takes (1340, 1440, 1860 px).
  for (let width = 1024; width <= 1920; width += 48) {
    await page.setViewportSize({ width, height: 800 });
    await page.waitForTimeout(100);
    expectOneRow(await headerRow(page), `traffic running at ${width} px`);
  }
  await ui.shell.stopTraffic();
  await expect(page.getByTestId('traffic-status')).toHaveAttribute('data-state', 'stopped');
  for (const width of [1024, 1339, 1340, 1439, 1440, 1859, 1860, 1920]) {
    await page.setViewportSize({ width, height: 800 });
    await page.waitForTimeout(100);
    expectOneRow(await headerRow(page), `traffic stopped at ${width} px`);
  }

  // Below 1340 px, fleet, theme, large type and keys are one click away, in the ⋯ menu.
  await page.setViewportSize(SIZES[0]);
  await expect(page.getByTestId('theme-toggle')).toBeHidden();
  await page.getByTestId('header-menu').click();
  await expect(page.getByTestId('fleet-stop')).toBeVisible();
  await expect(page.getByTestId('large-type-toggle')).toBeVisible();
  await ui.shell.setTheme('dark');
  await labPage.screenshot(testInfo, 'header-menu-1024', { fullPage: false });
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('header-menu-items')).toBeHidden();
  await expect(page.getByTestId('header-menu')).toBeFocused();
});

test('below 1200 px Concepts slides out over the view (button, Esc, focus); from 1200 px it is the side panel', async ({ labPage, page }, testInfo) => {
  await labPage.expectAllReady();
  const toggle = page.getByTestId('concepts-toggle');
  const panel = page.getByTestId('concepts-panel');
  const view = page.getByTestId('view-lab');

  await page.setViewportSize(SIZES[0]);
  await expect(panel, 'at 1024 px Concepts waits for the button: the view has the whole width').toBeHidden();
  const viewBox = await view.boundingBox();
  expect(viewBox!.width, 'the view keeps (nearly) the whole width').toBeGreaterThan(SIZES[0].width - 100);
  await toggle.click();
  const slide = page.getByTestId('concepts-slide-out');
  await expect(slide).toBeVisible();
  await expect(panel).toBeInViewport();
  const slideBox = await slide.boundingBox();
  expect(slideBox!.x + slideBox!.width, 'it slides out from the right edge').toBeGreaterThanOrEqual(SIZES[0].width - 1);
  expect(slideBox!.y, 'over the view, from the top of the window').toBeLessThanOrEqual(1);
  expect(await page.evaluate(`document.querySelector('[data-testid="concepts-slide-out"]').contains(document.activeElement)`), 'the focus moves into it').toBe(true);
  expect((await view.boundingBox())!.width, 'the view under it keeps its width').toBeCloseTo(viewBox!.width, 0);
  await labPage.screenshot(testInfo, 'concepts-slide-out-1024', { fullPage: false });
  await page.keyboard.press('Escape');
  await expect(slide).toBeHidden();
  await expect(toggle, 'the focus goes back to the button').toBeFocused();

  // C opens it too; a click beside it closes it; a term opens it on that term.
  await page.locator('body').focus();
  await page.keyboard.press('c');
  await expect(slide).toBeVisible();
  await page.mouse.click(100, 400);
  await expect(slide).toBeHidden();
  const term = page.locator('button.term').first();
  const concept = String(await term.getAttribute('data-concept'));
  await term.click();
  await expect(slide).toBeVisible();
  await expect(page.getByTestId('concept-title')).toHaveAttribute('data-concept', concept);
  await page.keyboard.press('Escape');
  await expect(slide).toBeHidden();

  // From 1200 px: the side panel it has always been, beside the view; the button shows and hides it.
  for (const size of SIZES.slice(1)) {
    await page.setViewportSize(size);
    await expect(panel).toBeVisible();
    await expect(slide).toHaveCount(0);
    const side = (await panel.boundingBox())!;
    const main = (await view.boundingBox())!;
    expect(side.x, `at ${size.width} px the panel is beside the view`).toBeGreaterThanOrEqual(main.x + main.width);
    expect(side.y, 'on the same row as the view').toBeLessThan(main.y + 50);
    await labPage.screenshot(testInfo, `concepts-panel-${size.width}`, { fullPage: false });
  }
  await toggle.click();
  await expect(panel).toBeHidden();
  await toggle.click();
  await expect(panel).toBeVisible();
});

test('at 1024×700 a drill’s plan and Run open under the clicked drill, in the viewport; beside the library from 1300 px', async ({ labPage, ui, page }, testInfo) => {
  const drills = new DrillsPage(page);
  await labPage.expectAllReady();
  await page.setViewportSize(SIZES[0]);
  await ui.shell.goTo('drills');
  await drills.waitForLibrary();
  const ids = await page.locator('[data-testid^="drill-card-"]').evaluateAll((cards) => cards.map((c) => String(c.getAttribute('data-drill'))));
  expect(ids.length).toBeGreaterThan(3);
  // The first drill, then one far down the library: each time Run shows right away, under the card.
  for (const id of [ids[0]!, ids[ids.length - 2]!]) {
    await drills.choose(id);
    const run = page.locator('.drill-run-button');
    await expect(run, `Run of ${id} is in the window right after the click`).toBeInViewport({ ratio: 1 });
    const card = (await drills.card(id).boundingBox())!;
    const detail = (await page.getByTestId('drill-detail').boundingBox())!;
    const runBox = (await run.boundingBox())!;
    const scrollY = (await page.evaluate('window.scrollY')) as number;
    console.log(`1024×700, ${id}: card top ${Math.round(card.y)}, Run top ${Math.round(runBox.y)} in the window (${Math.round(runBox.y + scrollY)} on the page)`);
    expect(detail.y, 'the plan opens under the clicked drill').toBeGreaterThanOrEqual(card.y + card.height - 1);
    expect(detail.y - (card.y + card.height), 'right under it').toBeLessThan(40);
    await labPage.screenshot(testInfo, `drill-plan-inline-${id}-1024`, { fullPage: false });
  }
  await expect(page.getByTestId('drill-detail')).toHaveCount(1);

  // Wider, the plan stands beside the library, as before.
  for (const size of SIZES.slice(1)) {
    await page.setViewportSize(size);
    await expect(page.getByTestId('drill-detail')).toHaveAttribute('data-placement', 'side');
    const library = (await page.getByTestId('drill-library').boundingBox())!;
    const detail = (await page.getByTestId('drill-detail').boundingBox())!;
    expect(detail.x, `at ${size.width} px the plan is beside the library`).toBeGreaterThanOrEqual(library.x + library.width);
    await labPage.screenshot(testInfo, `drill-plan-side-${size.width}`, { fullPage: false });
  }
});

test('a running drill, waiting on the operator, keeps the header in one row at 1024, 1440 and 1920 px', async ({ labPage, ui, page }, testInfo) => {
  const drills = new DrillsPage(page);
  await labPage.expectAllReady();
  await ui.shell.goTo('drills');
  await drills.waitForLibrary();
  const id = await drills.firstOffered(['kill-one-of-three', 'hot-standby-sync-replication']);
  await drills.choose(id);
  await drills.setOptions({ short: true, auto: false });
  await drills.run();
  // The drill waits (a prediction, or a pause before its fault): its badge is on the Drills tab, traffic runs.
  await expect(drills.prompt()).toBeVisible({ timeout: 60_000 });
  await expectOneRowAtEverySize(page, labPage, testInfo, 'drill-running');
  await ui.shell.goTo('lab');
  await expect(page.getByTestId('nav-drills-waiting')).toBeVisible();
  await expect(page.getByTestId('drill-waiting-bar')).toBeVisible();
  await expectOneRowAtEverySize(page, labPage, testInfo, 'drill-waiting-lab');
  await ui.shell.goTo('drills');
  await page.locator('body').focus();
  await page.keyboard.press('Shift+X');
  await expect(drills.verdict()).toHaveAttribute('data-verdict', 'aborted');
});

test('a lost engine keeps the header in one row', async ({ lab, labPage, page }, testInfo) => {
  await labPage.expectAllReady();
  await lab.stop();
  await expect(page.getByTestId('app')).toHaveAttribute('data-stale', 'true');
  await expect(page.getByTestId('connection-banner')).toBeVisible();
  await expectOneRowAtEverySize(page, labPage, testInfo, 'disconnected');
});

test('replay keeps the header in one row', async ({ labPage, page }, testInfo) => {
  await labPage.expectAllReady();
  await page.waitForTimeout(1_000); // a second of the lab recorded
  await page.getByTestId('replay-enter').click();
  const replay = new ReplayBar(page);
  await replay.expectReplaying();
  await expectOneRowAtEverySize(page, labPage, testInfo, 'replay');
  await page.getByTestId('replay-back-to-live').click();
  await expect(page.locator('html')).not.toHaveAttribute('data-mode', 'replay');
});
