// The node ids a drill names, with where it names them: what `run --fleet` checks against the fleet.
import { describe, expect, it } from 'vitest';
import { DrillSpec } from '../../../shared/drill/schema';
import { drillNodeRefs, missingNodes } from '../../../electron/engine/drills/node-refs';

const spec = DrillSpec.parse({
  id: 'refs',
  title: 'refs',
  concept: 'active-active',
  summary: 'names nodes everywhere a drill can',
  topology: { kind: 'active-active', nodes: 3 },
  balancer: { weights: { a1: 2 } },
  steps: [
    { say: 'hello' },
    { fault: { inject: { type: 'kill', target: 'a2' }, after: { event: 'node.ready', node: 'a1', within: 1000 } } },
    { expect: { event: 'incident.detected', within: 1000, node: 'a2' } },
    { expect: { metric: 'node.share', node: 'a3', min: 0.1 } },
    { action: { text: 'restart it', do: { command: 'node.restart', params: { id: 'a2' } } } },
    { action: { text: 'weigh it', do: { command: 'balancer.set', params: { weights: { b9: 1 } } } } },
    { action: { text: 'stop traffic', do: { command: 'traffic.stop' } } },
    { fault: { halt: true } },
  ],
});

describe('drill node references', () => {
  it('lists every node id with its field path', () => {
    expect(drillNodeRefs(spec)).toEqual([
      { field: 'balancer.weights.a1', id: 'a1' },
      { field: 'steps.1.fault.inject.target', id: 'a2' },
      { field: 'steps.1.fault.after.node', id: 'a1' },
      { field: 'steps.2.expect.node', id: 'a2' },
      { field: 'steps.3.expect.node', id: 'a3' },
      { field: 'steps.4.action.do.params.id', id: 'a2' },
      { field: 'steps.5.action.do.params.weights.b9', id: 'b9' },
    ]);
  });

  it('names each reference the fleet lacks, and none when it fits', () => {
    expect(missingNodes(spec, ['a1', 'a2', 'a3', 'b9'])).toEqual([]);
    expect(missingNodes(spec, ['a1', 'a3'])).toEqual([
      'steps.1.fault.inject.target: no node "a2" in the fleet (it has a1, a3)',
      'steps.2.expect.node: no node "a2" in the fleet (it has a1, a3)',
      'steps.4.action.do.params.id: no node "a2" in the fleet (it has a1, a3)',
      'steps.5.action.do.params.weights.b9: no node "b9" in the fleet (it has a1, a3)',
    ]);
    expect(missingNodes(spec, [])[0]).toBe('balancer.weights.a1: no node "a1" in the fleet (it has no nodes)');
  });
});
