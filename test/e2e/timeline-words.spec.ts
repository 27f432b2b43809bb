// The timeline and logs in words: a wall clock, a sentence, the JSON a click away; never "+01:07.104".
import { expect, test } from './fixtures.js';

test('a SIGKILLed node reads as a sentence on the timeline, with its time on the wall clock and its JSON a click away', async ({ lab, labPage, page }, testInfo) => {
  const ids = await labPage.expectAllReady();
  const id = ids[0]!;
  const pid = await labPage.pid(id);
  await labPage.showLogs(id);

  process.kill(pid, 'SIGKILL');
  lab.trackPid(pid);

  const exited = page.locator(`[data-testid="timeline-item"][data-kind="node.exited"][data-node="${id}"]`).first();
  await expect(exited.getByTestId('timeline-text')).toHaveText(new RegExp(`^${id} exited \\(SIGKILL\\) after [\\d.]+ (ms|s|min \\d\\d s) up$`));
  await expect(exited.locator('time')).toHaveText(/^\d\d:\d\d:\d\d\.\d{3}$/);
  await expect(page.locator(`[data-testid="timeline-item"][data-kind="node.ready"][data-node="${id}"]`)).toHaveCount(2);
  lab.trackPid(await labPage.pid(id));

  // No bare "+mm:ss.mmm" anywhere on the timeline or in the logs.
  const times = await page.locator('.timeline-at, .log-at').allTextContents();
  expect(times.length).toBeGreaterThan(3);
  expect(times.filter((t) => !/^\d\d:\d\d:\d\d\.\d{3}$/.test(t))).toEqual([]);

  // The JSON behind the words, a click away.
  await expect(exited.getByTestId('timeline-json')).toBeHidden();
  await exited.getByTestId('timeline-text').click();
  await expect(exited.getByTestId('timeline-json')).toBeVisible();
  await expect(exited.getByTestId('timeline-json')).toContainText('"signal": "SIGKILL"');

  // The node's own structured log lines read as sentences too, the raw line behind them.
  await expect(page.getByTestId('log-words').filter({ hasText: new RegExp(`^${id} (listening on :\\d+|ready as \\w+)`) }).first()).toBeVisible();

  for (const width of [1024, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    const path = testInfo.outputPath(`timeline-words-${width}.png`);
    await page.locator('.timeline').screenshot({ path });
    await testInfo.attach(`timeline-words-${width}`, { path, contentType: 'image/png' });
    const logs = testInfo.outputPath(`log-words-${width}.png`);
    await page.getByTestId('log-panel').screenshot({ path: logs });
    await testInfo.attach(`log-words-${width}`, { path: logs, contentType: 'image/png' });
  }
});
