import { expect, type Locator, type Page } from '@playwright/test';

/** The Incidents view: each incident's stages, MTTD, MTTR and the writes it cost. */
export class IncidentsView {
  constructor(readonly page: Page) {}

  /** The newest incident of a node. */
  newestFor(nodeId: string): Locator {
    return this.page.locator(`[data-testid^="incident-inc"][data-node="${nodeId}"]`).first();
  }

  async waitClosed(incident: Locator): Promise<void> {
    await expect(incident).toHaveAttribute('data-open', 'false');
  }

  /** MTTD and MTTR in ms, as the view holds them (`data-value`); NaN when not measured. */
  async figures(incident: Locator): Promise<{ mttdMs: number; mttrMs: number }> {
    const read = async (id: string) => {
      const raw = await incident.getByTestId(id).getAttribute('data-value');
      return raw === null || raw === '' ? Number.NaN : Number(raw);
    };
    return { mttdMs: await read('incident-mttd'), mttrMs: await read('incident-mttr') };
  }

  async stages(incident: Locator): Promise<string[]> {
    return incident.getByTestId('incident-stage').evaluateAll((items) => items.map((item) => String(item.getAttribute('data-stage'))));
  }
}
