import { test as base } from '@playwright/test';
import { LabProcess } from './lab-process.js';
import { LabPage } from './pages/lab-page.js';

/** Every test gets its own lab process (own run folder, own port) and the page opened on it. */
export const test = base.extend<{ lab: LabProcess; labPage: LabPage }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright requires the fixtures argument to be destructured
  lab: async ({}, use, testInfo) => {
    const lab = await LabProcess.start(testInfo.outputPath('serve.log'));
    try {
      await use(lab);
    } finally {
      await lab.stop();
    }
  },
  labPage: async ({ page, lab }, use) => {
    const labPage = new LabPage(page);
    await labPage.open(lab.url);
    await use(labPage);
  },
});

export { expect } from '@playwright/test';
