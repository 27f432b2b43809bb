import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { STATUS_CODES, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer } from 'ws';
import { ContractError, fromWebSocket, type ContractErrorBody, httpStatusFor, toErrorBody, type ContractHost, type WebSocketLike } from '../../shared/contract/index.js';

const MAX_BODY_BYTES = 1 << 20;

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

export interface WebHostOptions {
  host: ContractHost;
  /** 0 picks a free port. */
  port?: number;
  /** The built renderer; static files are served from here when it exists. */
  staticDir?: string;
  token?: string;
  /** Prometheus text exposition, served at GET /metrics (token required, like every API call). */
  metrics?: () => Promise<{ contentType: string; body: string }>;
}

export interface WebHost {
  readonly port: number;
  readonly token: string;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The lab over HTTP on 127.0.0.1 only: the contract as REST + one WebSocket, and the renderer's files.
 * Every API call needs the per-start token; a foreign Host or Origin is refused (DNS rebinding, CSRF).
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const server = createServer();
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES });
  let port = 0;

  const allowedHosts = (): string[] => [`127.0.0.1:${port}`, `localhost:${port}`];
  const allowedOrigins = (): string[] => allowedHosts().map((h) => `http://${h}`);

  /** Host/Origin/token checks shared by HTTP and the WebSocket upgrade; returns the refusal, if any. */
  const refuse = (req: IncomingMessage, needsToken: boolean): ContractErrorBody | undefined => {
    if (!allowedHosts().includes(req.headers.host ?? '')) return { code: 'forbidden', message: `Host "${req.headers.host ?? ''}" is not this lab`, field: 'host' };
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().includes(origin)) return { code: 'forbidden', message: `Origin "${origin}" is not this lab`, field: 'origin' };
    if (needsToken && !hasToken(req, token)) return { code: 'unauthorized', message: 'missing or wrong token (Authorization: Bearer TOKEN or ?token=TOKEN)', field: 'token' };
    return undefined;
  };

  server.on('request', (req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, toErrorBody(error));
      else res.destroy();
    });
  });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const isApi = url.pathname.startsWith('/api/') || url.pathname === '/metrics';
    const refusal = refuse(req, isApi);
    if (refusal) return sendError(res, httpStatusFor(refusal.code), refusal);

    if (url.pathname === '/metrics' && req.method === 'GET' && options.metrics) {
      const { contentType, body } = await options.metrics();
      res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
      res.end(body);
      return;
    }
    if (url.pathname === '/api/state' && req.method === 'GET') {
      return sendJson(res, 200, await options.host.call('lab.state', {}));
    }
    const command = /^\/api\/commands\/([a-z]+\.[a-z-]+)$/.exec(url.pathname);
    if (command && req.method === 'POST') {
      try {
        const body = await readJsonBody(req);
        return sendJson(res, 200, await options.host.call(command[1] as string, body));
      } catch (error) {
        const body = toErrorBody(error);
        return sendError(res, httpStatusFor(body.code), body);
      }
    }
    if (isApi) return sendError(res, 404, { code: 'unknown-command', message: `no such endpoint: ${req.method} ${url.pathname}`, field: 'path' });
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, { code: 'invalid-params', message: 'method not allowed', field: 'method' });
    return serveStatic(res, options.staticDir, url.pathname);
  };

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const refusal: ContractErrorBody | undefined = url.pathname === '/api/events' ? refuse(req, true) : { code: 'not-found', message: 'not found', field: 'path' };
    if (refusal) {
      const status = httpStatusFor(refusal.code);
      socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => {
      const end = options.host.connect(fromWebSocket(ws as unknown as WebSocketLike));
      ws.once('close', end);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    port,
    token,
    url: `http://127.0.0.1:${port}/?token=${token}`,
    close: () => closeServer(server, sockets),
  };
}

function hasToken(req: IncomingMessage, token: string): boolean {
  const auth = req.headers.authorization;
  const fromHeader = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
  const fromQuery = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('token') ?? undefined;
  const given = fromHeader ?? fromQuery;
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ContractError({ code: 'invalid-params', message: `body: larger than ${MAX_BODY_BYTES} bytes`, field: 'body' });
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ContractError({ code: 'invalid-params', message: `body: not JSON (${(error as Error).message})`, field: 'body' });
  }
}

async function serveStatic(res: ServerResponse, dir: string | undefined, pathname: string): Promise<void> {
  if (!dir) return sendError(res, 404, { code: 'not-found', message: 'no renderer is built (npm run build:renderer)', field: 'path' });
  let relative: string;
  try {
    relative = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
  } catch {
    return sendError(res, 400, { code: 'invalid-params', message: 'bad path', field: 'path' });
  }
  if (relative === '' || relative.endsWith(sep)) relative = join(relative, 'index.html');
  const file = join(dir, relative);
  if (!file.startsWith(dir + sep)) return sendError(res, 404, { code: 'not-found', message: 'not found', field: 'path' });
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) return sendError(res, 404, { code: 'not-found', message: `not found: ${pathname}`, field: 'path' });
  res.writeHead(200, {
    'content-type': contentTypes[extname(file)] ?? 'application/octet-stream',
    'content-length': info.size,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  createReadStream(file).pipe(res);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, error: ContractErrorBody): void {
  sendJson(res, status, { error });
}

async function closeServer(server: Server, sockets: WebSocketServer): Promise<void> {
  for (const client of sockets.clients) client.terminate();
  await new Promise<void>((resolve) => sockets.close(() => resolve()));
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
