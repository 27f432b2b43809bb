import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEntry } from '../../support/cli.js';
import { makeTempDir, removeDir } from '../../support/temp.js';

// Bad input to `firedrill run`, `drills` and `report`: one clear line, exit 2, and no lab started.
describe('firedrill run / drills / report: bad input', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await makeTempDir('fd-cli-input-');
    mkdirSync(join(dir, 'user-drills'));
  });
  afterAll(() => removeDir(dir));

  const cli = (args: string[]) => {
    const result = spawnSync(process.execPath, [cliEntry, ...args], {
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, FIREDRILL_REPORTS_DIR: join(dir, 'reports'), FIREDRILL_RUN_DIR: join(dir, 'runs'), FIREDRILL_USER_DRILLS_DIR: join(dir, 'user-drills') },
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  it('a drill file with a bad field: FILE:LINE:COL and the field, exit 2', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'id: bad\ntitle: Bad\nconcept: active-active\nsummary: s\ntopology: { kind: active-active }\nsteps:\n  - wait: 100\n  - fault: { inject: { type: kill, target: a1, attributes: { signal: SIGHUP } } }\n');
    const r = cli(['run', file, '--auto']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:8:\\d+: steps\\.1\\.fault\\.inject\\.attributes\\.signal: `));
  });

  it('a missing file, an unknown id, a bad format or seed: exit 2 naming what is wrong', () => {
    expect(cli(['run', join(dir, 'nope.yaml')])).toMatchObject({ code: 2, stderr: expect.stringContaining('nope.yaml: cannot read') });
    expect(cli(['run', 'no-such-drill'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/no drill "no-such-drill" \(built-in: /) });
    expect(cli(['run', 'test/fixtures/drills/quick-pass.yaml', '--format', 'html,docx'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--format: "docx"') });
    expect(cli(['run', 'test/fixtures/drills/quick-pass.yaml', '--seed', '-3'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--seed') });
    expect(cli(['run', 'test/fixtures/drills/quick-pass.yaml', '--profile', 'fast'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--profile') });
  });

  it('manual actions with no terminal and no --auto: exit 2, pointing at --auto', () => {
    const r = cli(['run', 'drills/examples/kill-one-of-three.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/has manual actions \(step \d+\).*pass --auto/);
  });

  it('firedrill drills lists the built-in library: at least 12 drills, every one valid', () => {
    const r = cli(['drills', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { drills, problems } = JSON.parse(r.stdout) as { drills: Array<{ id: string; concept: string; source: string }>; problems: string[] };
    expect(problems).toEqual([]);
    expect(drills.length).toBeGreaterThanOrEqual(12);
    expect(drills.every((d) => d.source === 'builtin')).toBe(true);
  });

  it('a broken user drill is listed as a problem with its line, not a crash', () => {
    writeFileSync(join(dir, 'user-drills', 'mine.yaml'), 'id: mine\ntitle: Mine\nconcept: nonsense\n');
    const r = cli(['drills']);
    expect(r.code).toBe(2);
    // Four mistakes (three fields missing, a bad concept): the first by position, and how many more.
    expect(r.stderr).toMatch(/mine\.yaml:1:1: summary: .*\(and 3 more mistakes: run firedrill validate on it\)/);
    expect(r.stdout).toMatch(/^ID\s+CONCEPT/);
  });

  it('report: an unknown report or a damaged report.json is named, exit 2', () => {
    expect(cli(['report', 'show', 'no-such-report'])).toMatchObject({ code: 2, stderr: expect.stringContaining('no report "no-such-report"') });
    const damaged = join(dir, 'reports', 'broken');
    mkdirSync(damaged, { recursive: true });
    writeFileSync(join(damaged, 'report.json'), JSON.stringify({ schema: 'firedrill.report/1', id: 'broken' }));
    const r = cli(['report', 'compare', 'broken', 'broken']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken\/report\.json: drill: /);
    expect(cli(['report', 'list'])).toMatchObject({ code: 0, stderr: expect.stringContaining('broken/report.json') });
  });
});
