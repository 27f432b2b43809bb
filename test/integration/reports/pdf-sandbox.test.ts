// PDF export through Chromium: with its sandbox wherever it can run with one, saying so in one
// line where it cannot, and never a request out of the page. Real Chromium (Debian's), real
// files, a real HTTP server as the would-be target; a wrapper script records Chromium's flags.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium, printPdf } from '../../../electron/engine/report-store/pdf.js';
import { makeTempDir, removeDir } from '../../support/temp.js';
import { sleep } from '../../../shared/sleep.js';

const chromium = findChromium();
const isRoot = process.getuid?.() === 0;
const SETPRIV = '/usr/bin/setpriv';
const NOBODY = 65534;
const fixture = fileURLToPath(new URL('./fixtures/print-pdf.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

describe.skipIf(!chromium)(`PDF export through Chromium (${chromium ?? 'no Chromium: skipped'})`, () => {
  let dir: string;
  let wrapper: string;
  let launches: string;
  let n = 0;

  /** Chromium's command lines so far, one per launch. */
  const recorded = (): string[][] =>
    existsSync(launches)
      ? readFileSync(launches, 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((line) => line.split(' '))
      : [];

  beforeAll(async () => {
    dir = await makeTempDir('fd-pdf-sandbox-');
    chmodSync(dir, 0o777); // the nobody test writes here
    launches = join(dir, 'launches.log');
    wrapper = join(dir, 'chromium');
    await writeFile(wrapper, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${launches}'\nexec '${chromium}' "$@"\n`);
    chmodSync(wrapper, 0o755);
  });
  afterAll(() => removeDir(dir));

  const env = () => ({ ...process.env, FIREDRILL_CHROMIUM: wrapper });
  const out = () => join(dir, `out-${++n}.pdf`);
  const isPdf = (file: string) => readFileSync(file).subarray(0, 5).toString() === '%PDF-';
  const report = '<!doctype html><meta charset="utf-8"><title>r</title><h1>Drill report</h1><p>lost writes: 0</p>';

  it('as this user: sandboxed when not root; as root, without it and saying so once, in one line', async () => {
    await writeFile(launches, '');
    const said: string[] = [];
    const file = out();
    const outcome = await printPdf(report, file, env(), { say: (line) => said.push(line) });
    expect(isPdf(file)).toBe(true);
    const [first, ...retries] = recorded();
    if (isRoot) {
      expect(outcome).toMatchObject({ sandboxed: false });
      expect(first).toContain('--no-sandbox');
      expect(said).toEqual([outcome.note]);
      expect(said[0]).toMatch(/^PDF printed without Chromium's sandbox: Chromium does not run its sandbox as root; /);
      expect(said[0]).not.toContain('\n');
    } else if (outcome.sandboxed) {
      expect(first).not.toContain('--no-sandbox');
      expect(said).toEqual([]);
    } else {
      expect(first).not.toContain('--no-sandbox'); // tried with it first
      expect(retries[0]).toContain('--no-sandbox');
      expect(said[0]).toMatch(/no usable sandbox/i);
    }
  });

  it.skipIf(!isRoot)('tries the sandbox first, and when Chromium refuses it, prints without and names the refusal', async () => {
    // As root, claiming another uid: Chromium itself refuses the sandbox - a real refusal to fall back from.
    await writeFile(launches, '');
    const said: string[] = [];
    const file = out();
    const outcome = await printPdf(report, file, env(), { uid: 1000, say: (line) => said.push(line) });
    expect(isPdf(file)).toBe(true);
    const lines = recorded();
    expect(lines).toHaveLength(2);
    expect(lines[0]).not.toContain('--no-sandbox');
    expect(lines[1]).toContain('--no-sandbox');
    expect(outcome.sandboxed).toBe(false);
    expect(said).toEqual([outcome.note]);
    expect(said[0]).toContain('Chromium has no usable sandbox here (Running as root without --no-sandbox is not supported');
  });

  it.skipIf(!isRoot || !existsSync(SETPRIV))('as an ordinary user (nobody, via setpriv), Chromium prints with its sandbox', async () => {
    await writeFile(launches, '');
    chmodSync(launches, 0o666);
    const html = join(dir, 'report.html');
    await writeFile(html, report);
    const file = join(dir, 'as-nobody.pdf');
    const home = join(dir, 'home');
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(
        SETPRIV,
        [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', 'env', `HOME=${home}`, `FIREDRILL_CHROMIUM=${wrapper}`, process.execPath, '--import', 'tsx', fixture, html, file],
        { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
    expect(result.code, result.stderr).toBe(0);
    const outcome = JSON.parse(result.stdout) as { sandboxed: boolean; said: string[]; uid: number };
    expect(outcome).toMatchObject({ uid: NOBODY, sandboxed: true, said: [] });
    expect(recorded()).toHaveLength(1);
    expect(recorded()[0]).not.toContain('--no-sandbox');
    expect(isPdf(file)).toBe(true);
    expect(execFileSync('stat', ['-c', '%u', file], { encoding: 'utf8' }).trim()).toBe(String(NOBODY));
  });

  describe('the page gets no network', () => {
    let server: Server;
    let hits: string[];
    let base: string;
    beforeAll(async () => {
      hits = [];
      server = createServer((req, res) => {
        hits.push(req.url ?? '');
        res.end('x');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));

    it('whatever the HTML asks for: images, styles, imports, fonts, frames, a refresh, a prefetch, scripts', async () => {
      const greedy = `<!doctype html><html><head>
        <meta http-equiv="refresh" content="0;url=${base}/refresh">
        <link rel="stylesheet" href="${base}/style.css"><link rel="prefetch" href="${base}/prefetch"><link rel="icon" href="${base}/favicon.ico">
        <style>@import url("${base}/import.css"); @font-face { font-family: f; src: url("${base}/font.woff2"); } body { font-family: f; background: url("${base}/bg.png"); }</style>
        <script src="${base}/script.js"></script></head>
        <body><img src="${base}/img.png"><iframe src="${base}/frame"></iframe><object data="${base}/object"></object><video src="${base}/video" autoplay></video>
        <p>report</p></body></html>`;
      const file = out();
      await printPdf(greedy, file, env(), { say: () => undefined });
      expect(isPdf(file)).toBe(true);
      await sleep(200);
      expect(hits).toEqual([]);
    });
  });
});
