// Over the contract a report is its id in the history and nothing else; the CLI alone may name a path.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportStore } from '../../../electron/engine/report-store/report-store.js';
import { makeReport } from '../../support/report-fixture.js';
import { makeTempDir, removeDir } from '../../support/temp.js';

describe('ReportStore: ids, never paths', () => {
  let dir = '';
  let store: ReportStore;
  let outside = '';
  let cwd = '';
  beforeAll(async () => {
    dir = await makeTempDir('fd-reports-');
    store = new ReportStore(join(dir, 'history'));
    await store.write(makeReport({ id: 'in-history' }), ['json']);
    // A report outside the history, in the engine's working directory: what a path fallback would open.
    outside = join(dir, 'cwd', 'stray');
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, 'report.json'), JSON.stringify(makeReport({ id: 'stray' })));
    cwd = process.cwd();
    process.chdir(join(dir, 'cwd'));
  });
  afterAll(async () => {
    process.chdir(cwd);
    await removeDir(dir);
  });

  it('opens, exports and compares a report by its id in the history', async () => {
    expect(store.open('in-history').report.id).toBe('in-history');
    expect(await store.export('in-history', 'json')).toBe(join(dir, 'history', 'in-history', 'report.json'));
    expect(store.compare(['in-history', 'in-history']).reports).toHaveLength(2);
  });

  it('an id not in the history is not-found, even when the working directory has a report by that name', async () => {
    for (const ref of ['stray', 'stray/report.json', join(outside, 'report.json'), outside, relative(process.cwd(), outside)]) {
      expect(() => store.open(ref), ref).toThrow(expect.objectContaining({ code: 'not-found', field: 'id' }));
    }
    await expect(store.export('stray', 'html')).rejects.toMatchObject({ code: 'not-found', field: 'id' });
    expect(() => store.compare(['in-history', 'stray'])).toThrow(expect.objectContaining({ code: 'not-found', field: 'ids.1' }));
  });

  it('the CLI may still name a report folder or a report.json on its own command line', () => {
    expect(store.open('stray', { paths: true }).report.id).toBe('stray');
    expect(store.open(join(outside, 'report.json'), { paths: true }).report.id).toBe('stray');
    expect(store.compare(['in-history', outside], { paths: true }).reports.map((r) => r.id)).toEqual(['in-history', 'stray']);
    expect(() => store.open('nowhere', { paths: true })).toThrow(expect.objectContaining({ code: 'not-found' }));
  });
});
