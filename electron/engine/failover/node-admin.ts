// The bundled server's admin endpoints as the failover controller uses them (127.0.0.1 only),
// with the lab's node secret. The engine's HTTP client (undici, already loaded by the balancer and
// the traffic) rather than fetch: fetch loads its own client on first use, ~100 ms inside a failover.
import type { ReplicationMode } from '../../../shared/contract/model';
import { httpRequest } from '../http-request';

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

async function answersReady(port: number, timeoutMs: number): Promise<boolean> {
  try {
    return (await httpRequest(port, { path: '/readyz', timeoutMs })).status === 200;
  } catch {
    return false;
  }
}

async function postJson(port: number, path: string, body: unknown, timeoutMs: number, headers: Record<string, string>): Promise<Record<string, unknown>> {
  const answer = await httpRequest(port, { method: 'POST', path, json: body, headers, timeoutMs, what: path });
  const json = answer.object();
  if (answer.status === 200) return json;
  throw new AdminRequestError(answer.status, json, path);
}
