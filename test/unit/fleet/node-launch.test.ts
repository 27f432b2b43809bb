import { describe, expect, it } from 'vitest';
import { FleetSpec } from '../../../shared/contract/model';
import { bundledServerArgs, commandPlan, type BundledNode, type CommandNode } from '../../../electron/engine/fleet/node-launch';

describe('launch plans', () => {
  it('turns bundled server options into its flags, replicas resolved to ports', () => {
    const spec = FleetSpec.parse({
      nodes: [
        {
          id: 'p',
          server: { replicas: ['s1', 's2'], replication: 'async', fsync: 'always', keep: 2, serviceTimeMs: 5, queueLimit: 0 },
        },
        { id: 's1', role: 'standby' },
        { id: 's2', role: 'standby' },
      ],
    });
    const ports = new Map([
      ['s1', 4001],
      ['s2', 4002],
    ]);
    const args = bundledServerArgs(spec.nodes[0] as BundledNode, 4000, '/run/nodes/p', (id) => ports.get(id));
    expect(args).toEqual([
      '--port', '4000', '--data', '/run/nodes/p', '--node-id', 'p', '--role', 'primary',
      '--replicas', '127.0.0.1:4001,127.0.0.1:4002',
      '--replication', 'async', '--fsync', 'always', '--keep', '2', '--service-time-ms', '5', '--queue-limit', '0',
      '--watch-parent',
    ]);
    expect(() => bundledServerArgs(spec.nodes[0] as BundledNode, 4000, '/d', () => undefined)).toThrow(/replica s1/);
  });

  it('replaces {port} and {dataDir} in a command node’s args and env values', () => {
    const [node] = FleetSpec.parse({
      nodes: [{ id: 'c', kind: 'command', command: 'srv', args: ['--listen={port}', '{dataDir}/db'], env: { PORT: '{port}', K: '{port}' } }],
    }).nodes;
    const plan = commandPlan(node as CommandNode, 5000, '/data/c');
    expect(plan).toMatchObject({ target: { kind: 'program', file: 'srv', args: ['--listen=5000', '/data/c/db'] }, env: { PORT: '5000', K: '5000' }, readyPath: null });
  });
});
