import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.js';
import { DrillsPage } from './pages/drills-page.js';
import { ReplayBar, type ReplayFrame } from './pages/replay-bar.js';

// Issue 13, Replay: a kill on a hot-standby fleet with traffic, then "Replay this incident" at 1⁄10×.
// Frames are sampled in the page, one per animation frame, from the DOM only: the stages must
// appear in order, the killed node must read down or ejected between detection and recovery, and
// Back to live must bring the live lab back.

/** The node the balancer routes to in a standby topology. */
async function primaryId(page: Page): Promise<string> {
  const testId = await page.locator('[data-testid^="node-card-"][data-role="primary"]').first().getAttribute('data-testid');
  return String(testId).replace(/^node-card-/, '');
}

/** Traffic at 50 req/s for a minute, from the Settings view: gentle on a shared 2-core machine. */
async function startGentleTraffic(page: Page): Promise<void> {
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-traffic-rate').fill('50');
  await page.getByTestId('settings-traffic-durationMs').fill('60000');
  await page.getByTestId('settings-traffic-start').click();
  await expect(page.getByTestId('traffic-toggle')).toHaveAttribute('data-running', 'true');
  await page.getByTestId('nav-lab').click();
}

/** The index of the first frame showing `stage` of node `id`'s incident, or -1. */
const firstWith = (frames: ReplayFrame[], stage: string, id: string) => frames.findIndex((f) => f.incidentNode === id && f.stages.includes(stage));

test('a kill replayed at 1⁄10×: the stages appear in order, the node reads down between detection and recovery, and L goes back to live', async ({ lab, labPage, ui, page }, testInfo) => {
  test.setTimeout(180_000);
  const replay = new ReplayBar(page);
  await labPage.expectAllReady();
  await startGentleTraffic(page);
  const id = await primaryId(page);
  lab.trackPid(await labPage.pid(id));
  await page.waitForTimeout(1_500); // a little traffic before the fault, for the charts

  await ui.nodeActions.open(id);
  await ui.nodeActions.kill();
  await ui.nodeActions.close();

  await ui.shell.goTo('incidents');
  const incident = ui.incidents.newestFor(id);
  await ui.incidents.waitClosed(incident);
  expect(await ui.incidents.stages(incident)).toEqual(expect.arrayContaining(['injected', 'detected', 'failedOver', 'recovered']));

  await labPage.screenshot(testInfo, 'incidents-live-1440', { fullPage: false });
  await incident.getByTestId('incident-replay').click();
  await expect(page.getByTestId('view-lab')).toBeVisible();
  await replay.expectReplaying();
  await expect(replay.scrubber()).toHaveAttribute('data-speed', '0.25');
  // 1 s before the fault, it says so.
  await expect(page.getByTestId('replay-fault-offset')).toContainText('before the fault');
  await replay.speed(0.1);
  const recorder = await replay.recordFrames(id);
  // In replay the lab cannot be acted on: the traffic toggle is out of reach.
  await expect(page.getByTestId('traffic-toggle')).toHaveCSS('pointer-events', 'none');

  await expect.poll(async () => firstWith(await recorder.frames(), 'recovered', id), { timeout: 90_000, intervals: [1_000] }).toBeGreaterThan(0);
  // A later incident (the balancer may eject the new primary a moment, on its own) takes the scrubber's
  // words once it is the nearest fault: the frames read here are those of the kill's incident.
  const frames = (await recorder.frames()).filter((f) => f.incidentNode === id || f.stages.length === 0);
  const injected = firstWith(frames, 'injected', id);
  const detected = firstWith(frames, 'detected', id);
  const failedOver = firstWith(frames, 'failedOver', id);
  const recovered = firstWith(frames, 'recovered', id);
  testInfo.annotations.push({ type: 'frames', description: `${frames.length} frames; injected #${injected}, detected #${detected}, failed over #${failedOver}, recovered #${recovered}` });
  // Before the fault the incident is not on screen; then each stage appears, in this order, and stays.
  expect(frames[0]!.stages).toEqual([]);
  expect(injected).toBeGreaterThan(0);
  // Detection can come within a millisecond of the kill (the exit seen at once): the same frame then.
  expect(detected).toBeGreaterThanOrEqual(injected);
  expect(failedOver).toBeGreaterThanOrEqual(detected);
  expect(recovered).toBeGreaterThan(failedOver);
  for (let i = injected; i < frames.length; i++) expect(frames[i]!.stages, `frame ${i}: ${JSON.stringify(frames.slice(Math.max(0, i - 2), i + 2))}`).toContain('injected');
  // The instant moves forward only, and the node was ready and serving before the fault.
  for (let i = 1; i < frames.length; i++) expect(frames[i]!.at, `frame ${i}`).toBeGreaterThanOrEqual(frames[i - 1]!.at);
  expect(frames[0]!.status).toBe('ready');
  // Between detection and recovery, a frame shows the killed node down or ejected.
  const between = frames.slice(detected, recovered);
  expect(between.some((f) => f.status !== 'ready' || f.upstream === 'ejected'), JSON.stringify(between.slice(0, 5))).toBe(true);
  // 1⁄10×: the incident's recorded span took about ten times as long to play (wide bounds: a shared machine drops frames).
  const recordedMs = frames[recovered]!.at - frames[injected]!.at;
  const wallMs = frames[recovered]!.wall - frames[injected]!.wall;
  console.log(`replay at 1/10x: ${frames.length} frames; injected #${injected}, detected #${detected}, failed over #${failedOver}, recovered #${recovered}; ${recordedMs.toFixed(0)} ms recorded played in ${wallMs.toFixed(0)} ms`);
  expect(recordedMs).toBeGreaterThan(0);
  expect(wallMs / recordedMs).toBeGreaterThan(7);
  expect(wallMs / recordedMs).toBeLessThan(40);

  await replay.pause();
  // The live lab moves on meanwhile (another client restarts the killed node): the replayed view does not.
  const shownAt = await replay.scrubber().getAttribute('data-at');
  const shownPid = await page.getByTestId(`node-pid-${id}`).textContent();
  const pidBefore = (await lab.state()).nodes.find((n) => n.id === id)!.pid;
  const restart = await fetch(new URL('/api/commands/node.restart', lab.url), { method: 'POST', headers: { authorization: `Bearer ${lab.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ id }) });
  expect(restart.status).toBe(200);
  await expect
    .poll(async () => {
      const node = (await lab.state()).nodes.find((n) => n.id === id)!;
      return node.pid !== pidBefore && node.pid !== null && node.status === 'ready';
    })
    .toBe(true);
  await page.waitForTimeout(500); // the events of the restart reach the page meanwhile
  expect(await page.getByTestId(`node-pid-${id}`).textContent()).toBe(shownPid);
  await expect(replay.scrubber()).toHaveAttribute('data-at', String(shownAt));

  // Screenshots of replay mode, paused just after recovery, at three widths.
  for (const width of [1024, 1440, 1920]) {
    await page.setViewportSize({ width, height: 900 });
    await labPage.screenshot(testInfo, `replay-${width}`, { fullPage: false });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
  // The whole Lab view (charts and timeline at the instant too), and the Charts view.
  await labPage.screenshot(testInfo, 'replay-1440-full', { fullPage: true });
  await ui.shell.goTo('charts');
  await labPage.screenshot(testInfo, 'replay-1440-charts', { fullPage: false });
  await ui.shell.goTo('lab');

  // Back to live: the banner goes, and the cards show the lab as the engine has it now.
  await replay.backToLiveByKey('l');
  const live = await lab.state();
  for (const node of live.nodes) {
    await expect(page.getByTestId(`node-card-${node.id}`)).toHaveAttribute('data-role', node.role);
    await expect(page.getByTestId(`node-status-${node.id}`)).toHaveAttribute('data-status', node.status);
    await expect(page.getByTestId(`node-pid-${node.id}`)).toHaveText(String(node.pid ?? '—'));
  }
  await expect(page.getByTestId('traffic-toggle')).not.toHaveCSS('pointer-events', 'none');
});

test("a drill's verdict replays the drill from its report's recording, 1 s before its fault, at ¼×; Esc goes back to live", async ({ lab, page, ui, labPage }, testInfo) => {
  test.setTimeout(180_000);
  const drills = new DrillsPage(page);
  const replay = new ReplayBar(page);
  await ui.shell.goTo('drills');
  await drills.waitForLibrary();
  await drills.choose('kill-one-of-three');
  await drills.setOptions({ short: true, auto: true });
  await drills.run();
  await expect(drills.verdict()).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('drill-open-report')).toBeEnabled();

  await page.getByTestId('drill-replay').click();
  await expect(page.getByTestId('view-lab')).toBeVisible();
  await replay.expectReplaying();
  await expect(page.getByTestId('replay-banner')).toContainText('drill report');
  await expect(replay.scrubber()).toHaveAttribute('data-speed', '0.25');
  await expect(page.getByTestId('replay-fault-offset')).toContainText('before the fault');
  await expect(page.getByTestId('replay-mark-incident').first()).toBeAttached();
  // The drill's topology (three active-active nodes) is what the replay shows, and it plays into the fault.
  await expect(labPage.nodeCards()).toHaveCount(3);
  await expect(page.getByTestId('replay-fault-offset')).toContainText('after the fault', { timeout: 20_000 });
  await expect(page.locator('[data-testid="replay-stage"][data-stage="injected"]')).toBeAttached();
  await labPage.screenshot(testInfo, 'replay-drill-1440', { fullPage: false });

  await replay.backToLiveByKey('Escape');

  // From live, the scrubber's own way in: the live recording, paused 10 s before its end; frame steps and Space.
  await page.getByTestId('replay-enter').click();
  await replay.expectReplaying();
  await expect(replay.scrubber()).toHaveAttribute('data-playing', 'false');
  const at = async () => Number(await replay.scrubber().getAttribute('data-at'));
  const start = await at();
  await page.getByTestId('replay-step-forward').click();
  await expect.poll(at).toBeGreaterThan(start);
  const stepped = await at();
  await page.getByTestId('replay-step-back').click();
  await expect.poll(at).toBeLessThan(stepped);
  await page.locator('body').focus();
  const before = await at();
  await page.keyboard.press('ArrowRight');
  await expect.poll(at).toBeGreaterThan(before);
  await page.keyboard.press(' ');
  await expect(replay.scrubber()).toHaveAttribute('data-playing', 'true');
  await page.keyboard.press(' ');
  await expect(replay.scrubber()).toHaveAttribute('data-playing', 'false');
  // In replay, a command that would act on the live lab is refused, whatever asks for it (here the T key).
  const trafficBefore = (await lab.state()).traffic.running;
  await page.keyboard.press('t');
  await expect(page.getByTestId('toast').last()).toContainText('In replay');
  expect((await lab.state()).traffic.running, 'the live traffic was left as it was').toBe(trafficBefore);
  await replay.backToLiveByKey('l');
  await expect(page.locator('html')).not.toHaveAttribute('data-large-type', 'true');
});
