import { describe, expect, it } from 'vitest';
import { ValueCodec, WriteLedger } from '../../../electron/engine/traffic';

const source = (entries: Record<string, string>) => ({ dump: async () => entries });

describe('ValueCodec', () => {
  it('encodes the sequence number, pads to the size asked, and decodes only its own values for that key', () => {
    const codec = new ValueCodec('abcd1234');
    const v = codec.encode('key-000001', 12345, 64);
    expect(v).toHaveLength(64);
    expect(codec.decode('key-000001', v)).toBe(12345);
    expect(codec.decode('key-000002', v)).toBeNull();
    expect(new ValueCodec('ffff0000').decode('key-000001', v)).toBeNull();
    expect(codec.decode('key-000001', v.slice(0, -1) + 'x')).toBeNull();
    expect(codec.decode('key-000001', 'hello')).toBeNull();
    // Shorter than the header: the header alone, still decodable.
    const tiny = codec.encode('k', 7, 1);
    expect(tiny.length).toBeGreaterThan(1);
    expect(codec.decode('k', tiny)).toBe(7);
  });
});

describe('WriteLedger', () => {
  function write(ledger: WriteLedger, key: string, lsn: number): string {
    const value = ledger.prepare(key, 32);
    ledger.acknowledge(key, value, lsn);
    return value;
  }

  it('keeps the latest acknowledged write per key and verifies a faithful state clean', async () => {
    const ledger = new WriteLedger();
    const state: Record<string, string> = {};
    for (let i = 0; i < 100; i++) {
      const key = `k${i % 10}`;
      state[key] = write(ledger, key, i + 1);
    }
    expect(ledger.acked).toBe(100);
    expect(ledger.ackedKeys).toBe(10);
    expect(await ledger.verify(source(state))).toMatchObject({ acked: 100, checked: 10, lost: 0, stale: 0 });
  });

  it('counts missing, older and foreign values as lost; older as stale too', async () => {
    const ledger = new WriteLedger();
    const first = write(ledger, 'a', 1);
    write(ledger, 'a', 2);
    write(ledger, 'b', 3);
    write(ledger, 'c', 4);
    const d = write(ledger, 'd', 5);
    const check = await ledger.verify(source({ a: first, c: 'someone else', d }));
    expect(check).toMatchObject({ checked: 4, lost: 3, stale: 1 });
    expect(check.examples.lost.map((e) => `${e.key}:${e.finding}`).sort()).toEqual(['a:older', 'b:missing', 'c:invalid']);
    expect(check.examples.stale).toEqual([{ key: 'a', expectedSeq: 1, foundSeq: 0, finding: 'older' }]);
  });

  it('an unacknowledged write found applied is not a loss, whether it is later or was in flight alongside', async () => {
    const ledger = new WriteLedger();
    write(ledger, 'a', 1);
    const later = ledger.prepare('a', 32);
    ledger.unknownOutcome('a', later);
    expect(ledger.unknown).toBe(1);
    // Two writes to b in flight together, acknowledged in either order: both are acceptable last values.
    const b1 = ledger.prepare('b', 32);
    const b2 = ledger.prepare('b', 32);
    ledger.acknowledge('b', b2, 10);
    ledger.acknowledge('b', b1, 9);
    // c1 failed before c2 was sent: finding c1 means c2 (acknowledged) was overwritten.
    const c1 = ledger.prepare('c', 32);
    ledger.unknownOutcome('c', c1);
    write(ledger, 'c', 11);
    const check = await ledger.verify(source({ a: later, b: b1, c: c1 }));
    expect(check).toMatchObject({ checked: 3, lost: 1, stale: 1 });
    expect(check.examples.lost[0]).toMatchObject({ key: 'c', finding: 'older' });
  });

  it('a value of ours never sent to that key (a newer sequence) is lost, as "unknown"', async () => {
    const ledger = new WriteLedger();
    write(ledger, 'a', 1);
    const foreign = ledger.codec.encode('a', 999, 32);
    const check = await ledger.verify(source({ a: foreign }));
    expect(check.examples.lost).toEqual([{ key: 'a', expectedSeq: 0, foundSeq: 999, finding: 'unknown' }]);
  });

  it('skips keys acknowledged after the dump was asked for', async () => {
    const ledger = new WriteLedger();
    const a = write(ledger, 'a', 1);
    const check = await ledger.verify({
      dump: async () => {
        write(ledger, 'b', 2);
        return { a };
      },
    });
    expect(check).toMatchObject({ checked: 1, skipped: 1, lost: 0 });
  });

  it('refuses to record a value it did not make', () => {
    const ledger = new WriteLedger();
    expect(() => ledger.acknowledge('a', 'plain', 1)).toThrow(/not a value this ledger made/);
  });

  it('counts() reports zeros before the first check, then the last check', async () => {
    const ledger = new WriteLedger();
    write(ledger, 'a', 1);
    expect(ledger.counts()).toEqual({ acked: 1, checked: 0, lost: 0, stale: 0, checkedAt: null });
    await ledger.verify(source({}));
    expect(ledger.counts()).toMatchObject({ acked: 1, checked: 1, lost: 1, stale: 0, checkedAt: expect.any(Number) });
  });
});
