import { describe, expect, it } from 'vitest';
import { connectionTokens, forwardRequestHeaders, forwardResponseHeaders } from '../../../electron/engine/balancer/hop-headers';

const pairs = (flat: readonly string[]): Array<[string, string]> => Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i]!, flat[2 * i + 1]!]);

describe('hop-by-hop headers', () => {
  it('drops hop-by-hop request headers, keeps the rest, sets X-Forwarded-*', () => {
    const info = { contentLength: 0, chunked: false };
    const out = forwardRequestHeaders(
      ['Host', 'shop.test', 'Connection', 'keep-alive, X-Secret', 'X-Secret', 's', 'Keep-Alive', 'timeout=5', 'TE', 'trailers', 'Trailer', 'x', 'Upgrade', 'h2c',
        'Proxy-Authorization', 'p', 'Proxy-Connection', 'keep-alive', 'Transfer-Encoding', 'chunked', 'X-Forwarded-For', '10.0.0.1', 'Accept', '*/*', 'Content-Length', '12'],
      '127.0.0.1',
      info,
    );
    expect(pairs(out)).toEqual([
      ['Accept', '*/*'],
      ['Content-Length', '12'],
      ['x-forwarded-for', '10.0.0.1, 127.0.0.1'],
      ['x-forwarded-proto', 'http'],
      ['x-forwarded-host', 'shop.test'],
    ]);
    expect(info).toEqual({ contentLength: 12, chunked: true });
  });

  it('drops hop-by-hop response headers and adds the node id and tries', () => {
    const raw = ['Content-Type', 'text/plain', 'Connection', 'X-Gone', 'X-Gone', '1', 'Transfer-Encoding', 'chunked', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'x-firedrill-node', 'spoof'].map((s) => Buffer.from(s));
    expect(pairs(forwardResponseHeaders(raw, 'n1', '2'))).toEqual([
      ['Content-Type', 'text/plain'],
      ['Set-Cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
      ['x-firedrill-node', 'n1'],
      ['x-firedrill-tries', '2'],
    ]);
  });

  it('reads response header names the same on every response (names are recognised by their bytes)', () => {
    const response = (names: string[]): Buffer[] => names.flatMap((n, i) => [Buffer.from(n, 'latin1'), Buffer.from(`v${i}`)]);
    const first = forwardResponseHeaders(response(['Content-Type', 'Connection', 'content-length', 'Keep-Alive']), 'n1', '1');
    const again = forwardResponseHeaders(response(['Content-Type', 'Connection', 'content-length', 'Keep-Alive']), 'n2', '1');
    expect(pairs(first)).toEqual([['Content-Type', 'v0'], ['content-length', 'v2'], ['x-firedrill-node', 'n1'], ['x-firedrill-tries', '1']]);
    expect(pairs(again)).toEqual([['Content-Type', 'v0'], ['content-length', 'v2'], ['x-firedrill-node', 'n2'], ['x-firedrill-tries', '1']]);
    // The same name in another case is passed on as this response spells it; a name too long to remember still works.
    const long = `X-${'a'.repeat(100)}`;
    expect(pairs(forwardResponseHeaders(response(['content-type', 'CONNECTION', long, 'TRANSFER-ENCODING']), 'n1', '1'))).toEqual([['content-type', 'v0'], [long, 'v2'], ['x-firedrill-node', 'n1'], ['x-firedrill-tries', '1']]);
    // More names than the table holds: every one still comes out right.
    const many = Array.from({ length: 500 }, (_, i) => `X-Header-${i}`);
    expect(pairs(forwardResponseHeaders(response(many), 'n1', '1')).slice(0, -2)).toEqual(many.map((n, i) => [n, `v${i}`]));
    expect(pairs(forwardResponseHeaders(response(many), 'n1', '1')).slice(0, -2)).toEqual(many.map((n, i) => [n, `v${i}`]));
  });

  it('does not keep the bytes it was given: a read buffer reused for another name is not mistaken for the first', () => {
    const reused = Buffer.from('X-Abaa');
    expect(forwardResponseHeaders([reused, Buffer.from('1')], 'n1', '1')[0]).toBe('X-Abaa');
    reused.write('X-Acaa'); // same length, first and last byte: the same slot
    expect(forwardResponseHeaders([Buffer.from('X-Acaa'), Buffer.from('1')], 'n1', '1')[0]).toBe('X-Acaa');
  });

  it('reads the names a Connection header lists', () => {
    expect(connectionTokens('keep-alive, X-A ,x-b, close')).toEqual(['x-a', 'x-b']);
  });
});
