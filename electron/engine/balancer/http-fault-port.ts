// The fault layer's HTTP port, next to the balancer whose hop applies it (as the network port lives
// with the links, in node-links.ts): a fault's toxic becomes the balancer's `HttpFault` on one node. The lab reaches both
// through its data plane (`PlaneClient.httpFaults()`, `networkFaults()`).
import type { FaultToxic, HttpFaultPort } from '../faults';
import type { Balancer } from './balancer';
import type { HttpFault } from './proxy-handler';

/** `http_error` answers `status` (default 503) for a `share` of requests; `http_abort` cuts the response after `afterBytes`. */
export function httpFaultOf(toxic: Pick<FaultToxic, 'type' | 'attributes'>): HttpFault {
  const a = toxic.attributes as { status?: number; share?: number; afterBytes?: number };
  return toxic.type === 'http_error'
    ? { kind: 'error', status: a.status ?? 503, share: a.share ?? 1 }
    : { kind: 'abort', share: a.share ?? 1, afterBytes: a.afterBytes ?? 0 };
}

export function httpFaultPort(balancer: Pick<Balancer, 'setHttpFault' | 'clearHttpFault'>): HttpFaultPort {
  return {
    apply: (faultId, nodeId, toxic) => balancer.setHttpFault(faultId, nodeId, httpFaultOf(toxic)),
    revert: (faultId) => balancer.clearHttpFault(faultId),
  };
}
