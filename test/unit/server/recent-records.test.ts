import { describe, expect, it } from 'vitest';
import { RecentRecords } from '../../../electron/server/recent-records';

describe('RecentRecords', () => {
  it('serves contiguous records from an lsn and starts over on a jump', () => {
    const recent = new RecentRecords();
    for (let lsn = 5; lsn <= 9; lsn++) recent.push(lsn, Buffer.from(`r${lsn}`));
    expect(recent.from(4, 1e6)).toBeNull();
    expect(recent.from(7, 1e6)?.map(String)).toEqual(['r7', 'r8', 'r9']);
    expect(recent.from(10, 1e6)).toEqual([]);
    expect(recent.from(5, 3)?.map(String)).toEqual(['r5', 'r6']);
    expect(String(recent.at(6))).toBe('r6');
    recent.push(20, Buffer.from('r20'));
    expect(recent.from(9, 1e6)).toBeNull();
    expect(recent.from(20, 1e6)?.map(String)).toEqual(['r20']);
  });
});
