import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EpochHistory, parseEpochs, ROOT_EPOCH } from '../../../electron/server/epoch-history';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function history(): Promise<EpochHistory> {
  const dir = await mkdtemp(join(tmpdir(), 'fd-epochs-'));
  dirs.push(dir);
  const h = new EpochHistory(dir);
  await h.load();
  return h;
}

describe('EpochHistory', () => {
  it('starts at the root, numbers epochs, persists them and reloads them', async () => {
    const h = await history();
    expect(h.lastId).toBe(ROOT_EPOCH);
    const one = await h.begin('a', 1);
    const two = await h.begin('a', 51);
    expect([one.epoch, two.epoch]).toEqual([1, 2]);
    expect(one.id).not.toBe(two.id);
    const again = new EpochHistory((h as unknown as { dir: string }).dir);
    await again.load();
    expect(again.entries).toEqual([one, two]);
    expect(parseEpochs(JSON.parse(await readFile(join((h as unknown as { dir: string }).dir, 'epochs.json'), 'utf8')))).toEqual([one, two]);
  });

  it('says whether a standby holds only records of this history', async () => {
    const h = await history();
    const e1 = await h.begin('a', 1);
    const e2 = await h.begin('b', 31);
    expect(h.contains(e2.id, 500)).toBe(true); // same epoch: the lsn alone decides (elsewhere)
    expect(h.contains(e1.id, 30)).toBe(true); // followed a up to the fork
    expect(h.contains(e1.id, 31)).toBe(false); // has a record a wrote after b took over
    expect(h.contains(ROOT_EPOCH, 0)).toBe(true);
    expect(h.contains(ROOT_EPOCH, 1)).toBe(false); // records from before any epoch we know: not ours
    expect(h.contains('c.1.00000000', 3)).toBe(false); // an epoch we never had
  });

  it('adopts a primary’s history, and rejects malformed ones', async () => {
    const h = await history();
    await h.begin('a', 1);
    const primary = [{ epoch: 1, id: 'x.1.aa', startLsn: 1 }, { epoch: 2, id: 'y.2.bb', startLsn: 9 }];
    await h.adopt(primary);
    expect(h.entries).toEqual(primary);
    expect(parseEpochs([{ epoch: 1, id: 3, startLsn: 1 }])).toBeNull();
    expect(parseEpochs({})).toBeNull();
  });
});
