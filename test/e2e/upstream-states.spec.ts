import { expect, test } from './fixtures.js';

// What the balancer thinks of each node reaches the UI as `balancer.changed`, when it changes: the
// metrics ticks carry numbers only. A promotion moves rotation from one node to the other.
test('upstream states follow the balancer: a manual failover moves rotation to the promoted node', async ({ labPage, ui, page }) => {
  await labPage.expectAllReady();
  const primary = String(await page.locator('[data-testid^="node-card-"][data-role="primary"]').first().getAttribute('data-testid')).replace(/^node-card-/, '');
  const standby = primary === 'p1' ? 's1' : 'p1';
  await expect(page.getByTestId(`node-upstream-${primary}`)).toHaveAttribute('data-state', 'in-rotation');
  await expect(page.getByTestId(`node-upstream-${standby}`)).not.toHaveAttribute('data-state', 'in-rotation');

  await ui.nodeActions.open(standby);
  await ui.nodeActions.promote();
  await ui.nodeActions.close();
  await expect(page.getByTestId(`node-upstream-${standby}`)).toHaveAttribute('data-state', 'in-rotation');
  await expect(page.getByTestId(`node-upstream-${primary}`)).not.toHaveAttribute('data-state', 'in-rotation');
});
