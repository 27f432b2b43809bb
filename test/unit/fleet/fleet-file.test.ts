import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFleetFile } from '../../../electron/engine/fleet/fleet-file';

const dir = mkdtempSync(join(tmpdir(), 'firedrill-fleet-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let count = 0;
function file(text: string): string {
  const path = join(dir, `fleet-${++count}.yaml`);
  writeFileSync(path, text);
  return path;
}

function errorOf(path: string): Error & { code?: string; field?: string } {
  try {
    loadFleetFile(path);
  } catch (error) {
    return error as Error & { code?: string; field?: string };
  }
  throw new Error('expected loadFleetFile to throw');
}

describe('loadFleetFile', () => {
  it('reads a valid file, applying the schema defaults', () => {
    const path = file(
      [
        'name: demo',
        'restart: { backoffInitialMs: 50 }',
        'nodes:',
        '  - id: primary',
        '    server: { replicas: [standby] }',
        '  - id: standby',
        '    role: standby',
        '  - id: web',
        '    kind: command',
        '    command: /usr/bin/python3',
        '    args: [-m, http.server, "{port}"]',
        '    healthPath: /',
      ].join('\n'),
    );
    const spec = loadFleetFile(path);
    expect(spec.name).toBe('demo');
    expect(spec.nodes.map((n) => [n.id, n.kind])).toEqual([
      ['primary', 'bundled'],
      ['standby', 'bundled'],
      ['web', 'command'],
    ]);
    expect(spec.nodes[2]).toMatchObject({ args: ['-m', 'http.server', '{port}'], env: {} });
  });

  it('names file, line, column and field for a bad value', () => {
    const path = file(['nodes:', '  - id: a', '    readyTimeoutMs: 5'].join('\n'));
    const error = errorOf(path);
    expect(error.message).toMatch(new RegExp(`^${escape(path)}:3:21: nodes\\.0\\.readyTimeoutMs: .*>=100`));
    expect(error.field).toBe('nodes.0.readyTimeoutMs');
    expect(error.code).toBe('invalid-params');
  });

  it('points at an unknown key', () => {
    const path = file(['nodes:', '  - id: a', '    server:', '      replikas: [b]'].join('\n'));
    expect(errorOf(path).message).toMatch(new RegExp(`^${escape(path)}:4:7: nodes\\.0\\.server\\.replikas: Unrecognized key`));
  });

  it('explains a union failure by the branch the node meant (kind: command, no command)', () => {
    const path = file(['nodes:', '  - id: a', '    kind: command', '    args: [x]'].join('\n'));
    const error = errorOf(path);
    expect(error.message).toMatch(new RegExp(`^${escape(path)}:2:5: nodes\\.0\\.command: `));
    expect(error.field).toBe('nodes.0.command');
  });

  it('points a bad id at the id', () => {
    const path = file(['name: x', 'nodes:', '  - id: Bad_Id'].join('\n'));
    expect(errorOf(path).message).toMatch(new RegExp(`^${escape(path)}:3:9: nodes\\.0\\.id: a node id is`));
  });

  it('reports YAML syntax errors with their position', () => {
    const path = file(['nodes:', '  - id: a', '    args: [x, y', ''].join('\n'));
    expect(errorOf(path).message).toMatch(new RegExp(`^${escape(path)}:\\d+:\\d+: \\(yaml\\): `));
    const tabs = file('nodes:\n  - id: a\n\t- id: b\n');
    expect(errorOf(tabs).message).toMatch(new RegExp(`^${escape(tabs)}:3:1: \\(yaml\\): `));
  });

  it('falls back to line 1 for a document-level problem and names a missing file', () => {
    const empty = file('');
    expect(errorOf(empty).message).toMatch(new RegExp(`^${escape(empty)}:1:1: \\(root\\): `));
    const missing = join(dir, 'nope.yaml');
    expect(errorOf(missing).message).toContain(missing);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
