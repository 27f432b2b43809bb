// The bundled server's admin endpoints as the failover controller uses them (127.0.0.1 only).
// node:http rather than fetch: fetch loads its client on first use, ~100 ms inside a failover.
import http from 'node:http';

export interface NodeAdmin {
  /** POST /admin/promote; resolves with the server's answer, rejects unless 200. */
  promote(port: number, body: { replicas?: string[]; replication?: 'sync' | 'async'; restore?: boolean }): Promise<Record<string, unknown>>;
  /** POST /admin/config (e.g. the replicas a primary ships to). */
  configure(port: number, body: { replicas?: string[]; replication?: 'sync' | 'async' }): Promise<Record<string, unknown>>;
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

export const httpNodeAdmin: NodeAdmin = {
  promote: (port, body) => postJson(port, '/admin/promote', body, PROMOTE_TIMEOUT_MS),
  configure: (port, body) => postJson(port, '/admin/config', body, CONFIG_TIMEOUT_MS),
};

export function nodeAddress(port: number): string {
  return `127.0.0.1:${port}`;
}

function postJson(port: number, path: string, body: unknown, timeoutMs: number): Promise<Record<string, unknown>> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path, agent: false, headers: { 'content-type': 'application/json', 'content-length': payload.length } },
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
