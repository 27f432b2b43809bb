import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { cliEntry } from '../../support/cli.js';
import { makeTempDir, removeDir } from '../../support/temp.js';
import { crdProblems } from '../../unit/chaos-mesh/crd-validator.js';
import { workflowWebhookProblems } from '../../../electron/engine/export/chaos-mesh-rules.js';

// `firedrill export chaos-mesh` as a user meets it: the YAML on stdout or in a file, what did not map
// on stderr, and every mistake a clear line with exit 2, nothing written.

const STACK = /^\s+at .+\(|\.ts:\d+:\d+\)|\.js:\d+:\d+\)/m;

describe('firedrill export chaos-mesh', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await makeTempDir('fd-cli-chaos-mesh-');
    mkdirSync(join(dir, 'user-drills'));
  });
  afterAll(() => removeDir(dir));

  const cli = (args: string[]) => {
    const result = spawnSync(process.execPath, [cliEntry, 'export', ...args], {
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, FIREDRILL_USER_DRILLS_DIR: join(dir, 'user-drills') },
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const workflow = (yaml: string): Record<string, unknown> => {
    const docs = parseAllDocuments(yaml);
    if (!Array.isArray(docs)) throw new Error('no stream');
    expect(docs).toHaveLength(1);
    return docs[0]!.toJS() as Record<string, unknown>;
  };

  it('a built-in drill to stdout: a valid Workflow; the gaps on stderr', () => {
    const r = cli(['chaos-mesh', 'partition-primary-standby', '--namespace', 'shop', '--selector', 'p1:statefulset.kubernetes.io/pod-name=kv-0', '--selector', 'app=kv']);
    expect(r.stderr).toMatch(/^Not expressed in Chaos Mesh \(\d+; also comments in the YAML\):\n {2}step 1: narration "A partition"/);
    expect(r.stderr).toContain('  drill: hypothesis (error rate ≤ 0.15, p99 ≤ 3500 ms)');
    expect(r.code).toBe(0);
    const wf = workflow(r.stdout);
    expect(crdProblems('Workflow', wf)).toEqual([]);
    expect(workflowWebhookProblems(wf)).toEqual([]);
    expect(wf.metadata).toMatchObject({ name: 'firedrill-partition-primary-standby', namespace: 'shop' });
    expect(r.stdout).toContain('statefulset.kubernetes.io/pod-name: kv-0');
    expect(r.stdout).toContain('app: kv');
  });

  it('--out FILE writes the file and says so; a drill file works as well as an id', () => {
    const out = join(dir, 'kill.yaml');
    const r = cli(['chaos-mesh', join(import.meta.dirname, '../../../drills/examples/kill-one-of-three.yaml'), '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${out}: Chaos Mesh Workflow "firedrill-kill-one-of-three" for drill kill-one-of-three\n`);
    expect(crdProblems('Workflow', workflow(readFileSync(out, 'utf8')))).toEqual([]);
  });

  it.each([
    [['chaos-mesh', 'no-such-drill'], /^firedrill export chaos-mesh: no drill "no-such-drill" \(built-in: cascading-overload, /],
    [['chaos-mesh', 'kill-one-of-three', '--selector', 'a1'], /^--selector "a1": write NODE:KEY=VALUE/],
    [['chaos-mesh', 'kill-one-of-three', '--selector', 'a1:bad key=x'], /^--selector "a1:bad key=x": label key "bad key"/],
    [['chaos-mesh', 'kill-one-of-three', '--selector', 'a1:app=no spaces'], /^--selector "a1:app=no spaces": label value "no spaces"/],
    [['chaos-mesh', 'kill-one-of-three', '--selector', 'A1:app=x'], /^--selector "A1:app=x": "A1" is not a node id/],
    [['chaos-mesh', 'kill-one-of-three', '--selector', 'p1:app=x'], /^firedrill export chaos-mesh: --selector p1: drill "kill-one-of-three" has no node "p1" \(its nodes: a1, a2, a3; or balancer/],
    [['chaos-mesh', 'kill-one-of-three', '--namespace', 'My_NS'], /^firedrill export chaos-mesh: --namespace: a namespace is a DNS-1123 label/],
    [['chaos-mesh', 'kill-one-of-three', '--http-port', 'eighty'], /^--http-port: "eighty" is not a port number/],
    [['chaos-mesh', 'kill-one-of-three', '--volume-path', 'data'], /^firedrill export chaos-mesh: --volume-path: a volume path is an absolute path/],
    [['kubernetes', 'kill-one-of-three'], /^firedrill export: unknown target "kubernetes" \(one target: chaos-mesh\)/],
    [['chaos-mesh'], /^firedrill export chaos-mesh: give one drill id or file/],
    [['chaos-mesh', 'kill-one-of-three', '--colour'], /^firedrill export: unknown flag '--colour'/],
  ])('bad input %j: one clear message, exit 2', (args, message) => {
    const r = cli(args);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(STACK);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(2);
  });

  it('an unwritable --out: exit 2, naming the file and why', () => {
    const missing = join(dir, 'no-such-folder', 'x.yaml');
    const r = cli(['chaos-mesh', 'kill-one-of-three', '--out', missing]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`--out: cannot write "${missing}": ENOENT\n`);
    expect(existsSync(missing)).toBe(false);
    const r2 = cli(['chaos-mesh', 'kill-one-of-three', '--out', dir]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toBe(`--out: cannot write "${dir}": EISDIR\n`);
    if (process.getuid?.() !== 0) {
      const locked = join(dir, 'locked');
      mkdirSync(locked);
      chmodSync(locked, 0o500);
      const r3 = cli(['chaos-mesh', 'kill-one-of-three', '--out', join(locked, 'x.yaml')]);
      expect(r3.code).toBe(2);
      expect(r3.stderr).toMatch(/cannot write ".*locked\/x\.yaml": EACCES/);
    }
  });

  it('a drill file that does not parse: its mistakes, exit 2', () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'id: broken\ntitle: B\nconcept: retries\nsummary: s\ntopology: { kind: active-active }\nsteps:\n  - sya: hi\n');
    const r = cli(['chaos-mesh', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:7:5: steps.0.sya: unknown step "sya"`);
  });
});
