import { expect, type Locator, type Page } from '@playwright/test';

/** The sheet a click on a node card opens: lifecycle, kill, pause, and any fault aimed at that node. */
export class NodeActions {
  constructor(readonly page: Page) {}

  sheet(): Locator {
    return this.page.getByTestId('node-actions-sheet');
  }

  /** Opens the sheet by clicking the node's card (not one of its buttons). */
  async open(id: string): Promise<void> {
    await this.page.getByTestId(`node-card-${id}`).locator('.node-facts').click();
    await expect(this.sheet()).toHaveAttribute('data-node', id);
  }

  async kill(): Promise<void> {
    await this.sheet().getByTestId('node-action-kill').click();
  }

  async promote(): Promise<void> {
    await this.sheet().getByTestId('node-action-promote').click();
  }

  async close(): Promise<void> {
    await this.page.keyboard.press('Escape');
    await expect(this.sheet()).toBeHidden();
  }
}
