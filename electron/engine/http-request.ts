// One small HTTP client for the engine's own calls to its nodes on 127.0.0.1 (node admin, readiness)
// and for the tests that talk to them: undici, which the engine loads anyway for its balancer and
// traffic, with one hard timeout over the whole exchange (headers and body) and the answer read whole.
import { Agent, request, type Dispatcher } from 'undici';

export interface HttpCall {
  /** Default GET. */
  method?: string;
  path: string;
  headers?: Record<string, string>;
  /** Sent as is (a Buffer or a string). */
  body?: Buffer | string;
  /** Sent as JSON, with `content-type: application/json`. */
  json?: unknown;
  timeoutMs: number;
  /** What the timeout error names: `${what} timed out after ${timeoutMs} ms`. Default `${method} ${path}`. */
  what?: string;
  /** Default a fresh connection per call (see `oneShot`); tests pass a keep-alive `new Agent()`. */
  dispatcher?: Dispatcher;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  /** The body parsed as JSON; throws when it is not JSON. */
  json<T = unknown>(): T;
  /** The body as a JSON object, or `{}` when it is not one: a non-JSON answer still has a status worth acting on. */
  object(): Record<string, unknown>;
}

/**
 * No keep-alive: every call opens its own connection, as `agent: false` did. A node may have been
 * killed, frozen or replaced since the last call; a pooled socket to it would only mislead.
 */
const oneShot = new Agent({ pipelining: 0 });

/** One request to `origin` (a port on 127.0.0.1, or a base URL); rejects on a connection error or the timeout. */
export async function httpRequest(origin: number | string, call: HttpCall): Promise<HttpAnswer> {
  const method = call.method ?? 'GET';
  const base = typeof origin === 'number' ? `http://127.0.0.1:${origin}` : origin.replace(/\/+$/, '');
  const headers = { ...call.headers, ...(call.json !== undefined ? { 'content-type': 'application/json' } : {}) };
  const body = call.json !== undefined ? JSON.stringify(call.json) : call.body;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`${call.what ?? `${method} ${call.path}`} timed out after ${call.timeoutMs} ms`)), call.timeoutMs);
  try {
    const res = await request(`${base}${call.path}`, { method: method as Dispatcher.HttpMethod, headers, body, signal: controller.signal, dispatcher: call.dispatcher ?? oneShot });
    const bytes = Buffer.from(await res.body.arrayBuffer());
    return answer(res.statusCode, res.headers, bytes);
  } finally {
    clearTimeout(timer);
  }
}

function answer(status: number, headers: HttpAnswer['headers'], body: Buffer): HttpAnswer {
  const text = body.toString('utf8');
  return {
    status,
    headers,
    body,
    text,
    json: <T>() => JSON.parse(text) as T,
    object() {
      try {
        const parsed: unknown = JSON.parse(text);
        return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
      } catch {
        return {};
      }
    },
  };
}
