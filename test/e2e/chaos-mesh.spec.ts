import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { test, expect } from './fixtures.js';
import { DrillsPage } from './pages/drills-page.js';
import { crdProblems } from '../unit/chaos-mesh/crd-validator.js';

/** *Export for Kubernetes* on the drill page: a file to save, a valid Workflow in it, and the list of what did not map. */
test('a drill exported for Kubernetes from its page: the YAML file downloads, the gaps are listed, a bad selector is named', async ({ page, labPage, ui }, testInfo) => {
  const drills = new DrillsPage(page);
  await ui.shell.goTo('drills');
  await drills.waitForLibrary();
  await drills.choose('partition-primary-standby');

  const panel = page.getByTestId('chaos-mesh-export');
  await panel.locator('summary').first().click();
  await page.getByTestId('chaos-mesh-namespace').fill('shop');

  // A selector written wrong is refused before anything is asked of the engine.
  await page.getByTestId('chaos-mesh-selectors').fill('p1 app=kv');
  await page.getByTestId('chaos-mesh-export-button').click();
  await expect(page.getByTestId('chaos-mesh-error')).toContainText('Selector "p1 app=kv"');
  // One the engine refuses (the drill has no node a9) comes back with its reason.
  await page.getByTestId('chaos-mesh-selectors').fill('a9:app=kv');
  await page.getByTestId('chaos-mesh-export-button').click();
  await expect(page.getByTestId('chaos-mesh-error')).toContainText('has no node "a9"');

  await page.getByTestId('chaos-mesh-selectors').fill('p1:statefulset.kubernetes.io/pod-name=kv-0\napp=kv');
  const download = page.waitForEvent('download');
  await page.getByTestId('chaos-mesh-export-button').click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('partition-primary-standby.chaos-mesh.yaml');
  const yaml = await readFile((await file.path()) as string, 'utf8');
  const docs = parseAllDocuments(yaml);
  if (!Array.isArray(docs)) throw new Error('not a YAML stream');
  const workflow = docs[0]!.toJS() as { kind: string; metadata: { namespace: string } };
  expect(workflow.kind).toBe('Workflow');
  expect(workflow.metadata.namespace).toBe('shop');
  expect(crdProblems('Workflow', workflow)).toEqual([]);
  expect(yaml).toContain('statefulset.kubernetes.io/pod-name: kv-0');

  await expect(page.getByTestId('chaos-mesh-error')).toHaveCount(0);
  const gaps = page.getByTestId('chaos-mesh-gaps').locator('li');
  await expect(gaps.first()).toBeVisible();
  expect(await gaps.count()).toBeGreaterThan(10);
  await expect(page.getByTestId('chaos-mesh-gaps')).toContainText('prediction "The replication link to s1 is cut.');
  await expect(page.getByTestId('chaos-mesh-file')).toHaveText('partition-primary-standby.chaos-mesh.yaml');
  const again = page.waitForEvent('download');
  await page.getByTestId('chaos-mesh-save-again').click();
  expect((await again).suggestedFilename()).toBe('partition-primary-standby.chaos-mesh.yaml');
  await labPage.screenshot(testInfo, 'drill-chaos-mesh-export');
});
