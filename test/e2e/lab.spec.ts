import { expect, test } from './fixtures.js';
import { readiness } from './pages/lab-page.js';

test('the lab opens and shows every node ready', async ({ lab, labPage, page }, testInfo) => {
  const ids = await labPage.expectAllReady();
  const state = await lab.state();
  expect(ids).toEqual(state.nodes.map((n) => n.id));
  for (const node of state.nodes) {
    await expect(page.getByTestId(`node-pid-${node.id}`)).toHaveText(String(node.pid));
    await expect(page.getByTestId(`node-port-${node.id}`)).toHaveText(String(node.port));
    await expect(page.getByTestId(`node-role-${node.id}`)).toHaveText(node.role);
  }
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-status', 'open');
  await expect(page.locator('[data-testid="timeline-item"][data-kind="node.ready"]')).toHaveCount(ids.length);
  await labPage.screenshot(testInfo, 'lab-ready');
  await page.emulateMedia({ colorScheme: 'dark' });
  await labPage.screenshot(testInfo, 'lab-ready-dark');
});

test('Restart takes a node through not-ready and back to ready', async ({ lab, labPage }, testInfo) => {
  const ids = await labPage.expectAllReady();
  const id = ids[ids.length - 1]!;
  const pidBefore = await labPage.pid(id);
  lab.trackPid(pidBefore);
  const since = await labPage.lastTimelineSeq();
  const recorder = await labPage.recordStatuses(id);
  await labPage.showLogs(id);

  await labPage.restart(id);

  await expect.poll(async () => readiness(await recorder.history())).toEqual(['ready', 'not-ready', 'ready']);
  await expect(labPage.status(id)).toHaveAttribute('data-status', 'ready');
  await expect
    .poll(async () => (await labPage.timelineFor(id, since)).map((e) => e.kind).filter((k) => k === 'node.exited' || k === 'node.ready'))
    .toEqual(['node.exited', 'node.ready']);
  const pidAfter = await labPage.pid(id);
  lab.trackPid(pidAfter);
  expect(pidAfter).not.toBe(pidBefore);
  await expect(labPage.lastExit(id)).toContainText('(by lab)');
  await expect(labPage.logLines().first(), 'the restarted node’s output reaches the log panel').toBeVisible();
  await labPage.screenshot(testInfo, 'after-restart');
});

test('a SIGKILLed node is shown exiting and coming back (restart policy always)', async ({ lab, labPage }, testInfo) => {
  const ids = await labPage.expectAllReady();
  const id = ids[0]!;
  const pid = await labPage.pid(id);
  const fromApi = (await lab.state()).nodes.find((n) => n.id === id);
  expect(fromApi?.pid, 'the page and GET /api/state agree on the pid').toBe(pid);
  expect(fromApi?.restartPolicy).toBe('always');
  const restartsBefore = Number(await labPage.restarts(id).textContent());
  const since = await labPage.lastTimelineSeq();
  const recorder = await labPage.recordStatuses(id);

  process.kill(pid, 'SIGKILL');

  await expect.poll(async () => readiness(await recorder.history())).toEqual(['ready', 'not-ready', 'ready']);
  await expect
    .poll(async () => (await labPage.timelineFor(id, since)).map((e) => e.kind).filter((k) => k === 'node.exited' || k === 'node.ready'))
    .toEqual(['node.exited', 'node.ready']);
  const exited = (await labPage.timelineFor(id, since)).find((e) => e.kind === 'node.exited');
  expect(exited?.detail).toContain('SIGKILL');
  await expect(labPage.lastExit(id)).toContainText('SIGKILL');
  await expect(labPage.restarts(id)).toHaveText(String(restartsBefore + 1));
  const newPid = await labPage.pid(id);
  lab.trackPid(newPid);
  expect(newPid).not.toBe(pid);
  await labPage.screenshot(testInfo, 'after-sigkill');
});

test('the view says so when the engine goes away', async ({ lab, labPage, page }, testInfo) => {
  const [id] = await labPage.expectAllReady();
  await lab.stop();
  await expect(page.getByTestId('connection-banner')).toBeVisible();
  await expect(page.getByTestId('connection-state')).not.toHaveAttribute('data-status', 'open');
  await expect(page.getByTestId(`node-restart-${id}`)).toBeDisabled();
  await labPage.screenshot(testInfo, 'disconnected');
});

test('more than 6 nodes: compact cards, each with its facts in one brief line where a note would go; a note takes its place', async ({ lab, labPage, page }, testInfo) => {
  await labPage.expectAllReady();
  // Three nodes: full cards, the facts listed, no brief.
  const first = (await lab.state()).nodes[0]!.id;
  await expect(page.getByTestId(`node-pid-${first}`)).toBeVisible();
  await expect(page.getByTestId(`node-brief-${first}`)).toBeHidden();

  const post = (command: string, params: unknown) =>
    fetch(new URL(`/api/commands/${command}`, lab.url), { method: 'POST', headers: { authorization: `Bearer ${lab.token}`, 'content-type': 'application/json' }, body: JSON.stringify(params) });
  expect((await post('topology.set', { kind: 'active-active', nodes: 8 })).status).toBe(200);
  await expect(page.getByTestId('node-grid')).toHaveClass(/compact/);
  await expect(page.getByTestId('serving-count')).toHaveText('8/8 serving', { timeout: 30_000 });
  const state = await lab.state();
  for (const node of state.nodes) {
    await expect(page.getByTestId(`node-pid-${node.id}`)).toBeHidden();
    await expect(page.getByTestId(`node-brief-${node.id}`)).toHaveText(`pid ${node.pid} · port ${node.port} · ${node.restarts} restarts`);
  }
  // Every card of a row keeps one height, brief or note (a note coming must not move the row).
  const heights = await page.locator('[data-testid^="node-card-"]').evaluateAll((els) => els.map((el) => el.getBoundingClientRect().height));
  expect(new Set(heights.map((h) => Math.round(h))).size, `card heights ${heights.join(', ')}`).toBe(1);
  // A paused node's note (why the balancer took it out) takes the brief's place, in the same room.
  expect((await post('fault.inject', { type: 'pause', target: 'a2' })).status).toBe(200);
  await expect(page.getByTestId('node-upstream-reason-a2')).toBeVisible({ timeout: 10_000 });
  await expect(page.getByTestId('node-brief-a2')).toHaveCount(0);
  const during = await page.locator('[data-testid^="node-card-"]').evaluateAll((els) => els.map((el) => Math.round(el.getBoundingClientRect().height)));
  expect(new Set(during).size, `card heights with a note ${during.join(', ')}`).toBe(1);
  expect((await post('fault.halt', {})).status).toBe(200);
  await expect(page.getByTestId('node-role-a1')).toHaveText('stateless');
  const role = await page.getByTestId('node-role-a1').evaluate((el) => el.scrollWidth <= el.clientWidth);
  expect(role, 'the role is shown whole beside "running"').toBe(true);
  await labPage.screenshot(testInfo, 'lab-compact');
});
