// The desktop app's app:// handler as plain functions over real files (no Electron here).
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_INDEX_URL, appContentSecurityPolicy, isAppPage, resolveAppPath, serveAppRequest } from '../../../electron/main/app-protocol.js';
import { makeTempDir, removeDir } from '../../support/temp.js';

/** Directive name -> its sources. */
function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name, ...sources]) => [name as string, sources]),
  );
}

/** What any policy of ours must hold: no eval, no remote origins, no wildcards, scripts from the app only. */
function expectStrict(policy: string): Map<string, string[]> {
  const parsed = directives(policy);
  const sources = [...parsed.values()].flat();
  expect(sources).not.toContain("'unsafe-eval'");
  expect(sources).not.toContain("'wasm-unsafe-eval'");
  expect(sources.filter((s) => s.includes('*'))).toEqual([]);
  expect(sources.filter((s) => /^(https?|wss?):/.test(s))).toEqual([]);
  expect(parsed.get('script-src')).toEqual(["'self'"]);
  expect(parsed.get('object-src')).toEqual(["'none'"]);
  expect(parsed.get('base-uri')).toEqual(["'none'"]);
  return parsed;
}

describe('app:// path resolution', () => {
  const root = '/srv/app/renderer';
  const file = (url: string) => resolveAppPath(url, root);

  it('maps the origin to index.html and paths under it to files, ignoring query and hash', () => {
    expect(file('app://firedrill/')).toEqual({ ok: true, file: `${root}/index.html` });
    expect(file('app://firedrill')).toEqual({ ok: true, file: `${root}/index.html` });
    expect(file('app://firedrill/index.html?x=1#lab')).toEqual({ ok: true, file: `${root}/index.html` });
    expect(file('app://firedrill/assets/index-abc.js')).toEqual({ ok: true, file: `${root}/assets/index-abc.js` });
    expect(file('app://firedrill/assets/a%20b.css')).toEqual({ ok: true, file: `${root}/assets/a b.css` });
  });

  it('never leaves the renderer folder, however the path is spelled', () => {
    for (const url of [
      'app://firedrill/..%2f..%2f..%2fetc%2fpasswd',
      'app://firedrill/assets/..%2F..%2Fsecret',
      'app://firedrill/%2e%2e%5c%2e%2e%5csecret',
      'app://firedrill/assets%5c..%5c..%5csecret',
      'app://firedrill/index.html%00.js',
      'app://firedrill/%E0%A4%A',
    ]) {
      const resolved = file(url);
      expect(resolved.ok, url).toBe(false);
      expect(resolved, url).toMatchObject({ status: 400 });
    }
    // The URL parser folds plain dot segments before we see them: what is left stays under the root.
    for (const url of ['app://firedrill/../../etc/passwd', 'app://firedrill/assets/../../../etc/passwd', 'app://firedrill/%2e%2e/%2e%2e/etc/passwd']) {
      const resolved = file(url);
      expect(resolved.ok && resolved.file.startsWith(`${root}/`), url).toBe(true);
    }
  });

  it('answers only its own origin', () => {
    expect(file('app://elsewhere/index.html')).toMatchObject({ ok: false, status: 404 });
    expect(file('file:///srv/app/renderer/index.html')).toMatchObject({ ok: false, status: 404 });
    expect(file('https://firedrill/index.html')).toMatchObject({ ok: false, status: 404 });
    expect(file('not a url')).toMatchObject({ ok: false, status: 400 });
  });
});

describe('app:// handler (real files)', () => {
  let dir: string;
  let root: string;
  const get = (path: string, method = 'GET') => serveAppRequest(new Request(`app://firedrill${path}`, { method }), root);

  beforeAll(async () => {
    dir = await makeTempDir('fd-app-protocol-');
    root = join(dir, 'renderer');
    await mkdir(join(root, 'assets', 'sub'), { recursive: true });
    await writeFile(join(root, 'index.html'), '<!doctype html><title>Firedrill</title>');
    await writeFile(join(root, 'assets', 'index.js'), 'console.log(1)');
    await writeFile(join(dir, 'secret.txt'), 'TOP SECRET');
    await symlink(join(dir, 'secret.txt'), join(root, 'assets', 'leak.txt'));
  });
  afterAll(() => removeDir(dir));

  it('serves the page with its CSP, the right type, and no sniffing', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(appContentSecurityPolicy());
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toBe('<!doctype html><title>Firedrill</title>');
    const script = await get('/assets/index.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe('console.log(1)');
    const head = await get('/assets/index.js', 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('refuses what is not a file of the app, and never shows a byte of anything else', async () => {
    const cases: Array<[string, string, number]> = [
      ['/missing.js', 'GET', 404],
      ['/assets', 'GET', 404], // a folder
      ['/assets/sub/', 'GET', 404],
      ['/assets/leak.txt', 'GET', 404], // a symlink out of the folder
      ['/%2e%2e/secret.txt', 'GET', 404], // folded by the URL parser to /secret.txt, under the root: not there
      ['/..%2fsecret.txt', 'GET', 400],
      ['/index.html', 'POST', 405],
      ['/index.html', 'DELETE', 405],
    ];
    for (const [path, method, status] of cases) {
      const res = await get(path, method);
      const body = await res.text();
      expect(res.status, `${method} ${path}`).toBe(status);
      expect(body, `${method} ${path}`).not.toContain('SECRET');
      expect(body, `${method} ${path}`).not.toContain(dir); // no paths in refusals
    }
  });
});

describe('content security policies', () => {
  it("the app:// header: nothing remote, no eval, no connections (IPC only), never framed", () => {
    const policy = expectStrict(appContentSecurityPolicy());
    expect(policy.get('connect-src')).toEqual(["'none'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy.get('form-action')).toEqual(["'none'"]);
  });

  it("index.html's own policy (the web host's): nothing remote, no eval, connections to its own origin only", async () => {
    const html = await readFile(new URL('../../../renderer/index.html', import.meta.url), 'utf8');
    const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBeDefined();
    const policy = expectStrict(meta as string);
    expect(policy.get('connect-src')).toEqual(["'self'"]);
    expect(policy.has('frame-ancestors')).toBe(false); // ignored in a <meta>: the header says it
  });
});

describe('which page may speak to the engine', () => {
  it('is the app page at app://firedrill/, with any hash or query, and nothing else', () => {
    expect(isAppPage(APP_INDEX_URL)).toBe(true);
    expect(isAppPage('app://firedrill/')).toBe(true);
    expect(isAppPage('app://firedrill/index.html#drills')).toBe(true);
    expect(isAppPage('app://firedrill/assets/index.js')).toBe(false);
    expect(isAppPage('app://evil/index.html')).toBe(false);
    expect(isAppPage('file:///opt/Firedrill/resources/app.asar/out/renderer/index.html')).toBe(false);
    expect(isAppPage('http://127.0.0.1:8080/')).toBe(false);
    expect(isAppPage('about:blank')).toBe(false);
  });
});
