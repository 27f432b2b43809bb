// A tiny in-process HTTP upstream for balancer tests: answers with its id, with knobs for
// delay, status, readiness, dropped sockets and hangs. 127.0.0.1 only.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface EchoUpstreamOptions {
  id: string;
  /** 0 = a free port. */
  port?: number;
  /** Added before every answer (not /readyz), ms. */
  delayMs?: number;
  /** Status of every answer (not /readyz). */
  status?: number;
  /** What /readyz answers: 200 when true, 503 when false. */
  ready?: boolean;
  /** Destroy the socket on receipt instead of answering (a reset seen after the request was sent). */
  dropConnections?: boolean;
  /** Never answer (not /readyz unless `hangReadyz`). */
  hang?: boolean;
  hangReadyz?: boolean;
  /** Extra headers on every answer (not /readyz). */
  headers?: Record<string, string>;
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  bodyBytes: number;
}

/**
 * Routes: `/readyz`; `/echo` answers JSON of what it saw (method, url, headers, body length); `/empty` an empty body;
 * `/bytes/N` streams N bytes (i % 251) in 64 KiB chunks; anything else answers the id as text.
 */
export class EchoUpstream {
  readonly id: string;
  port = 0;
  delayMs: number;
  status: number;
  ready: boolean;
  dropConnections: boolean;
  hang: boolean;
  hangReadyz: boolean;
  headers: Record<string, string>;
  /** Requests answered or dropped, /readyz excluded. */
  hits = 0;
  inflight = 0;
  maxInflight = 0;
  readonly seen: SeenRequest[] = [];
  /** Keep the last `seen` entries only. */
  keepSeen = 50;
  private server: http.Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly hung = new Set<http.ServerResponse>();

  constructor(options: EchoUpstreamOptions) {
    this.id = options.id;
    this.port = options.port ?? 0;
    this.delayMs = options.delayMs ?? 0;
    this.status = options.status ?? 200;
    this.ready = options.ready ?? true;
    this.dropConnections = options.dropConnections ?? false;
    this.hang = options.hang ?? false;
    this.hangReadyz = options.hangReadyz ?? false;
    this.headers = options.headers ?? {};
  }

  static async start(options: EchoUpstreamOptions): Promise<EchoUpstream> {
    const upstream = new EchoUpstream(options);
    await upstream.listen();
    return upstream;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** (Re)binds, on the same port after the first time. */
  listen(): Promise<void> {
    const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => this.serve(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        this.port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  /** Stops listening and drops every connection: new connections are refused. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const res of this.hung) res.destroy();
    this.hung.clear();
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '/';
    if (url === '/readyz') {
      if (this.hangReadyz) return void this.hung.add(res);
      req.resume();
      res.writeHead(this.ready ? 200 : 503, { 'content-type': 'text/plain' }).end(this.ready ? 'ready' : 'not ready');
      return;
    }
    this.hits++;
    if (this.dropConnections) {
      req.socket.destroy();
      return;
    }
    if (this.hang) return void this.hung.add(res);
    this.inflight++;
    this.maxInflight = Math.max(this.maxInflight, this.inflight);
    let bodyBytes = 0;
    req.on('data', (chunk: Buffer) => (bodyBytes += chunk.length));
    req.on('end', () => {
      const seen: SeenRequest = { method: req.method ?? '', url, headers: req.headers, rawHeaders: req.rawHeaders, bodyBytes };
      this.seen.push(seen);
      if (this.seen.length > this.keepSeen) this.seen.shift();
      const answer = (): void => {
        this.inflight--;
        this.answer(url, seen, res);
      };
      if (this.delayMs > 0) setTimeout(answer, this.delayMs);
      else answer();
    });
  }

  private answer(url: string, seen: SeenRequest, res: http.ServerResponse): void {
    const common = { ...this.headers, 'x-upstream-id': this.id };
    if (url === '/echo') {
      const body = JSON.stringify({ id: this.id, method: seen.method, url: seen.url, headers: seen.headers, rawHeaders: seen.rawHeaders, bodyBytes: seen.bodyBytes });
      res.writeHead(this.status, { ...common, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
      return;
    }
    if (url === '/empty') {
      res.writeHead(this.status, { ...common, 'content-length': 0 }).end();
      return;
    }
    const bytes = /^\/bytes\/(\d+)$/.exec(url);
    if (bytes) {
      let left = Number(bytes[1]);
      res.writeHead(this.status, { ...common, 'content-type': 'application/octet-stream' });
      let offset = 0;
      const pump = (): void => {
        while (left > 0) {
          const n = Math.min(left, 64 * 1024);
          const chunk = Buffer.allocUnsafe(n);
          for (let i = 0; i < n; i++) chunk[i] = (offset + i) % 251;
          offset += n;
          left -= n;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
      return;
    }
    res.writeHead(this.status, { ...common, 'content-type': 'text/plain' }).end(this.id);
  }
}
