import { promises as fs } from 'node:fs';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { CustomScheme } from 'electron';

/**
 * The desktop app's own origin: the built renderer served from app://firedrill/ by a handler
 * that reads only files under the renderer folder, with a Content-Security-Policy of its own -
 * not file://, whose pages get more than a web page does (Electron security checklist, 18).
 * Everything here is plain Node and Fetch API, so it is tested without Electron.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'firedrill';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/** Standard (relative URLs, an origin of its own), secure (like https), fetchable (ES modules); nothing that bypasses the CSP. */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
};

/**
 * The window's policy. It adds to the `<meta>` policy in index.html (the page obeys both): no
 * remote origin anywhere, no eval, no plugins, no `<base>`, no forms, never framed, and no
 * connections at all - in the desktop app the page talks to the engine over IPC only. Inline
 * styles stay allowed: the report viewer's sandboxed srcdoc frame is a self-contained page.
 */
export function appContentSecurityPolicy(): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'none'",
    "worker-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export type AppPath = { ok: true; file: string } | { ok: false; status: 400 | 404; reason: string };

/**
 * The file under `root` an app:// URL names, or why there is none. Refused: another scheme or
 * host, bad percent-encoding, NUL or backslash, any `.`/`..` segment left after decoding (e.g.
 * `%2e%2e%2f`), and anything that resolves outside `root`. `/` is index.html; query and hash are ignored.
 */
export function resolveAppPath(requestUrl: string, root: string): AppPath {
  if (!URL.canParse(requestUrl)) return { ok: false, status: 400, reason: 'not a URL' };
  const url = new URL(requestUrl);
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return { ok: false, status: 404, reason: `not ${APP_ORIGIN}` };
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return { ok: false, status: 400, reason: 'bad percent-encoding' };
  }
  if (path.includes('\0') || path.includes('\\')) return { ok: false, status: 400, reason: 'NUL or backslash in the path' };
  const segments = path.split('/').filter((segment) => segment !== '');
  if (segments.some((segment) => segment === '.' || segment === '..')) return { ok: false, status: 400, reason: 'dot segment in the path' };
  const base = resolve(root);
  const file = resolve(base, ...(segments.length === 0 ? ['index.html'] : segments));
  if (!isInside(base, file)) return { ok: false, status: 400, reason: 'outside the app' };
  return { ok: true, file };
}

/** `target` is strictly below `base` (not `base` itself). */
function isInside(base: string, target: string): boolean {
  const inside = relative(base, target);
  return inside !== '' && inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside);
}

function refusal(status: number, reason: string): Response {
  return new Response(`${status} ${reason}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' } });
}

/**
 * The protocol handler: GET or HEAD of a regular file under `root` (symlinks that lead out are
 * refused too), with the app's CSP and no sniffing; 400/404/405 otherwise, never a path in the body.
 */
export async function serveAppRequest(request: Request, root: string): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return refusal(405, 'method not allowed');
  const path = resolveAppPath(request.url, root);
  if (!path.ok) return refusal(path.status, path.reason);
  let body: Buffer;
  try {
    const [realRoot, realFile] = await Promise.all([fs.realpath(root), fs.realpath(path.file)]);
    if (!isInside(realRoot, realFile)) return refusal(404, 'not found');
    if (!(await fs.stat(realFile)).isFile()) return refusal(404, 'not found');
    body = await fs.readFile(realFile);
  } catch {
    return refusal(404, 'not found');
  }
  const headers = {
    'content-type': CONTENT_TYPES[extname(path.file).toLowerCase()] ?? 'application/octet-stream',
    'content-security-policy': appContentSecurityPolicy(),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
  };
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers });
}

/** The app's own page (any hash or query): the only page whose IPC messages reach the engine. */
export function isAppPage(pageUrl: string): boolean {
  if (!URL.canParse(pageUrl)) return false;
  const url = new URL(pageUrl);
  return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST && (url.pathname === '/' || url.pathname === '/index.html');
}
