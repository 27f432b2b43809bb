// The bundled server's admin endpoints as the failover controller uses them (127.0.0.1 only),
// with the lab's node secret. node:http rather than fetch: fetch loads its client on first use,
// ~100 ms inside a failover.
import http from 'node:http';
import type { ReplicationMode } from '../../../shared/contract/model';

export interface NodeAdmin {
  /** POST /admin/promote; resolves with the server's answer, rejects unless 200. */
  promote(port: number, body: { replicas?: string[]; replication?: ReplicationMode; restore?: boolean }): Promise<Record<string, unknown>>;
  /** POST /admin/config (e.g. the replicas a primary ships to). */
  configure(port: number, body: { replicas?: string[]; replication?: ReplicationMode }): Promise<Record<string, unknown>>;
  /** GET /readyz on 127.0.0.1:`port` (a node, or the fault proxy in front of it): answered 200 within `timeoutMs`. */
  ready(port: number, timeoutMs: number): Promise<boolean>;
}

export class AdminRequestError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    path: string,
  ) {
    super(`${path} answered ${status}${typeof body.error === 'string' ? ` ${body.error}` : ''}`);
  }
}

/** A warm standby's restore at promotion reads its checkpoints: allow it time. */
const PROMOTE_TIMEOUT_MS = 30_000;
const CONFIG_TIMEOUT_MS = 5_000;

/** The admin client of one lab: `secret` is the per-lab node secret its nodes were started with. */
export function httpNodeAdmin(secret: string | null): NodeAdmin {
  const headers: Record<string, string> = secret ? { authorization: `Bearer ${secret}` } : {};
  return {
    promote: (port, body) => postJson(port, '/admin/promote', body, PROMOTE_TIMEOUT_MS, headers),
    configure: (port, body) => postJson(port, '/admin/config', body, CONFIG_TIMEOUT_MS, headers),
    ready: (port, timeoutMs) => answersReady(port, timeoutMs),
  };
}

export function nodeAddress(port: number): string {
  return `127.0.0.1:${port}`;
}

function answersReady(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'GET', path: '/readyz', agent: false }, (res) => {
      res.resume();
      res.on('end', () => {
        clearTimeout(timer);
        resolve(res.statusCode === 200);
      });
      res.on('error', () => resolve(false));
    });
    const timer = setTimeout(() => req.destroy(new Error('timed out')), timeoutMs);
    req.on('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    req.end();
  });
}

function postJson(port: number, path: string, body: unknown, timeoutMs: number, headers: Record<string, string>): Promise<Record<string, unknown>> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path, agent: false, headers: { ...headers, 'content-type': 'application/json', 'content-length': payload.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          clearTimeout(timer);
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
          } catch {
            // A non-JSON answer still has a status worth reporting.
          }
          if (res.statusCode === 200) resolve(json);
          else reject(new AdminRequestError(res.statusCode ?? 0, json, path));
        });
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`${path} timed out after ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(payload);
  });
}
