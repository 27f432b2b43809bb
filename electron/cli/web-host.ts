import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { STATUS_CODES, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type ServerOptions } from 'ws';
import { listenOn } from '../engine/listen-loopback.js';
import {
  ContractError,
  MAX_VIEWERS,
  OPERATOR,
  type Caller,
  type CallerRole,
  fromWebSocket,
  httpStatusFor,
  toErrorBody,
  type ConnectionLimits,
  type ContractErrorBody,
  type ContractHost,
  type WebSocketLike,
} from '../../shared/contract/index.js';

const MAX_BODY_BYTES = 1 << 20;
/** WebSocket clients at once: each costs the engine a copy of every event it subscribed to. */
const MAX_WEBSOCKETS = 32;
/** Connections of any kind at once (a browser opens six per host at most, plus its WebSocket). */
const MAX_CONNECTIONS = 256;
/** How long a client that was closed has to answer the close frame before it is cut off. */
const CLOSE_HANDSHAKE_MS = 2_000;

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
  /** A request's headers and body must arrive within this (default 10 s): a client sending a byte a second is cut off with 408. */
  requestTimeoutMs?: number;
  /** Per WebSocket connection (default the contract's DEFAULT_CONNECTION_LIMITS). */
  connectionLimits?: Partial<ConnectionLimits>;
  /** Whose face this is: the operator's (default), or a classroom's read-only one, whose every client is a viewer (at most MAX_VIEWERS at once). */
  role?: CallerRole;
  /** The interface address to listen on (default 127.0.0.1). Another one only for a classroom, checked by its caller (serve's --classroom-host). */
  address?: string;
}

export interface WebHost {
  readonly port: number;
  readonly token: string;
  /** The URL to open once: it trades `?token=` for a cookie and drops the token from the address bar. */
  readonly url: string;
  /** The address it listens on. */
  readonly address: string;
  /** Bytes queued for each WebSocket client and not yet read by it. */
  clientBacklogs(): number[];
  close(): Promise<void>;
}

type Credential = 'header' | 'query' | 'cookie';

/**
 * The lab over HTTP on 127.0.0.1 only: the contract as REST + one WebSocket, and the renderer's files.
 * Every API call needs the per-start token (a bearer header, `?token=`, or the HttpOnly cookie the first
 * page load is given in exchange for `?token=`); a foreign Host or Origin is refused (DNS rebinding, CSRF).
 * No request, however malformed, gets a 5xx or takes the host down: each is answered with a 4xx naming what is wrong.
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const address = options.address ?? '127.0.0.1';
  const gate = new LabGate(options.token ?? randomBytes(24).toString('base64url'), options.role ?? 'operator', address);
  const requestTimeout = options.requestTimeoutMs ?? 10_000;
  const server = createServer({
    requestTimeout,
    headersTimeout: Math.min(requestTimeout, 10_000),
    // Node checks the two timeouts above this often (its default, 30 s, would let a slow client linger).
    connectionsCheckingInterval: Math.min(1_000, requestTimeout),
  });
  server.maxConnections = MAX_CONNECTIONS;
  // ws takes `closeTimeout` (8.19+); its types do not list it yet.
  const socketOptions: ServerOptions & { closeTimeout: number } = { noServer: true, maxPayload: MAX_BODY_BYTES, closeTimeout: CLOSE_HANDSHAKE_MS };
  const sockets = new WebSocketServer(socketOptions);

  server.on('request', (req, res) => {
    void handleRequest(options, gate, req, res).catch((error: unknown) => {
      // Every input fault is answered above with a 4xx; this is an engine bug, and still no stack trace leaves the host.
      if (!res.headersSent) sendError(res, 500, toErrorBody(error));
      else res.destroy();
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => handleUpgrade(options, gate, sockets, { req, socket, head }));
  // A handshake ws refuses (bad version, key or method): answered here, so it is never thrown.
  sockets.on('wsClientError', (error: Error, socket: Duplex, req: IncomingMessage) => {
    abortUpgrade(socket, req.method === 'GET' ? 400 : 405, { code: 'invalid-params', message: error.message, field: 'upgrade' });
  });
  sockets.on('error', ignore);

  const port = await listenOn(server, options.port ?? 0, address);
  gate.listening(port);
  return {
    port,
    address,
    token: gate.token,
    url: `http://${hostName(address)}:${port}/?token=${gate.token}`,
    clientBacklogs: () => [...sockets.clients].map((client) => client.bufferedAmount),
    close: () => closeServer(server, sockets),
  };
}

/** Who may come in: this lab's Host and Origin, and the token (its cookie named after the port, once the host listens). */
class LabGate {
  private port = 0;
  private cookieName = 'firedrill-token';
  private viewerCookieName = 'firedrill-viewer';

  constructor(
    readonly token: string,
    readonly role: CallerRole,
    private readonly address: string,
  ) {}

  listening(port: number): void {
    this.port = port;
    // Cookies ignore ports: two labs on 127.0.0.1 each need their own.
    this.cookieName = `firedrill-token-${port}`;
    this.viewerCookieName = `firedrill-viewer-${port}`;
  }

  /**
   * Who a request that passed `refuse` comes from: the operator, or a viewer named by the id its page was given
   * with its cookie (so a reload keeps its vote); a client without one gets `fallback` (a WebSocket: one per connection).
   */
  caller(req: IncomingMessage, fallback: string): Caller {
    if (this.role === 'operator') return OPERATOR;
    const id = cookieValue(req.headers.cookie, this.viewerCookieName);
    return { role: 'viewer', id: id !== undefined && /^[A-Za-z0-9_-]{8,64}$/.test(id) ? id : fallback };
  }

  private allowedHosts(): string[] {
    const loopback = [`127.0.0.1:${this.port}`, `localhost:${this.port}`];
    return this.address === '127.0.0.1' ? loopback : [`${hostName(this.address)}:${this.port}`];
  }

  /** Host/Origin/token checks shared by HTTP and the WebSocket upgrade; returns the refusal, if any. */
  refuse(req: IncomingMessage, url: URL, needsToken: boolean, upgrade = false): ContractErrorBody | undefined {
    const allowedHosts = this.allowedHosts();
    if (!allowedHosts.includes(req.headers.host ?? '')) return { code: 'forbidden', message: `Host "${req.headers.host ?? ''}" is not this lab`, field: 'host' };
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedHosts.map((h) => `http://${h}`).includes(origin)) return { code: 'forbidden', message: `Origin "${origin}" is not this lab`, field: 'origin' };
    if (!needsToken) return undefined;
    const credential = credentialOf(req, url, this.token, this.cookieName);
    if (credential === null) return { code: 'unauthorized', message: 'missing or wrong token (Authorization: Bearer TOKEN, ?token=TOKEN, or open the URL `firedrill serve` printed)', field: 'token' };
    // A cookie goes with every request the browser makes: what changes the lab must also say it comes from this lab's page.
    if (credential === 'cookie' && origin === undefined && (upgrade || (req.method !== 'GET' && req.method !== 'HEAD'))) {
      return { code: 'forbidden', message: 'a request authorised by the cookie must come from the lab page (no Origin header)', field: 'origin' };
    }
    return undefined;
  }

  /** `GET /?token=T` → 303 to `/` with the token in an HttpOnly cookie: it leaves the address bar and the history. */
  tradeTokenForCookie(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (!tokenMatches(url.searchParams.get('token') ?? '', this.token)) {
      return sendError(res, 401, { code: 'unauthorized', message: 'wrong token: open the URL `firedrill serve` printed', field: 'token' });
    }
    url.searchParams.delete('token');
    // One leading slash, so the redirect never leaves this host (`//evil.example` would).
    const location = `/${url.pathname.replace(/^\/+/, '')}${url.search}`;
    // No Secure: this is http on 127.0.0.1. SameSite=Strict and the Host/Origin checks keep other sites out.
    const cookies = [`${this.cookieName}=${this.token}; HttpOnly; SameSite=Strict; Path=/`];
    // A viewer's page is named once, so its vote is one vote however often it reloads.
    if (this.role === 'viewer' && cookieValue(req.headers.cookie, this.viewerCookieName) === undefined) {
      cookies.push(`${this.viewerCookieName}=${randomBytes(12).toString('base64url')}; HttpOnly; SameSite=Strict; Path=/`);
    }
    res.writeHead(303, {
      location,
      'set-cookie': cookies,
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'content-length': 0,
    });
    res.end();
  }
}

/** One HTTP request: /metrics, the lab's state, a command, the token traded for a cookie, or a static file. */
async function handleRequest(options: WebHostOptions, gate: LabGate, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = parseTarget(req.url);
  if (url === null) return sendError(res, 400, { code: 'invalid-params', message: `not a request target: ${printable(req.url ?? '')}`, field: 'path' });
  const isApi = url.pathname.startsWith('/api/') || url.pathname === '/metrics';
  const refusal = gate.refuse(req, url, isApi);
  if (refusal) return sendError(res, httpStatusFor(refusal.code), refusal);
  const method = req.method ?? 'GET';
  const reading = method === 'GET' || method === 'HEAD';

  const caller = gate.caller(req, `rest-${req.socket.remoteAddress ?? 'unknown'}`);
  if (url.pathname === '/metrics' && options.metrics) {
    if (!reading) return notAllowed(res, method, url.pathname, 'GET, HEAD');
    const { contentType, body } = await options.metrics();
    res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
    res.end(body);
    return;
  }
  if (url.pathname === '/api/state') {
    if (!reading) return notAllowed(res, method, url.pathname, 'GET, HEAD');
    return sendJson(res, 200, await options.host.call('lab.state', {}, caller));
  }
  if (url.pathname.startsWith('/api/commands/')) return runCommand(options.host, caller, req, res, url.pathname);
  if (isApi) return sendError(res, 404, { code: 'not-found', message: `no such endpoint: ${printable(url.pathname)}`, field: 'path' });
  if (!reading) return notAllowed(res, method, url.pathname, 'GET, HEAD');
  if (url.searchParams.has('token')) return gate.tradeTokenForCookie(req, res, url);
  return serveStatic(res, options.staticDir, url.pathname);
}

/** `POST /api/commands/domain.verb` with the params as its JSON body: the command's result, or its error with the status it maps to. */
async function runCommand(host: ContractHost, caller: Caller, req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
  const command = /^\/api\/commands\/([a-z]+\.[a-z-]+)$/.exec(pathname);
  if (!command) return sendError(res, 404, { code: 'unknown-command', message: `no such command: ${printable(pathname.slice(14))}`, field: 'name' });
  const method = req.method ?? 'GET';
  if (method !== 'POST') return notAllowed(res, method, pathname, 'POST');
  try {
    const body = await readJsonBody(req);
    return sendJson(res, 200, await host.call(command[1] as string, body, caller));
  } catch (error) {
    const body = toErrorBody(error);
    if (error instanceof BodyTooLarge) return sendError(res, 413, body, { close: true });
    return sendError(res, httpStatusFor(body.code), body);
  }
}

/** A WebSocket upgrade to /api/events: refused with a plain HTTP answer, or connected to the contract host. */
function handleUpgrade(options: WebHostOptions, gate: LabGate, sockets: WebSocketServer, { req, socket, head }: { req: IncomingMessage; socket: Duplex; head: Buffer }): void {
  // Node hands the raw socket over without its own error listener: a reset here must not be an uncaught error.
  socket.on('error', ignore);
  const url = parseTarget(req.url);
  let refusal: ContractErrorBody | undefined;
  if (url === null) refusal = { code: 'invalid-params', message: 'not a request target', field: 'path' };
  else if (url.pathname !== '/api/events') refusal = { code: 'not-found', message: 'not found', field: 'path' };
  else refusal = gate.refuse(req, url, true, true);
  const viewers = gate.role === 'viewer';
  if (!refusal && sockets.clients.size >= (viewers ? MAX_VIEWERS : MAX_WEBSOCKETS)) {
    refusal = viewers
      ? { code: 'limit-exceeded', message: `this classroom is full: at most ${MAX_VIEWERS} viewers at once`, field: 'connections' }
      : { code: 'limit-exceeded', message: `at most ${MAX_WEBSOCKETS} WebSocket clients at once`, field: 'connections' };
  }
  if (refusal) return abortUpgrade(socket, httpStatusFor(refusal.code), refusal);
  sockets.handleUpgrade(req, socket, head, (ws) => {
    // A malformed frame (unmasked, RSV bits, a reserved opcode, bad UTF-8, a bad close code, over 1 MiB) is an
    // 'error' on this socket; ws has already sent the close frame with its code (1002, 1007, 1009), so nothing is left to do.
    ws.on('error', ignore);
    const caller = gate.caller(req, `ws-${randomBytes(9).toString('base64url')}`);
    const end = options.host.connect(fromWebSocket(ws as unknown as WebSocketLike), options.connectionLimits, caller);
    ws.once('close', end);
  });
}

function ignore(): void {}

/** An address as it is written in a URL and a Host header (an IPv6 one in brackets). */
export function hostName(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

class BodyTooLarge extends ContractError {}

/**
 * The request target as a URL, or null when it is not one (`http://[`, for one, makes `new URL` throw).
 * An origin-form target is a path even when it starts with `//` (as a relative URL, `//api/state` would name a host).
 */
function parseTarget(target: string | undefined): URL | null {
  try {
    const text = target ?? '/';
    return text.startsWith('/') ? new URL(`http://127.0.0.1${text}`) : new URL(text, 'http://127.0.0.1');
  } catch {
    return null;
  }
}

function credentialOf(req: IncomingMessage, url: URL, token: string, cookieName: string): Credential | null {
  const auth = req.headers.authorization;
  if (auth !== undefined) return auth.startsWith('Bearer ') && tokenMatches(auth.slice(7).trim(), token) ? 'header' : null;
  const fromQuery = url.searchParams.get('token');
  if (fromQuery !== null) return tokenMatches(fromQuery, token) ? 'query' : null;
  const fromCookie = cookieValue(req.headers.cookie, cookieName);
  return fromCookie !== undefined && tokenMatches(fromCookie, token) ? 'cookie' : null;
}

function tokenMatches(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** For messages: control characters escaped, and long input cut. */
function printable(text: string): string {
  const cut = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  return JSON.stringify(cut).slice(1, -1);
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > MAX_BODY_BYTES) {
    throw new BodyTooLarge({ code: 'invalid-params', message: `body: ${declared} bytes, larger than ${MAX_BODY_BYTES}`, field: 'body' });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) throw new BodyTooLarge({ code: 'invalid-params', message: `body: larger than ${MAX_BODY_BYTES} bytes`, field: 'body' });
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof ContractError) throw error;
    throw new ContractError({ code: 'invalid-params', message: `body: cut off before its end (${(error as Error).message})`, field: 'body' });
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
  if (!file.startsWith(dir + sep) || file.includes('\0')) return sendError(res, 404, { code: 'not-found', message: 'not found', field: 'path' });
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) return sendError(res, 404, { code: 'not-found', message: `not found: ${printable(pathname)}`, field: 'path' });
  res.writeHead(200, {
    'content-type': contentTypes[extname(file)] ?? 'application/octet-stream',
    'content-length': info.size,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  // The file may go between stat and read (a rebuild): the response is cut, the host goes on.
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

function notAllowed(res: ServerResponse, method: string, pathname: string, allow: string): void {
  sendError(res, 405, { code: 'invalid-params', message: `${printable(method)} ${printable(pathname)}: method not allowed (${allow})`, field: 'method' }, { allow });
}

function sendJson(res: ServerResponse, status: number, body: unknown, extra: { allow?: string; close?: boolean } = {}): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' };
  if (extra.allow !== undefined) headers.allow = extra.allow;
  // A body left unread on the connection cannot be followed by another request on it.
  if (extra.close) res.shouldKeepAlive = false;
  res.writeHead(status, headers);
  res.end(text);
}

function sendError(res: ServerResponse, status: number, error: ContractErrorBody, extra: { allow?: string; close?: boolean } = {}): void {
  sendJson(res, status, { error }, extra);
}

/** Refuses an upgrade with a plain HTTP answer, and closes the socket. */
function abortUpgrade(socket: Duplex, status: number, error: ContractErrorBody): void {
  const body = JSON.stringify({ error });
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

async function closeServer(server: Server, sockets: WebSocketServer): Promise<void> {
  for (const client of sockets.clients) client.terminate();
  await new Promise<void>((resolve) => sockets.close(() => resolve()));
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
