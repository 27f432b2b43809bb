// The write ledger against a real bundled server process: nothing lost, then exact counts of tampering.
import { describe, expect, it } from 'vitest';
import { TrafficGenerator, WriteLedger } from '../../../electron/engine/traffic';
import { TEST_NODE_SECRET, useServers } from '../../support/server-harness';

const servers = useServers();

describe('write ledger against the bundled server', () => {
  it('a stream of acknowledged writes verifies clean; tampering behind its back is counted exactly', async () => {
    const server = await servers.started({ nodeId: 'kv1' });
    const baseUrl = `http://${server.address}`;
    const ledger = new WriteLedger();
    const g = new TrafficGenerator({ baseUrl, ledger, settings: { rate: 300, durationMs: 1000, readShare: 0.4, keys: 30, valueBytes: 48, seed: 11, timeoutMs: 10_000 } });
    const ackedValues = new Map<string, string[]>();
    g.onOutcome((o) => {
      if (o.kind === 'write' && o.ok) ackedValues.set(o.key, [...(ackedValues.get(o.key) ?? []), o.value!]);
    });
    g.start();
    await g.done();

    const stats = g.stats();
    expect(stats.failed).toBe(0);
    expect(stats.writes.sent).toBeGreaterThan(120);
    expect(ledger.acked).toBe(stats.writes.sent);
    const clean = await ledger.verify(baseUrl, { nodeSecret: TEST_NODE_SECRET });
    expect(clean).toMatchObject({ acked: stats.writes.sent, checked: ledger.ackedKeys, lost: 0, stale: 0, skipped: 0 });
    expect(clean.checked).toBeGreaterThanOrEqual(25);
    expect(ledger.counts()).toMatchObject({ lost: 0, stale: 0, checked: clean.checked });

    // Four keys written at least twice; for one of them, its first acknowledged value.
    const keys = [...ackedValues.keys()].filter((k) => ackedValues.get(k)!.length >= 2).sort();
    const [deleted, rolledBack, garbled, unknownLater] = keys;
    expect(unknownLater).toBeDefined();
    const latest = ledger.latest(rolledBack!)!;
    const older = ackedValues.get(rolledBack!)![0]!;
    const olderSeq = ledger.codec.decode(rolledBack!, older)!;
    expect(olderSeq).toBeLessThan(latest.seq);
    expect(latest.concurrent).not.toContain(olderSeq);

    await server.del(deleted!);
    await server.put(rolledBack!, older);
    await server.put(garbled!, 'not a ledger value');
    // A write that was sent but never acknowledged, found applied: not a loss.
    const late = ledger.prepare(unknownLater!, 48);
    ledger.unknownOutcome(unknownLater!, late);
    await server.put(unknownLater!, late);

    const check = await ledger.verify(baseUrl, { nodeSecret: TEST_NODE_SECRET });
    expect(check).toMatchObject({ checked: clean.checked, lost: 3, stale: 1, skipped: 0 });
    expect(check.examples.lost.map((e) => [e.key, e.finding]).sort()).toEqual(
      [
        [deleted, 'missing'],
        [rolledBack, 'older'],
        [garbled, 'invalid'],
      ].sort(),
    );
    expect(check.examples.stale).toEqual([{ key: rolledBack, expectedSeq: latest.seq, foundSeq: olderSeq, finding: 'older' }]);
    expect(ledger.counts()).toMatchObject({ lost: 3, stale: 1, checkedAt: expect.any(Number) });
  });
});
