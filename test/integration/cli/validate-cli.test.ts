import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEntry } from '../../support/cli.js';
import { makeTempDir, removeDir } from '../../support/temp.js';

// The CLI's face for drill and fleet files, as a user meets it: every mistake at once, exit 2, no
// stack trace, nothing from a file that can drive the terminal, and a heavy drill shown before it runs.

const STACK = /^\s+at .+\(|\bat (?:Object|Module|process)\.|\.ts:\d+:\d+\)|\.js:\d+:\d+\)/m;
const ESC = '\u001b';

describe('firedrill validate / serve --fleet / drills / run: files as a user meets them', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await makeTempDir('fd-cli-validate-');
    mkdirSync(join(dir, 'user-drills'));
  });
  afterAll(() => removeDir(dir));

  const cli = (args: string[], timeout = 20_000) => {
    const result = spawnSync(process.execPath, [cliEntry, ...args], {
      encoding: 'utf8',
      timeout,
      env: { ...process.env, FIREDRILL_REPORTS_DIR: join(dir, 'reports'), FIREDRILL_RUN_DIR: join(dir, 'runs'), FIREDRILL_USER_DRILLS_DIR: join(dir, 'user-drills') },
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const write = (name: string, content: string | Buffer): string => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it('validate: a file with three mistakes shows three lines in one run, sorted, exit 2', () => {
    const file = write(
      'three.yaml',
      ['id: three', 'title: Three', 'concept: retries', 'summary: s', 'topology: { kind: active-active }', 'steps:', '  - sya: hi', '  - wait: -5', '  - fault: { inject: { type: kill, target: a1, attributes: { signal: SIGHUP } } }'].join('\n'),
    );
    const r = cli(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toEqual([
      `${file}:7:5: steps.0.sya: unknown step "sya": a step is one of say, wait, fault, action, expect, predict, mark`,
      `${file}:8:11: steps.1.wait: Too small: expected number to be >=0`,
      expect.stringMatching(new RegExp(`^${escape(file)}:9:\\d+: steps\\.2\\.fault\\.inject\\.attributes\\.signal: `)),
    ]);
  });

  it('validate: hostile files are refused fast with FILE:LINE:COL, never a stack trace', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefg'[i]}`).join(', ')}]`)].join('\n');
    const files = [
      write('bomb.yaml', bomb),
      write('unresolved.yaml', 'id: *nope\n'),
      write('binary.yaml', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00])),
      write('latin1.yaml', Buffer.from('title: caf\xe9\n', 'latin1')),
      write('deep.yaml', `steps: ${'['.repeat(50_000)}\n`),
      write('huge.yaml', Buffer.alloc(10 * 1024 * 1024, 'k: v\n')),
    ];
    const started = performance.now();
    const r = cli(['validate', ...files]);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(STACK);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(files.length);
    files.forEach((file, i) => expect(lines[i]).toMatch(new RegExp(`^${escape(file)}:\\d+:\\d+: \\((yaml|file)\\): `)));
  });

  it('validate: control characters a file quotes are shown escaped', () => {
    const file = write('escape.yaml', ['id: e', 'title: E', 'concept: retries', 'summary: s', 'topology: { kind: active-active }', 'steps:', '  - say: hi', '"\\e]0;pwned\\a": 1'].join('\n'));
    const r = cli(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain(ESC);
    expect(r.stderr).toContain('\\x1b]0;pwned\\x07: Unrecognized key');
  });

  it('serve --fleet: a replica that is missing, itself, a command node or not a standby is exit 2 with FILE:LINE:COL, never a stack trace', () => {
    const fleets = [
      ['nodes:', '  - id: kv1', '    server: { replicas: [ghost] }'],
      ['nodes:', '  - id: kv1', '    server: { replicas: [kv1] }'],
      ['nodes:', '  - id: kv1', '    server: { replicas: [web] }', '  - id: web', '    kind: command', '    command: python3'],
      ['nodes:', '  - id: kv1', '    server: { replicas: [kv2] }', '  - id: kv2'],
    ];
    fleets.forEach((lines, i) => {
      const file = write(`fleet-${i}.yaml`, lines.join('\n'));
      const r = cli(['serve', '--fleet', file, '--port', '0']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).not.toMatch(STACK);
      expect(r.stderr).toMatch(new RegExp(`^${escape(file)}:3:26: nodes\\.0\\.server\\.replicas\\.0: `));
    });
  });

  it('drills: a user drill whose title says \\e]0;pwned\\a and \\e[2J reaches the list without them', () => {
    writeFileSync(
      join(dir, 'user-drills', 'loud.yaml'),
      ['id: loud', 'title: "Loud \\e]0;pwned\\a drill \\e[2J"', 'concept: retries', 'summary: s', 'topology: { kind: active-active }', 'steps:', '  - say: hi'].join('\n'),
    );
    const r = cli(['drills']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^loud\s+retries\s+0 s\s+Loud {2}drill $/m);
    expect(r.stdout).not.toContain(ESC);
  });

  it('run, headless: says what the drill will do before it starts, and its narration reaches stdout without escape sequences', () => {
    const file = write(
      'narrated.yaml',
      [
        'id: narrated',
        'title: "Narrated \\e]0;pwned\\a"',
        'concept: active-active',
        'summary: s',
        'topology: { kind: active-active, nodes: 2 }',
        'traffic: { rate: 40 }',
        'steps:',
        '  - say: "Hello \\e]0;pwned\\a there \\e[2J\\e[31mred\\u202e"',
        '  - predict: { question: "Which \\e[2J one?", options: ["a \\e[1m", b] }',
        '  - wait: 200',
      ].join('\n'),
    );
    const r = cli(['run', file, '--auto', '--profile', 'short', '--format', 'json'], 60_000);
    expect(r.stderr).not.toMatch(STACK);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^narrated will run 2 nodes \(active-active\) on this machine; traffic up to 40 req\/s, 64 B values, 20 % writes, for up to 0.2 s \(at most 8 requests\)$/);
    expect(lines[1]).toBe('Faults: none');
    expect(r.stdout).toContain('Hello  there red');
    expect(r.stdout).toContain('Which  one?');
    expect(r.stdout).not.toContain(ESC);
    expect(r.stdout).not.toContain('\u202e');
  });

  it('run on a terminal: a heavy drill from a file waits for a yes, and no is no', () => {
    if (spawnSync('script', ['--version']).status !== 0) return; // util-linux's script gives the CLI a terminal
    const file = write('heavy.yaml', ['id: heavy', 'title: Heavy', 'concept: overload', 'summary: s', 'topology: { kind: active-active }', 'traffic: { rate: 800 }', 'steps:', '  - wait: 30000'].join('\n'));
    const r = spawnSync('script', ['-qec', `${process.execPath} ${cliEntry} run ${file}`, '/dev/null'], { input: 'n\n', encoding: 'utf8', timeout: 20_000, env: { ...process.env, FIREDRILL_RUN_DIR: join(dir, 'runs') } });
    expect(r.stdout).toMatch(/heavy will run 3 nodes \(active-active\) on this machine; traffic up to 800 req\/s/);
    expect(r.stdout).toMatch(/asks for more than a modest load\. Run it\? \[y\/N\]/);
    expect(r.stdout).toMatch(/Not run\./);
    expect(r.status).toBe(1);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
