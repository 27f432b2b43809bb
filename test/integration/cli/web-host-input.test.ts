// Nothing the web host is sent answers 5xx or takes it down: bad targets, bad JSON, huge and deep
// bodies, prototype keys, NUL and odd unicode, huge numbers, wrong methods, slow clients. Each gets a
// 4xx naming what is wrong, and the lab is left as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawWebSocket } from '../../support/raw-websocket.js';
import { rawHttp, startWebLab, statusOf, watchCrashes, type WebLab } from '../../support/web-lab.js';

const MiB = 1 << 20;

describe('web host: hostile input over HTTP', () => {
  let l: WebLab;
  let host = '';
  let before = '';
  const crashes = watchCrashes();
  beforeAll(async () => {
    l = await startWebLab({ requestTimeoutMs: 1_000 });
    host = `127.0.0.1:${l.web.port}`;
    before = await l.fingerprint();
  });
  afterAll(async () => {
    crashes.stop();
    expect(crashes.errors).toEqual([]);
    expect(await l.fingerprint()).toBe(before);
    await l?.close();
  });

  const post = (name: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    l.call(`/api/commands/${name}`, { method: 'POST', headers: { ...l.auth, 'content-type': 'application/json', ...headers }, body });
  const errorOf = (body: string): { code: string; field?: string; message: string } => (JSON.parse(body) as { error: { code: string; field?: string; message: string } }).error;
  const raw = (text: string) => rawHttp(l.web.port, [text]);

  it('a request target that is not a URL is a 400, over HTTP and on an upgrade', async () => {
    for (const target of ['http://[', 'http://127.0.0.1:99999/', 'http://a b/']) {
      const plain = await raw(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: ${l.auth.authorization}\r\nConnection: close\r\n\r\n`);
      expect(statusOf(plain.answer), target).toBeGreaterThanOrEqual(400);
      expect(statusOf(plain.answer), target).toBeLessThan(500);
      const upgrade = await raw(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
      expect(statusOf(upgrade.answer), target).toBeGreaterThanOrEqual(400);
      expect(statusOf(upgrade.answer), target).toBeLessThan(500);
    }
  });

  it('bad JSON, and JSON that is not an object, name the body or the params', async () => {
    for (const body of ['{"id": ', '{"id":"w1"}garbage', '\u00ef\u00bb\u00bf{}', 'NaN', '{"a":1e999999}x']) {
      const reply = await post('node.logs', body);
      expect(reply.status, body).toBe(400);
      expect(errorOf(reply.body).field, body).toBe('body');
    }
    for (const body of ['[]', '"w1"', '42', 'true']) {
      const reply = await post('node.logs', body);
      expect(reply.status, body).toBe(400);
      expect(errorOf(reply.body).field, body).toBe('params');
    }
  });

  it('a body over 1 MiB is a 413, whether declared or streamed, and the connection is not left hanging', async () => {
    expect((await post('node.logs', Buffer.alloc(MiB + 1, 0x20))).status).toBe(413);
    const declared = await raw(`POST /api/commands/node.logs HTTP/1.1\r\nHost: ${host}\r\nAuthorization: ${l.auth.authorization}\r\nContent-Length: ${64 * MiB}\r\n\r\n{`);
    expect(statusOf(declared.answer)).toBe(413);
    expect(declared.timedOut).toBe(false); // closed, not kept alive with the rest of the body due
    const chunk = `${(256 * 1024).toString(16)}\r\n${' '.repeat(256 * 1024)}\r\n`;
    const chunked = await rawHttp(l.web.port, [`POST /api/commands/node.logs HTTP/1.1\r\nHost: ${host}\r\nAuthorization: ${l.auth.authorization}\r\nTransfer-Encoding: chunked\r\n\r\n`, ...Array<string>(5).fill(chunk)]);
    expect(statusOf(chunked.answer)).toBe(413);
  });

  it('deep nesting, prototype keys, NUL and odd unicode, huge numbers: a 400 naming the field', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['node.logs', `{"id":${'['.repeat(400_000)}${']'.repeat(400_000)}}`, /^params\.id\.0\.0\./],
      ['fault.inject', `{"type":"latency","target":"w1","attributes":{"latency":${'['.repeat(400_000)}${']'.repeat(400_000)}}}`, /^params\.attributes\.latency\.0\./],
      ['node.logs', '{"id":"w1","__proto__":{"limit":5}}', /^params\.__proto__$/],
      ['node.logs', '{"id":"w1","constructor":{"prototype":{"polluted":true}}}', /^params/],
      // A record schema copying __proto__ set the copy's prototype: this one injected a 5 ms latency fault.
      ['fault.inject', '{"type":"latency","target":"w1","attributes":{"__proto__":{"latency":5}}}', /^params\.attributes\.__proto__$/],
      ['balancer.set', '{"weights":{"__proto__":5}}', /^params\.weights\.__proto__$/],
      ['node.stop', '{"id":"w1\\u0000"}', /^params\.id$/],
      ['node.stop', '{"id":"w\u0131"}', /^params\.id$/],
      ['node.stop', '{"id":"\\ud800"}', /^params\.id$/],
      ['node.logs', '{"id":"w1","limit":1e308}', /^params\.limit$/],
      ['node.logs', '{"id":"w1","limit":-0.5}', /^params\.limit$/],
      ['node.logs', '{"id":"w1","limit":123456789012345678901234567890}', /^params\.limit$/],
      ['traffic.set', '{"rate":1e400}', /^body$|^params\.rate$/],
      ['drill.get', `{"id":"${'x'.repeat(MiB - 100)}"}`, /^params\.id$/],
    ];
    for (const [name, body, field] of cases) {
      const reply = await post(name, body);
      expect(reply.status, `${name} ${body.slice(0, 60)}`).toBe(400);
      expect(errorOf(reply.body).field, `${name} ${body.slice(0, 60)}`).toMatch(field);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('wrong methods are a 405 with Allow; unknown paths a 404', async () => {
    const cases: Array<[string, string, number, string?]> = [
      ['GET', '/api/commands/lab.state', 405, 'POST'],
      ['PUT', '/api/commands/node.stop', 405, 'POST'],
      ['DELETE', '/api/state', 405, 'GET, HEAD'],
      ['POST', '/api/state', 405, 'GET, HEAD'],
      ['POST', '/metrics', 405, 'GET, HEAD'],
      ['PATCH', '/', 405, 'GET, HEAD'],
      ['POST', '/api/commands/Node.Stop', 404],
      ['POST', '/api/commands/node.stop/x', 404],
      ['GET', '/api/nope', 404],
      ['POST', '/api/commands/fleet.explode', 404],
    ];
    for (const [method, path, status, allow] of cases) {
      const reply = await l.call(path, { method, headers: l.auth, body: method === 'GET' || method === 'DELETE' ? undefined : '{}' });
      expect(reply.status, `${method} ${path}`).toBe(status);
      if (allow) expect(reply.headers.allow, `${method} ${path}`).toBe(allow);
    }
    expect((await l.call('/api/state', { method: 'HEAD', headers: l.auth })).status).toBe(200);
  });

  it('odd static paths are a 4xx', async () => {
    for (const path of ['/%00', '/%E0%A4%A', '/..%2f..%2f..%2fetc%2fpasswd', '/x%00.html', `/${'a'.repeat(8_000)}`]) {
      const reply = await l.call(path, { headers: { host } });
      expect(reply.status, path.slice(0, 40)).toBeGreaterThanOrEqual(400);
      expect(reply.status, path.slice(0, 40)).toBeLessThan(500);
    }
  });

  it('a client that sends its headers or its body a byte at a time is cut off with 408', async () => {
    const head = `POST /api/commands/node.logs HTTP/1.1\r\nHost: ${host}\r\nAuthorization: ${l.auth.authorization}\r\nContent-Length: 20\r\n\r\n`;
    const trickle = (text: string): Array<string | { waitMs: number }> => [...text].flatMap((c) => [c, { waitMs: 300 }]);
    const slowBody = await rawHttp(l.web.port, [head, ...trickle('{"id":"w1","limit":1}')], 15_000);
    const slowHeaders = await rawHttp(l.web.port, trickle(head), 15_000);
    for (const slow of [slowBody, slowHeaders]) {
      expect(slow.timedOut).toBe(false);
      expect(statusOf(slow.answer)).toBe(408);
      // requestTimeoutMs is 1 s here, checked every second: cut within a few seconds, not after the whole trickle.
      expect(slow.ms).toBeLessThan(5_000);
    }
  });

  it('a handshake ws refuses (bad version, key or method) is answered with a 4xx', async () => {
    const upgrade = (lines: string[]) => raw(`${lines.join('\r\n')}\r\n\r\n`);
    const common = [`Host: ${host}`, `Authorization: ${l.auth.authorization}`, 'Connection: Upgrade', 'Upgrade: websocket'];
    expect(statusOf((await upgrade(['GET /api/events HTTP/1.1', ...common, 'Sec-WebSocket-Version: 7', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=='])).answer)).toBe(400);
    expect(statusOf((await upgrade(['GET /api/events HTTP/1.1', ...common, 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: short'])).answer)).toBe(400);
    expect(statusOf((await upgrade(['POST /api/events HTTP/1.1', ...common, 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Content-Length: 0'])).answer)).toBe(405);
    // And a good one still works.
    const ws = await RawWebSocket.connect(l.web.port, '/api/events', l.auth);
    ws.destroy();
  });

  it('nothing answered 5xx meanwhile, and the lab answers within a bound', async () => {
    const started = performance.now();
    await l.state();
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
