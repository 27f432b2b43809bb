import { describe, expect, it } from 'vitest';
import { ContractError } from '../../../shared/contract/errors';
import { parseDrill } from '../../../electron/engine/drills/drill-file';

// `needed` (k of m) on a drill's topology: the availability arithmetic's k, checked where it is written.

const drill = (topology: string[]): string => ['id: t', 'title: T', 'concept: active-active', 'summary: s', 'topology:', ...topology, 'steps:', '  - say: hi'].join('\n') + '\n';

function issues(text: string): string[] {
  try {
    parseDrill(text, 'd.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ContractError);
    return ((error as ContractError).issues ?? []).map((issue) => issue.message);
  }
  return [];
}

describe('topology.needed', () => {
  it('takes k of m for active-active', () => {
    const spec = parseDrill(drill(['  kind: active-active', '  nodes: 3', '  needed: 2']), 'd.yaml');
    expect(spec.topology.needed).toBe(2);
    expect(parseDrill(drill(['  kind: active-active']), 'd.yaml').topology.needed).toBeUndefined();
  });

  it('points at a bad value: more than the nodes, zero, a fraction, needed on a standby topology', () => {
    expect(issues(drill(['  kind: active-active', '  nodes: 3', '  needed: 4']))).toEqual(['d.yaml:8:11: topology.needed: needed is how many of the 3 nodes the load needs: at most 3']);
    expect(issues(drill(['  kind: active-active', '  needed: 0']))).toEqual([expect.stringMatching(/^d\.yaml:7:11: topology\.needed: Too small/)]);
    expect(issues(drill(['  kind: active-active', '  needed: 1.5']))).toEqual([expect.stringMatching(/^d\.yaml:7:11: topology\.needed: /)]);
    expect(issues(drill(['  kind: hot-standby', '  needed: 2']))).toEqual(['d.yaml:7:11: topology.needed: a hot-standby topology serves from one node at a time: needed can only be 1']);
  });
});
