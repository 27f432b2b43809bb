// HTTP client for node-to-node calls: keep-alive agent, hard timeout, JSON answers.
import http from 'node:http';
import type { ReplicaAddress } from './config';

export interface PeerResponse {
  status: number;
  json: Record<string, unknown>;
}

export function peerAgent(): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: 2, scheduling: 'lifo' });
}

/** One request; retried once on a fresh socket when a pooled one turns out to be dead. */
export async function peerRequest(
  agent: http.Agent,
  address: ReplicaAddress,
  method: string,
  path: string,
  body: Buffer | null,
  timeoutMs: number,
  headers: Record<string, string> = {},
): Promise<PeerResponse> {
  try {
    return await requestOnce(agent, address, method, path, body, timeoutMs, headers);
  } catch (error) {
    if (!(error instanceof StaleSocketError)) throw error;
    return requestOnce(agent, address, method, path, body, timeoutMs, headers);
  }
}

class StaleSocketError extends Error {}

function requestOnce(
  agent: http.Agent,
  address: ReplicaAddress,
  method: string,
  path: string,
  body: Buffer | null,
  timeoutMs: number,
  extraHeaders: Record<string, string>,
): Promise<PeerResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: address.host,
        port: address.port,
        method,
        path,
        agent,
        headers: { ...extraHeaders, ...(body ? { 'content-type': 'application/octet-stream', 'content-length': body.length } : {}) },
      },
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
            // A non-JSON answer still has a status worth acting on.
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const stale = req.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
      reject(stale ? new StaleSocketError(error.message) : error);
    });
    req.end(body ?? undefined);
  });
}
