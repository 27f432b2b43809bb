import { expect, type Locator, type Page } from '@playwright/test';

export type ViewId = 'lab' | 'charts' | 'incidents' | 'faults' | 'settings' | 'drills' | 'reports';
export const VIEWS: ViewId[] = ['lab', 'charts', 'incidents', 'faults', 'settings', 'drills', 'reports'];

/** What surrounds every view: the tabs, HALT, traffic, theme and the live numbers. */
export class AppShell {
  constructor(readonly page: Page) {}

  async goTo(view: ViewId): Promise<void> {
    await this.page.getByTestId(`nav-${view}`).click();
    await expect(this.page.getByTestId(`view-${view}`)).toBeVisible();
  }

  /** A live readout on the current view (`live-p99` on Lab and Charts, `node-rps-p1`, …) as a number; NaN before the first tick. */
  async liveValue(testId: string): Promise<number> {
    const raw = await this.page.getByTestId(testId).first().getAttribute('data-value');
    return raw === null || raw === '' ? Number.NaN : Number(raw);
  }

  async startTraffic(): Promise<void> {
    const toggle = this.page.getByTestId('traffic-toggle');
    await expect(toggle).toHaveAttribute('data-running', 'false');
    await toggle.click();
    await expect(toggle).toHaveAttribute('data-running', 'true');
  }

  async stopTraffic(): Promise<void> {
    const toggle = this.page.getByTestId('traffic-toggle');
    await toggle.click();
    await expect(toggle).toHaveAttribute('data-running', 'false');
  }

  haltButton(): Locator {
    return this.page.getByTestId('halt');
  }

  /** HALT by its keyboard shortcut, as a presenter would, with the focus on the page itself. */
  async haltByKeyboard(): Promise<void> {
    await this.page.locator('body').focus();
    await this.page.keyboard.press('Shift+H');
  }

  async setTheme(theme: 'light' | 'dark'): Promise<void> {
    const toggle = this.page.getByTestId('theme-toggle');
    for (let i = 0; i < 3 && (await toggle.getAttribute('data-theme')) !== theme; i++) await toggle.click();
    await expect(this.page.locator('html')).toHaveAttribute('data-theme', theme);
  }
}
