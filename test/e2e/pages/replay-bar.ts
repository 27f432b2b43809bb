import { expect, type Locator, type Page } from '@playwright/test';

/** One frame of a replay as the page showed it: the instant, the watched node's card, and the incident's stages. */
/** `stages`: those of the incident the scrubber shows (the nearest fault's), of node `incidentNode`. */
export type ReplayFrame = { at: number; wall: number; status: string; role: string; upstream: string; incidentNode: string; stages: string[] };

/** Replay mode: the scrubber under the topology, the banner, and the way back to live. */
export class ReplayBar {
  constructor(readonly page: Page) {}

  scrubber(): Locator {
    return this.page.getByTestId('replay-scrubber');
  }

  async expectReplaying(): Promise<void> {
    await expect(this.scrubber()).toHaveAttribute('data-mode', 'replay');
    await expect(this.page.locator('html')).toHaveAttribute('data-mode', 'replay');
    await expect(this.page.getByTestId('replay-banner')).toBeVisible();
  }

  async speed(speed: 1 | 0.25 | 0.1): Promise<void> {
    await this.page.getByTestId(`replay-speed-${speed}`).click();
    await expect(this.scrubber()).toHaveAttribute('data-speed', String(speed));
  }

  async pause(): Promise<void> {
    if ((await this.scrubber().getAttribute('data-playing')) === 'true') await this.page.getByTestId('replay-play').click();
    await expect(this.scrubber()).toHaveAttribute('data-playing', 'false');
  }

  /**
   * Records, in the page, one frame per animation frame (DOM only: the scrubber's instant, node
   * `id`'s card and upstream, the stages shown), until `stop()` is asked for.
   */
  async recordFrames(id: string): Promise<{ frames: () => Promise<ReplayFrame[]> }> {
    await this.page.evaluate((nodeId) => {
      const scope = globalThis as unknown as { __replayFrames: ReplayFrame[]; requestAnimationFrame: (cb: () => void) => number; document: { querySelector: (s: string) => { getAttribute: (a: string) => string | null } | null; querySelectorAll: (s: string) => ArrayLike<{ getAttribute: (a: string) => string | null }> } };
      const frames: ReplayFrame[] = [];
      scope.__replayFrames = frames;
      const doc = scope.document;
      const sample = () => {
        const scrubber = doc.querySelector('[data-testid="replay-scrubber"]');
        const card = doc.querySelector(`[data-testid="node-card-${nodeId}"]`);
        const upstream = doc.querySelector(`[data-testid="node-upstream-${nodeId}"]`);
        const incidentNode = String(doc.querySelector('[data-testid="replay-stages"]')?.getAttribute('data-node') ?? '');
        const stages = Array.from(doc.querySelectorAll('[data-testid="replay-stage"]'), (li) => String(li.getAttribute('data-stage')));
        const at = Number(scrubber?.getAttribute('data-at') ?? Number.NaN);
        const frame = { at, wall: performance.now(), status: String(card?.getAttribute('data-status')), role: String(card?.getAttribute('data-role')), upstream: String(upstream?.getAttribute('data-state') ?? ''), incidentNode, stages };
        const last = frames[frames.length - 1];
        if (!last || last.at !== frame.at) frames.push(frame);
        if (frames.length < 20_000) scope.requestAnimationFrame(sample);
      };
      sample();
    }, id);
    return { frames: () => this.page.evaluate(() => (globalThis as unknown as { __replayFrames: ReplayFrame[] }).__replayFrames) };
  }

  async backToLiveByKey(key: 'l' | 'Escape' = 'l'): Promise<void> {
    await this.page.locator('body').focus();
    await this.page.keyboard.press(key);
    await expect(this.page.getByTestId('replay-banner')).toBeHidden();
    await expect(this.page.locator('html')).toHaveAttribute('data-mode', 'live');
    await expect(this.scrubber()).toHaveAttribute('data-mode', 'live');
  }
}
