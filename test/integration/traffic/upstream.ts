// A scriptable HTTP upstream on 127.0.0.1 for traffic tests: records every request it receives.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { now } from '../../../electron/engine/clock';

export interface Received {
  at: number;
  method: string;
  key: string;
  body: string;
}

/** How to answer one request: after `delayMs`, or never ('hang', until the upstream closes). */
export type Plan = { delayMs?: number; status?: number; node?: string; tries?: number } | 'hang';

export interface Upstream {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

export async function startUpstream(plan: (request: Received, index: number) => Plan = () => ({})): Promise<Upstream> {
  const received: Received[] = [];
  const hanging = new Set<http.ServerResponse>();
  let lsn = 0;
  const server = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    const at = now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: Received = { at, method: req.method ?? 'GET', key: decodeURIComponent((req.url ?? '').replace(/^\/kv\//, '')), body: Buffer.concat(chunks).toString('utf8') };
      const index = received.push(request) - 1;
      const answer = plan(request, index);
      if (answer === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      const respond = (): void => {
        const status = answer.status ?? 200;
        const body = request.method === 'PUT' && status === 200 ? JSON.stringify({ lsn: ++lsn }) : status === 200 ? 'value' : 'error';
        const headers: Record<string, string> = { 'content-length': String(Buffer.byteLength(body)) };
        if (answer.node) headers['x-firedrill-node'] = answer.node;
        if (answer.tries) headers['x-firedrill-tries'] = String(answer.tries);
        res.writeHead(status, headers).end(body);
      };
      const delay = answer.delayMs ?? 0;
      if (delay > 0) setTimeout(respond, delay);
      else respond();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
