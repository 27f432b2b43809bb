import { Toxiproxy, type Latency } from 'toxiproxy-node-client';
import { expect, test } from './fixtures.js';

// The Settings view says where the Toxiproxy API is; what a Toxiproxy client does there is a lab
// fault the UI shows, and HALT takes it back.
test('Settings shows the Toxiproxy API; a client toxic is an active fault in the UI until HALT', async ({ labPage, ui, page }, testInfo) => {
  await labPage.expectAllReady();
  await ui.shell.goTo('settings');
  const url = (await page.getByTestId('settings-toxiproxy-url').textContent()) ?? '';
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  await labPage.screenshot(testInfo, 'settings-toxiproxy');

  const p1 = await new Toxiproxy(url).get('p1');
  await p1.addToxic<Latency>({ name: 'from-a-test-suite', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 20, jitter: 0 } });
  await expect(ui.shell.haltButton()).toHaveAttribute('data-active', '1');
  await ui.shell.goTo('lab');
  await expect(page.getByTestId('node-faults-p1').getByTestId('fault-chip')).toHaveAttribute('data-type', 'latency');

  await ui.shell.haltButton().click();
  await expect(ui.shell.haltButton()).toHaveAttribute('data-active', '0');
  await expect(page.getByTestId('node-faults-p1')).toHaveCount(0);
  expect((await (await fetch(`${url}/proxies/p1/toxics`)).json()) as unknown[]).toEqual([]);
});
