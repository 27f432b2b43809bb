import { describe, expect, it } from 'vitest';
import { httpFaultOf, httpFaultPort } from '../../../electron/engine/balancer/http-fault-port';
import type { HttpFault } from '../../../electron/engine/balancer';

describe("the fault layer's HTTP port on the balancer's hop", () => {
  it('maps http_error and http_abort onto the hop, defaults filled in', () => {
    expect(httpFaultOf({ type: 'http_error', attributes: {} })).toEqual({ kind: 'error', status: 503, share: 1 });
    expect(httpFaultOf({ type: 'http_error', attributes: { status: 500, share: 0.25 } })).toEqual({ kind: 'error', status: 500, share: 0.25 });
    expect(httpFaultOf({ type: 'http_abort', attributes: {} })).toEqual({ kind: 'abort', share: 1, afterBytes: 0 });
    expect(httpFaultOf({ type: 'http_abort', attributes: { share: 0.5, afterBytes: 64 } })).toEqual({ kind: 'abort', share: 0.5, afterBytes: 64 });
  });

  it('applies a fault to its node by id and reverts it by id', () => {
    const calls: Array<[string, ...unknown[]]> = [];
    const port = httpFaultPort({
      setHttpFault: (faultId: string, nodeId: string, fault: HttpFault) => void calls.push(['set', faultId, nodeId, fault]),
      clearHttpFault: (faultId: string) => void calls.push(['clear', faultId]),
    });
    port.apply('f1', 'p1', { name: 'f1', type: 'http_error', stream: 'downstream', toxicity: 1, attributes: { status: 502 }, links: 'all' });
    port.revert('f1');
    expect(calls).toEqual([
      ['set', 'f1', 'p1', { kind: 'error', status: 502, share: 1 }],
      ['clear', 'f1'],
    ]);
  });
});
