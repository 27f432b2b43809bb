import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ContractError } from '../../../shared/contract/errors';
import { FleetSpec } from '../../../shared/contract/model';
import { loadFleetFile } from '../../../electron/engine/fleet/fleet-file';
import { fleetForTopology } from '../../../electron/engine/failover/topology';

// A fleet file that cannot run is refused when it is read, every mistake positioned: never a stack
// trace from deep inside Lab.create.

const dir = mkdtempSync(join(tmpdir(), 'firedrill-fleet-checks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let count = 0;
function file(lines: string[]): string {
  const path = join(dir, `fleet-${++count}.yaml`);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

function linesOf(path: string): string[] {
  try {
    loadFleetFile(path);
  } catch (error) {
    expect(error).toBeInstanceOf(ContractError);
    return ((error as ContractError).issues ?? []).map((i) => i.message.slice(path.length + 1));
  }
  throw new Error('expected loadFleetFile to throw');
}

describe('fleet files: replicas', () => {
  it('a replica that does not exist, is the node itself, is a command node or is not a standby: each at the replica', () => {
    const path = file([
      'nodes:',
      '  - id: kv1',
      '    server: { replicas: [ghost, kv1, web, kv2] }',
      '  - id: kv2',
      '    role: primary',
      '  - id: web',
      '    kind: command',
      '    command: python3',
    ]);
    expect(linesOf(path)).toEqual([
      '3:26: nodes.0.server.replicas.0: no node "ghost" in this fleet',
      '3:33: nodes.0.server.replicas.1: a node cannot replicate to itself',
      '3:38: nodes.0.server.replicas.2: "web" is a command node: only a bundled standby can take a primary\'s log',
      '3:43: nodes.0.server.replicas.3: "kv2" is a primary, not a standby: give it role: standby',
    ]);
  });

  it('replicas on a node that is not a primary, a replica listed twice, a standby fed by two primaries', () => {
    const path = file([
      'nodes:',
      '  - id: a',
      '    server: { replicas: [s, s] }',
      '  - id: b',
      '    server: { replicas: [s] }',
      '  - id: s',
      '    role: standby',
      '    server: { replicas: [a] }',
    ]);
    expect(linesOf(path)).toEqual([
      '3:29: nodes.0.server.replicas.1: "s" is listed twice',
      '5:26: nodes.1.server.replicas.0: "s" already takes the log of "a": a standby follows one primary',
      '8:25: nodes.2.server.replicas: only a primary ships its log; this node is a standby',
    ]);
  });

  it('a duplicated id is named at the second one, and other mistakes come in the same run', () => {
    const path = file(['nodes:', '  - id: a', '    readyTimeoutMs: 5', '  - id: a', '  - id: b', '    server: { replicas: [nope] }']);
    expect(linesOf(path)).toEqual([
      expect.stringMatching(/^3:21: nodes\.0\.readyTimeoutMs: Too small/),
      '4:9: nodes.1.id: node id "a" is already used by nodes.0',
      '6:26: nodes.2.server.replicas.0: no node "nope" in this fleet',
    ]);
  });

  it('every topology the lab builds still passes', () => {
    for (const kind of ['active-active', 'hot-standby', 'warm-standby', 'cold-standby'] as const) {
      expect(() => fleetForTopology({ kind, nodes: 3, replication: 'sync' })).not.toThrow();
    }
  });
});

describe('fleet files: command nodes', () => {
  it('an unprintable or odd healthPath is refused at the field', () => {
    for (const bad of ['"/ready z"', '"/ready\\u0007"', '"/\\u00e9t\\u00e9"', `"/${'a'.repeat(3000)}"`, 'ready']) {
      const path = file(['nodes:', '  - id: web', '    kind: command', '    command: python3', `    healthPath: ${bad}`]);
      expect(linesOf(path)).toEqual([expect.stringMatching(/^5:17: nodes\.0\.healthPath: /)]);
    }
    const ok = file(['nodes:', '  - id: web', '    kind: command', '    command: python3', '    healthPath: "/health?full=1&x=%20"']);
    expect(loadFleetFile(ok).nodes[0]).toMatchObject({ healthPath: '/health?full=1&x=%20' });
  });

  it('NUL bytes in a command, an argument or the environment, and bad variable names', () => {
    const path = file([
      'nodes:',
      '  - id: web',
      '    kind: command',
      '    command: "python\\0"',
      '    args: ["a\\0b"]',
      '    env: { "A=B": x, OK: "v\\0", "": y }',
    ]);
    expect(linesOf(path)).toEqual([
      expect.stringMatching(/^4:14: nodes\.0\.command: /),
      expect.stringMatching(/^5:12: nodes\.0\.args\.0: /),
      expect.stringMatching(/^6:12: nodes\.0\.env\.A=B: /),
      expect.stringMatching(/^6:26: nodes\.0\.env\.OK: /),
      expect.stringMatching(/^6:33: nodes\.0\.env\.: /),
    ]);
  });

  it('a node may be called constructor', () => {
    const spec = FleetSpec.parse({ nodes: [{ id: 'constructor', server: { replicas: ['hasownproperty'] } }, { id: 'hasownproperty', role: 'standby' }] });
    expect(spec.nodes.map((n) => n.id)).toEqual(['constructor', 'hasownproperty']);
  });
});
