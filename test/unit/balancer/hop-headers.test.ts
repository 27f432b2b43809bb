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

  it('reads the names a Connection header lists', () => {
    expect(connectionTokens('keep-alive, X-A ,x-b, close')).toEqual(['x-a', 'x-b']);
  });
});
