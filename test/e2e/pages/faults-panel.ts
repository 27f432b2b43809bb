import { expect, type Locator, type Page } from '@playwright/test';

/** The Faults view: a form generated from the contract's fault types, and the active faults. */
export class FaultsPanel {
  constructor(readonly page: Page) {}

  /** Fills the form (type, target, attributes by name) and injects; resolves once the fault shows as active. */
  async inject(fault: { type: string; target: string; attributes?: Record<string, number | string>; durationMs?: number }): Promise<Locator> {
    await this.page.getByTestId('fault-type').selectOption(fault.type);
    await this.page.getByTestId('fault-target').selectOption(fault.target);
    for (const [name, value] of Object.entries(fault.attributes ?? {})) {
      const field = this.page.getByTestId(`fault-attr-${name}`);
      if ((await field.evaluate((el) => el.tagName)) === 'SELECT') await field.selectOption(String(value));
      else await field.fill(String(value));
    }
    if (fault.durationMs !== undefined) await this.page.getByTestId('fault-duration').fill(String(fault.durationMs));
    await this.page.getByTestId('fault-inject').click();
    const row = this.active().and(this.page.locator(`[data-type="${fault.type}"][data-target="${fault.target}"]`));
    await expect(row).toBeVisible();
    return row;
  }

  active(): Locator {
    return this.page.getByTestId('active-fault');
  }
}
