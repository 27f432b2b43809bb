import { expect, type Download, type FrameLocator, type Locator, type Page } from '@playwright/test';

/** The Reports view: the history, the report viewer (a sandboxed frame), comparisons and exports. */
export class ReportsPage {
  constructor(readonly page: Page) {}

  items(): Locator {
    return this.page.getByTestId('report-item');
  }

  viewer(): Locator {
    return this.page.getByTestId('report-viewer');
  }

  async waitOpen(kind: 'report' | 'comparison'): Promise<void> {
    await expect(this.viewer()).toHaveAttribute('data-kind', kind);
    await expect(this.viewer()).toHaveAttribute('data-state', 'ok');
  }

  /** Inside the rendered report (or comparison): the very HTML file the engine writes. */
  frame(kind: 'report' | 'comparison'): FrameLocator {
    return this.page.frameLocator(`[data-testid="${kind}-frame"]`);
  }

  async open(id: string): Promise<void> {
    await this.page.getByTestId(`report-open-${id}`).click();
    await this.waitOpen('report');
  }

  async refresh(count: number): Promise<void> {
    await this.page.getByTestId('reports-refresh').click();
    await expect(this.items()).toHaveCount(count);
  }

  async compare(ids: string[]): Promise<void> {
    for (const id of ids) await this.page.getByTestId(`report-select-${id}`).check();
    await this.page.getByTestId('report-compare').click();
    await this.waitOpen('comparison');
  }

  /** Clicks an export button and returns the browser download it starts. */
  async download(testId: string): Promise<Download> {
    const [download] = await Promise.all([this.page.waitForEvent('download'), this.page.getByTestId(testId).click()]);
    return download;
  }
}
