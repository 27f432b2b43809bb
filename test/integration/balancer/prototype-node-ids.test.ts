// Node ids the id pattern allows that are also names on Object.prototype (`constructor`), or look
// like them: weighted round-robin gives each its own weight, over real sockets.
import { describe, expect, it } from 'vitest';
import { closedLoop, useLab } from './helpers';

/** Answers per node id (a Map: helpers' countBy keeps its counts in a plain object, where `constructor` is taken). */
function countBy(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

const lab = useLab();
const ids = ['constructor', 'hasownproperty', 'tostring', 'a1'];

describe('weighted round-robin with ids named like Object.prototype members', () => {
  it('default weights (1 each) and a1 at 2: shares 1:1:1:2 within ±5 % of each share over 1,000 requests', async () => {
    const ups = await Promise.all(ids.map((id) => lab.echo({ id })));
    const { balancer } = await lab.balancer({ strategy: 'weighted-round-robin', weights: { a1: 2 } });
    balancer.setUpstreams(ups.map((u) => ({ id: u.id, port: u.port })));
    const counts = countBy(await closedLoop(balancer.url, 1_000, 8));
    const share: Record<string, number> = { constructor: 0.2, hasownproperty: 0.2, tostring: 0.2, a1: 0.4 };
    for (const id of ids) expect(Math.abs((counts.get(id) ?? 0) / 1_000 - share[id]!), `${id}: ${counts.get(id)} of 1,000`).toBeLessThanOrEqual(share[id]! * 0.05);
    expect(balancer.snapshot().upstreams.map((u) => [u.id, u.weight])).toEqual([['constructor', 1], ['hasownproperty', 1], ['tostring', 1], ['a1', 2]]);
  });

  it('a weight set live for constructor (a patch merged over the settings) is the one used', async () => {
    const ups = await Promise.all(ids.slice(0, 2).map((id) => lab.echo({ id })));
    const { balancer } = await lab.balancer({ strategy: 'weighted-round-robin' });
    balancer.setUpstreams(ups.map((u) => ({ id: u.id, port: u.port })));
    balancer.setSettings({ weights: { constructor: 3 } });
    const counts = countBy(await closedLoop(balancer.url, 800, 8));
    expect(Math.abs((counts.get('constructor') ?? 0) / 800 - 0.75)).toBeLessThanOrEqual(0.75 * 0.05);
    expect(Math.abs((counts.get('hasownproperty') ?? 0) / 800 - 0.25)).toBeLessThanOrEqual(0.25 * 0.05);
  });
});
