import { describe, expect, it } from 'vitest';
import { LeastConnections, LeastResponseTime, RandomPick, RoundRobin, WeightedRoundRobin, createStrategy, type Candidate, type Strategy } from '../../../electron/engine/balancer/strategies/index';

interface Node extends Candidate {
  id: string;
  inflight: number;
  ewmaMs: number;
  ewmaAt: number;
  weight: number;
}

function nodes(n: number, extra: Partial<Node> = {}): Node[] {
  return Array.from({ length: n }, (_, i) => ({ id: `n${i}`, bit: 1 << i, inflight: 0, weight: 1, ewmaMs: -1, ewmaAt: 0, wrrCurrent: 0, ...extra }));
}

function tally(strategy: Strategy, candidates: Node[], picks: number, skip = 0): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < picks; i++) {
    const c = strategy.pick(candidates, skip, 1_000)!;
    out[c.id] = (out[c.id] ?? 0) + 1;
  }
  return out;
}

describe('strategies', () => {
  it('round-robin gives each node its turn: counts equal within 1 over 1,000 picks', () => {
    const counts = tally(new RoundRobin(), nodes(3), 1_000);
    for (const id of ['n0', 'n1', 'n2']) expect(Math.abs(counts[id]! - 1_000 / 3)).toBeLessThanOrEqual(1);
  });

  it('round-robin skips nodes already tried, and returns null when all are', () => {
    const rr: Strategy = new RoundRobin();
    const list = nodes(3);
    for (let i = 0; i < 10; i++) expect(rr.pick(list, 0b001, 0)?.id).not.toBe('n0');
    expect(rr.pick(list, 0b111, 0)).toBeNull();
    expect(rr.pick([], 0, 0)).toBeNull();
  });

  it('weighted round-robin is smooth (nginx order for 5:1:1) and exact in share for 1:2:3', () => {
    const wrr: Strategy = new WeightedRoundRobin();
    const abc = nodes(3).map((n, i) => ({ ...n, weight: [5, 1, 1][i]! }));
    expect(Array.from({ length: 7 }, () => wrr.pick(abc, 0, 0)!.id)).toEqual(['n0', 'n0', 'n1', 'n0', 'n2', 'n0', 'n0']);
    const list = nodes(3).map((n, i) => ({ ...n, weight: i + 1 }));
    const counts = tally(new WeightedRoundRobin(), list, 1_200);
    expect(counts).toEqual({ n0: 200, n1: 400, n2: 600 });
  });

  it('weighted round-robin never picks a node of weight 0', () => {
    const list = nodes(2).map((n, i) => ({ ...n, weight: i }));
    expect(tally(new WeightedRoundRobin(), list, 100)).toEqual({ n1: 100 });
    expect((new WeightedRoundRobin() as Strategy).pick(list, 0b10, 0)).toBeNull();
  });

  it('random is uniform within ±5 % of the share per node over 30,000 picks, and respects skip', () => {
    // σ of a node's count is ~82 here: ±5 % (500) is over 6σ, never flaky.
    const counts = tally(new RandomPick(), nodes(3), 30_000);
    for (const id of ['n0', 'n1', 'n2']) expect(Math.abs(counts[id]! - 10_000)).toBeLessThan(10_000 * 0.05);
    const skipped = tally(new RandomPick(), nodes(3), 600, 0b010);
    expect(skipped.n1).toBeUndefined();
    expect(skipped.n0! + skipped.n2!).toBe(600);
  });

  it('least-connections picks the fewest in flight, and breaks ties round-robin', () => {
    const lc: Strategy = new LeastConnections();
    const list = nodes(3);
    list[0]!.inflight = 2;
    list[1]!.inflight = 1;
    list[2]!.inflight = 3;
    expect(lc.pick(list, 0, 0)?.id).toBe('n1');
    expect(lc.pick(list, 0b010, 0)?.id).toBe('n0');
    const even = nodes(3);
    expect(tally(new LeastConnections(), even, 300)).toEqual({ n0: 100, n1: 100, n2: 100 });
  });

  it('least-response-time tries unsampled nodes first, then the lowest expected wait (average × (in flight + 1))', () => {
    const lrt = new LeastResponseTime(1_000);
    const list = nodes(3);
    list[0]!.ewmaMs = 5;
    list[0]!.ewmaAt = 900;
    list[1]!.ewmaMs = 2;
    list[1]!.ewmaAt = 900;
    expect(lrt.pick(list, 0, 1_000)?.id).toBe('n2'); // no sample yet
    list[2]!.ewmaMs = 9;
    list[2]!.ewmaAt = 900;
    expect(lrt.pick(list, 0, 1_000)?.id).toBe('n1');
    expect(lrt.pick(list, 0b010, 1_000)?.id).toBe('n0');
    // 2 ms with 4 in flight (cost 10) loses to 5 ms with none (cost 5): no herding on the fastest node.
    list[1]!.inflight = 4;
    expect(lrt.pick(list, 0, 1_000)?.id).toBe('n0');
    list[0]!.ewmaMs = 2;
    expect(lrt.pick(list, 0, 1_000)?.id).toBe('n0');
    // A sample older than 5 decay periods is stale: the node is tried again ...
    list[1]!.inflight = 0;
    list[2]!.ewmaMs = 300;
    list[0]!.ewmaAt = 6_000;
    list[1]!.ewmaAt = 6_000;
    expect(lrt.pick(list, 0, 900 + 5_001)?.id).toBe('n2');
    // ... one request at a time: while its probe is out, the slow node's old average counts again.
    list[2]!.inflight = 1;
    expect(tally(lrt, list, 100, 0)).toEqual({ n0: expect.any(Number), n1: expect.any(Number) });
  });

  it('least-response-time: a node never sampled, with a request already out, is the last resort', () => {
    const lrt = new LeastResponseTime(1_000);
    const list = nodes(2);
    list[0]!.ewmaMs = 50;
    list[0]!.ewmaAt = 900;
    list[1]!.inflight = 1; // its first request has not come back
    expect(tally(lrt, list, 10)).toEqual({ n0: 10 });
    expect(lrt.pick(list, 0b01, 1_000)?.id).toBe('n1'); // but still there when nothing else is
  });

  it('createStrategy knows every contract name', () => {
    for (const name of ['round-robin', 'weighted-round-robin', 'random', 'least-connections', 'least-response-time'] as const) {
      expect(createStrategy(name, { ewmaDecayMs: 1_000 }).name).toBe(name);
    }
  });
});
