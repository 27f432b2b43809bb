// Toxiproxy's HTTP API on 127.0.0.1, with the web host's guards: loopback only, a foreign Host or
// Origin refused (DNS rebinding, CSRF), bodies capped, and the lab's bearer token when asked for.
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listenOnLoopback } from '../listen-loopback.js';
import { printable } from './addresses.js';
import { ToxiproxyError, asToxiproxyError, badBody } from './errors.js';
import type { ToxiproxyApi } from './toxiproxy-api.js';

/** Toxiproxy's bodies are a proxy or a toxic, or a populate list: 64 KiB is room for hundreds. */
export const MAX_BODY_BYTES = 64 * 1024;
const MAX_CONNECTIONS = 64;
/** The Toxiproxy API version whose behaviour this follows (clients may read it from GET /version). */
export const TOXIPROXY_API_VERSION = '2.12.0';

export interface ToxiproxyServerOptions {
  api: ToxiproxyApi;
  /** 0 (default) picks a free port; Toxiproxy's own default is 8474. */
  port?: number;
  /** When set, every request needs `Authorization: Bearer TOKEN` (Toxiproxy itself has no auth). */
  token?: string;
  /** Shown by GET /version next to the API version. */
  labVersion?: string;
  /** Headers and body must arrive within this (default 10 s). */
  requestTimeoutMs?: number;
}

export interface ToxiproxyServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

type Route = (params: string[], body: unknown) => Promise<{ status: number; body?: unknown }>;
interface RouteEntry {
  method: string[];
  path: RegExp;
  run: Route;
}
/** Who may call: a request naming this port in its Host (and Origin), with the token when one was set. */
interface Guard {
  port: number;
  token: string | undefined;
}

export async function startToxiproxyServer(options: ToxiproxyServerOptions): Promise<ToxiproxyServer> {
  const requestTimeout = options.requestTimeoutMs ?? 10_000;
  const server = createServer({ requestTimeout, headersTimeout: Math.min(requestTimeout, 10_000), connectionsCheckingInterval: Math.min(1_000, requestTimeout) });
  server.maxConnections = MAX_CONNECTIONS;
  const routes = toxiproxyRoutes(options.api, options.labVersion);
  const guard: Guard = { port: 0, token: options.token };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void handle(routes, guard, req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, asToxiproxyError(error).body(), true);
      else res.destroy();
    });
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  guard.port = await listenOnLoopback(server, options.port ?? 0);
  return {
    port: guard.port,
    url: `http://127.0.0.1:${guard.port}`,
    close: () => closeServer(server),
  };
}

/** Toxiproxy's endpoints, each run through the API's queue (`api.run`). */
function toxiproxyRoutes(api: ToxiproxyApi, labVersion: string | undefined): RouteEntry[] {
  const ok = (body: unknown, status = 200) => ({ status, body });
  return [
    { method: ['GET'], path: /^\/version$/, run: async () => ok({ version: TOXIPROXY_API_VERSION, firedrill: labVersion ?? null }) },
    { method: ['POST'], path: /^\/reset$/, run: async () => (await api.run(() => api.reset()), { status: 204 }) },
    { method: ['POST'], path: /^\/populate$/, run: async (_, body) => ok(await api.run(() => api.populate(body)), 201) },
    { method: ['GET'], path: /^\/proxies$/, run: async () => ok(await api.run(() => api.proxies())) },
    { method: ['POST'], path: /^\/proxies$/, run: async (_, body) => ok(await api.run(() => api.createProxy(body)), 201) },
    { method: ['GET'], path: /^\/proxies\/([^/]+)$/, run: async ([p]) => ok(await api.run(() => api.proxy(p as string))) },
    { method: ['POST', 'PATCH'], path: /^\/proxies\/([^/]+)$/, run: async ([p], body) => ok(await api.run(() => api.updateProxy(p as string, body))) },
    { method: ['DELETE'], path: /^\/proxies\/([^/]+)$/, run: async ([p]) => (await api.run(() => api.deleteProxy(p as string)), { status: 204 }) },
    { method: ['GET'], path: /^\/proxies\/([^/]+)\/toxics$/, run: async ([p]) => ok(await api.run(() => api.toxics(p as string))) },
    { method: ['POST'], path: /^\/proxies\/([^/]+)\/toxics$/, run: async ([p], body) => ok(await api.run(() => api.createToxic(p as string, body))) },
    { method: ['GET'], path: /^\/proxies\/([^/]+)\/toxics\/([^/]+)$/, run: async ([p, t]) => ok(await api.run(() => api.toxic(p as string, t as string))) },
    {
      method: ['POST', 'PATCH'],
      path: /^\/proxies\/([^/]+)\/toxics\/([^/]+)$/,
      run: async ([p, t], body) => ok(await api.run(() => api.updateToxic(p as string, t as string, body))),
    },
    { method: ['DELETE'], path: /^\/proxies\/([^/]+)\/toxics\/([^/]+)$/, run: async ([p, t]) => (await api.run(() => api.deleteToxic(p as string, t as string)), { status: 204 }) },
  ];
}

function refusal(req: IncomingMessage, guard: Guard): ToxiproxyError | undefined {
  const hosts = [`127.0.0.1:${guard.port}`, `localhost:${guard.port}`];
  if (!hosts.includes(req.headers.host ?? '')) return new ToxiproxyError(403, `Host "${printable(req.headers.host ?? '')}" is not this lab's Toxiproxy API`);
  const origin = req.headers.origin;
  if (origin !== undefined && !hosts.map((h) => `http://${h}`).includes(origin)) return new ToxiproxyError(403, `Origin "${printable(origin)}" is not this lab: browsers' pages may not drive it`);
  // Toxiproxy's own guard against pages in a browser (api.go, stopBrowsersMiddleware).
  if ((req.headers['user-agent'] ?? '').startsWith('Mozilla/')) return new ToxiproxyError(403, 'User agent not allowed');
  if (guard.token !== undefined && !bearerMatches(req.headers.authorization, guard.token)) {
    return new ToxiproxyError(401, 'missing or wrong token: this lab was started with --toxiproxy-token; send Authorization: Bearer TOKEN');
  }
  return undefined;
}

/** One request: refused, not found, the wrong method, or run by its route with its JSON body. */
async function handle(routes: RouteEntry[], guard: Guard, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const refused = refusal(req, guard);
  if (refused) return send(res, refused.status, refused.body(), true);
  const path = (req.url ?? '/').split('?')[0] as string;
  const method = req.method ?? 'GET';
  const matching = routes.map((route) => ({ route, match: route.path.exec(path) })).filter((r) => r.match !== null);
  if (matching.length === 0) return send(res, 404, new ToxiproxyError(404, `no such endpoint: ${printable(path)}`).body(), true);
  const found = matching.find((r) => r.route.method.includes(method === 'HEAD' ? 'GET' : method));
  if (!found) {
    const allow = [...new Set(matching.flatMap((r) => r.route.method))].join(', ');
    res.setHeader('allow', allow);
    return send(res, 405, new ToxiproxyError(405, `${printable(method)} ${printable(path)}: method not allowed (${allow})`).body(), true);
  }
  let params: string[];
  try {
    params = (found.match as RegExpExecArray).slice(1).map((segment) => decodeURIComponent(segment));
  } catch {
    return send(res, 400, badBody(`the path ${printable(path)} is not percent-encoded properly`).body(), true);
  }
  try {
    // Read before the request takes its turn: a slow sender holds up nobody else.
    const body = method === 'POST' || method === 'PATCH' ? await readJson(req) : undefined;
    const result = await found.route.run(params, body);
    send(res, result.status, result.body);
  } catch (error) {
    const refusedBody = asToxiproxyError(error);
    // A body left unread (too large, cut off) cannot be followed by another request on the connection.
    send(res, refusedBody.status, refusedBody.body(), error instanceof BodyTooLarge);
  }
}

class BodyTooLarge extends ToxiproxyError {}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new BodyTooLarge(413, `bad request body: ${declared} bytes, larger than ${MAX_BODY_BYTES}`);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) throw new BodyTooLarge(413, `bad request body: larger than ${MAX_BODY_BYTES} bytes`);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof ToxiproxyError) throw error;
    throw badBody(`cut off before its end (${(error as Error).message})`);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  // Toxiproxy decodes an empty body as EOF: an error for creates; clients send `{}` or nothing for /reset.
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badBody(`not JSON (${(error as Error).message})`);
  }
}

function bearerMatches(header: string | undefined, token: string): boolean {
  if (header === undefined || !header.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice(7).trim());
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function send(res: ServerResponse, status: number, body: unknown, close = false): void {
  if (close) res.shouldKeepAlive = false;
  if (body === undefined) {
    res.writeHead(status, { 'cache-control': 'no-store' });
    res.end();
    return;
  }
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
