import { mkdir, writeFile } from 'node:fs/promises';
import { test as base } from '@playwright/test';
import { LabProcess } from './lab-process.js';
import { AppShell } from './pages/app-shell.js';
import { FaultsPanel } from './pages/faults-panel.js';
import { IncidentsView } from './pages/incidents-view.js';
import { LabPage } from './pages/lab-page.js';
import { NodeActions } from './pages/node-actions.js';

/** The page objects of the live lab UI, over one page. */
export type LabUi = { shell: AppShell; nodeActions: NodeActions; faults: FaultsPanel; incidents: IncidentsView };

/**
 * Every test gets its own lab process (own run folder, own port, its report history in the test's
 * own output folder, never the user's ~/.firedrill/reports) and the page opened on it.
 */
export const test = base.extend<{ lab: LabProcess; labPage: LabPage; ui: LabUi }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright requires the fixtures argument to be destructured
  lab: async ({}, use, testInfo) => {
    const reports = testInfo.outputPath('reports');
    await mkdir(reports, { recursive: true });
    const lab = await LabProcess.start(testInfo.outputPath('serve.log'), { env: { FIREDRILL_REPORTS_DIR: reports } });
    try {
      await use(lab);
    } finally {
      // A failed test leaves the engine's own account beside its screenshot: incidents, nodes, events.
      if (testInfo.status !== testInfo.expectedStatus) {
        const state = await Promise.race([lab.state().catch((e: unknown) => ({ unavailable: String(e) })), new Promise((r) => setTimeout(() => r({ unavailable: 'no answer in 5 s' }), 5_000))]);
        const path = testInfo.outputPath('lab-state.json');
        await writeFile(path, JSON.stringify(state, null, 1)).catch(() => undefined);
        await testInfo.attach('lab-state', { path, contentType: 'application/json' }).catch(() => undefined);
        const incidents = (state as { incidents?: Array<{ id: string; nodeId: string; cause: string; open: boolean; stages: Record<string, number> }> }).incidents ?? [];
        for (const i of incidents) {
          const start = Math.min(...Object.values(i.stages));
          const stages = Object.entries(i.stages).map(([k, v]) => `${k} +${Math.round(v - start)}`).join(', ');
          console.log(`lab-state: ${i.id} ${i.nodeId} ${i.cause} ${i.open ? 'open' : 'closed'}: ${stages}`);
        }
      }
      await lab.stop();
    }
  },
  labPage: async ({ page, lab }, use) => {
    const labPage = new LabPage(page);
    await labPage.open(lab.url);
    await use(labPage);
  },
  ui: async ({ page, labPage }, use) => {
    void labPage; // the page is open and ready first
    await use({ shell: new AppShell(page), nodeActions: new NodeActions(page), faults: new FaultsPanel(page), incidents: new IncidentsView(page) });
  },
});

export { expect } from '@playwright/test';
