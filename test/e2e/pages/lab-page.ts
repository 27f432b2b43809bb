import { expect, type Locator, type Page, type TestInfo } from '@playwright/test';

/** The lab view, as a user sees it: node cards, the timeline, the header. */
export class LabPage {
  constructor(readonly page: Page) {}

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await expect(this.page.locator('html[data-app-state="ready"]')).toBeAttached();
  }

  nodeCards(): Locator {
    return this.page.getByTestId(/^node-card-/);
  }

  async nodeIds(): Promise<string[]> {
    const ids = await this.nodeCards().evaluateAll((cards) => cards.map((card) => String(card.getAttribute('data-testid'))));
    return ids.map((id) => id.replace(/^node-card-/, ''));
  }

  status(id: string): Locator {
    return this.page.getByTestId(`node-status-${id}`);
  }

  async pid(id: string): Promise<number> {
    const text = (await this.page.getByTestId(`node-pid-${id}`).textContent()) ?? '';
    const pid = Number(text.trim());
    if (!Number.isInteger(pid) || pid <= 0) throw new Error(`node ${id} shows no pid (“${text}”)`);
    return pid;
  }

  restarts(id: string): Locator {
    return this.page.getByTestId(`node-restarts-${id}`);
  }

  lastExit(id: string): Locator {
    return this.page.getByTestId(`node-exit-${id}`);
  }

  async showLogs(id: string): Promise<void> {
    await this.page.getByTestId(`node-logs-${id}`).click();
    await expect(this.page.getByTestId('log-panel')).toHaveAttribute('data-node', id);
  }

  logLines(): Locator {
    return this.page.getByTestId('log-line');
  }

  async restart(id: string): Promise<void> {
    await this.page.getByTestId(`node-restart-${id}`).click();
  }

  async expectAllReady(): Promise<string[]> {
    const ids = await this.nodeIds();
    expect(ids.length, 'the lab shows at least one node').toBeGreaterThan(0);
    for (const id of ids) await expect(this.status(id), `node ${id}`).toHaveAttribute('data-process', 'running');
    // Every node serves or stands by, ready to take over (a hot standby reads "1/2 serving · 1 standby").
    const count = this.page.getByTestId('serving-count');
    await expect(count).toHaveAttribute('data-total', String(ids.length));
    await expect.poll(async () => Number(await count.getAttribute('data-serving')) + Number(await count.getAttribute('data-standby'))).toBe(ids.length);
    return ids;
  }

  /** The newest timeline sequence number shown, or 0. */
  async lastTimelineSeq(): Promise<number> {
    const seqs = await this.page.getByTestId('timeline-item').evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-seq'))));
    return Math.max(0, ...seqs);
  }

  /** `{seq, kind, detail}` of one node's timeline rows after `sinceSeq`, oldest first. */
  async timelineFor(id: string, sinceSeq: number): Promise<{ seq: number; kind: string; detail: string }[]> {
    const rows = await this.page.locator(`[data-testid="timeline-item"][data-node="${id}"]`).evaluateAll((items) =>
      items.map((item) => ({
        seq: Number(item.getAttribute('data-seq')),
        kind: String(item.getAttribute('data-kind')),
        detail: String(item.textContent),
      })),
    );
    return rows.filter((row) => row.seq > sinceSeq).sort((a, b) => a.seq - b.seq);
  }

  /**
   * Records every status a node's card takes from now on, in the page itself, so a transition
   * that lasts a few milliseconds is not missed between two polls.
   */
  async recordStatuses(id: string): Promise<{ history: () => Promise<string[]> }> {
    const card = this.page.getByTestId(`node-card-${id}`);
    await card.evaluate((element, key) => {
      const seen = [String(element.getAttribute('data-status'))];
      const scope = globalThis as unknown as {
        __statusHistory?: Record<string, string[]>;
        MutationObserver: new (callback: () => void) => { observe(target: unknown, options: { attributeFilter: string[] }): void };
      };
      (scope.__statusHistory ??= {})[key] = seen;
      new scope.MutationObserver(() => {
        const status = String(element.getAttribute('data-status'));
        if (seen[seen.length - 1] !== status) seen.push(status);
      }).observe(element, { attributeFilter: ['data-status'] });
    }, id);
    return {
      history: () =>
        this.page.evaluate((key) => (globalThis as unknown as { __statusHistory: Record<string, string[]> }).__statusHistory[key] ?? [], id),
    };
  }

  /** Saves and attaches a screenshot: the whole page, or only the viewport (for overlays, which sit on the viewport). */
  async screenshot(testInfo: TestInfo, name: string, { fullPage = true }: { fullPage?: boolean } = {}): Promise<string> {
    const path = testInfo.outputPath(`${name}.png`);
    await this.page.screenshot({ path, fullPage });
    await testInfo.attach(name, { path, contentType: 'image/png' });
    return path;
  }
}

/** Folds a status history into `ready` / `not-ready` runs: `[ready, not-ready, ready]` is one bounce. */
export function readiness(history: string[]): string[] {
  const runs: string[] = [];
  for (const status of history) {
    const run = status === 'ready' ? 'ready' : 'not-ready';
    if (runs[runs.length - 1] !== run) runs.push(run);
  }
  return runs;
}
