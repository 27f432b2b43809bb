// The bundled load balancer (see README.md).
export { Balancer, EXIT_REASON, mergeBalancerSettings, type BalancerOptions, type BalancerRole, type BalancerSnapshot, type UpstreamMirror } from './balancer';
export type { BalancerListener, DetectionVia, RequestOutcome, UpstreamTarget } from './types';
export type { HttpFault } from './proxy-handler';
