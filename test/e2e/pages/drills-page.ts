import { expect, type Locator, type Page } from '@playwright/test';

/** The Drills view: the library, a drill's plan and Run, then drill mode (narration, prompts, checks, verdict). */
export class DrillsPage {
  constructor(readonly page: Page) {}

  async waitForLibrary(): Promise<void> {
    await expect(this.page.getByTestId('drill-library')).toHaveAttribute('data-state', 'ok');
  }

  card(id: string): Locator {
    return this.page.getByTestId(`drill-card-${id}`);
  }

  /** The first of `ids` the library offers. */
  async firstOffered(ids: string[]): Promise<string> {
    for (const id of ids) if ((await this.card(id).count()) > 0) return id;
    throw new Error(`the library offers none of ${ids.join(', ')}`);
  }

  async choose(id: string): Promise<void> {
    await this.card(id).click();
    await expect(this.card(id)).toHaveAttribute('aria-pressed', 'true');
    await expect(this.page.getByTestId('drill-detail')).toHaveAttribute('data-drill', id);
    await expect(this.page.getByTestId('drill-detail')).toHaveAttribute('data-state', 'ok');
  }

  async setOptions({ short, auto, seed }: { short: boolean; auto: boolean; seed?: number }): Promise<void> {
    await this.page.getByTestId('drill-short').setChecked(short);
    await this.page.getByTestId('drill-auto').setChecked(auto);
    if (seed !== undefined) await this.page.getByTestId('drill-seed').fill(String(seed));
  }

  async run(): Promise<void> {
    await this.page.getByTestId('drill-run').click();
    await expect(this.runView()).toBeVisible();
  }

  runView(): Locator {
    return this.page.getByTestId('drill-run');
  }

  prompt(): Locator {
    return this.page.getByTestId('drill-prompt');
  }

  verdict(): Locator {
    return this.page.getByTestId('drill-verdict');
  }

  expectations(verdict?: 'pass' | 'fail' | 'pending'): Locator {
    const all = this.page.locator('[data-testid^="drill-expectation-"]');
    return verdict ? all.and(this.page.locator(`[data-verdict="${verdict}"]`)) : all;
  }

  /** Waits until the drill asks something of the operator, or ends; says which. */
  async nextStop(timeoutMs: number): Promise<{ kind: 'predict' | 'action' | 'continue'; step: number } | 'verdict'> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await expect(this.prompt().or(this.verdict())).toBeVisible({ timeout: Math.max(1, deadline - Date.now()) });
      if (await this.verdict().isVisible()) return 'verdict';
      // Read in one go, briefly: the prompt may be gone by now (the drill saw the act itself and went on), then look again.
      const seen = await this.prompt()
        .evaluate((el) => ({ kind: el.getAttribute('data-kind'), step: el.getAttribute('data-step') }), undefined, { timeout: 1_000 })
        .catch(() => null);
      if (seen?.kind && seen.step) return { kind: seen.kind as 'predict' | 'action' | 'continue', step: Number(seen.step) };
    }
  }

  /** Answers the waiting prediction with its option `n` (1-based) by the keyboard, as a presenter would. */
  async answerByKey(n: number, step: number): Promise<void> {
    await this.page.locator('body').focus();
    await this.page.keyboard.press(String(n));
    await this.gone(step);
  }

  /** Goes on past a pause before a fault by its key (N), as a presenter would. */
  async continueByKey(step: number): Promise<void> {
    await this.page.locator('body').focus();
    await this.page.keyboard.press('n');
    await this.gone(step);
  }

  async doItForMe(step: number): Promise<void> {
    await this.page.getByTestId('drill-action-perform').click();
    await this.gone(step);
  }

  /** The prompt of `step` is answered (the next one may already be showing). */
  private async gone(step: number): Promise<void> {
    await expect(this.page.locator(`[data-testid="drill-prompt"][data-step="${step}"]`)).toHaveCount(0);
  }
}
