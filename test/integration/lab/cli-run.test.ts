import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrillReport } from '../../../shared/report/model.js';
import { findChromium } from '../../../electron/engine/report-store/pdf.js';
import { cliEntry } from '../../support/cli.js';
import { makeTempDir, removeDir } from '../../support/temp.js';

// `firedrill run` as a user runs it from a script or CI: a real process, a real lab, real report files.
describe('firedrill run', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await makeTempDir('fd-cli-run-');
  });
  afterAll(() => removeDir(dir));

  const cli = (args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [cliEntry, ...args], {
        env: { ...process.env, FIREDRILL_REPORTS_DIR: join(dir, 'reports'), FIREDRILL_RUN_DIR: join(dir, 'runs'), FIREDRILL_USER_DRILLS_DIR: join(dir, 'none'), ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });

  const reportIds: string[] = [];

  it('a passing drill exits 0, prints plain lines off a terminal, and writes every format asked for', async () => {
    const r = await cli(['run', 'test/fixtures/drills/quick-pass.yaml', '--auto', '--seed', '11', '--format', 'json,html,md,junit']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\[\d+\.\d s\] step 2\/7: wait 600 ms$/m);
    expect(r.stdout).toMatch(/^ {2}pass: incident\.detected within 1000 ms of the fault: seen [\d.]+ ms after the fault \(a3\)$/m);
    expect(r.stdout).toMatch(/^PASS {2}quick-pass \(seed 11, full\)/m);
    expect(r.stdout).not.toContain('\x1b['); // no progress bar escapes in a pipe
    const json = /^ {2}json +(\S+)$/m.exec(r.stdout)?.[1] as string;
    const report = DrillReport.parse(JSON.parse(readFileSync(json, 'utf8')));
    expect(report.seed).toBe(11);
    expect(report.source).toEqual({ kind: 'file', path: 'test/fixtures/drills/quick-pass.yaml' });
    for (const name of ['report.html', 'report.md', 'junit.xml']) expect(existsSync(join(json, '..', name)), name).toBe(true);
    reportIds.push(report.id);
  });

  it('a drill built to fail exits 1 and says why, in its output and its report', async () => {
    const r = await cli(['run', 'test/fixtures/drills/breach.yaml', '--auto', '--profile', 'short']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL {2}built-to-fail/m);
    expect(r.stdout).toMatch(/hypothesis breached: error rate [\d.]+ % > 1\.00 %/);
    const md = readFileSync(/^ {2}md +(\S+)$/m.exec(r.stdout)?.[1] as string, 'utf8');
    expect(md).toMatch(/hypothesis breached/);
    reportIds.push(JSON.parse(readFileSync(/^ {2}json +(\S+)$/m.exec(r.stdout)?.[1] as string, 'utf8')).id as string);
  });

  it('report list and report compare read the history', async () => {
    const list = await cli(['report', 'list', '--json']);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { reports: Array<{ id: string }> }).reports.map((r) => r.id).sort()).toEqual([...reportIds].sort());
    const compare = await cli(['report', 'compare', ...reportIds, '--out', join(dir, 'compare.html')]);
    expect(compare.code).toBe(0);
    for (const id of reportIds) expect(compare.stdout).toContain(id);
    expect(readFileSync(join(dir, 'compare.html'), 'utf8')).toMatch(/^<!doctype html>/i);
  });

  it('report export renders a PDF through Chromium, and says clearly when there is none', async () => {
    const missing = await cli(['report', 'export', reportIds[0] as string, '--format', 'pdf'], { FIREDRILL_CHROMIUM: join(dir, 'no-such-chromium') });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^no Chromium found for PDF export \(looked at .*no-such-chromium\)/);
    if (!findChromium()) return; // the line above is what a machine without Chromium gets
    const r = await cli(['report', 'export', reportIds[0] as string, '--format', 'pdf']);
    expect(r.code).toBe(0);
    expect(readFileSync(r.stdout.trim()).subarray(0, 5).toString()).toBe('%PDF-');
  });
});
