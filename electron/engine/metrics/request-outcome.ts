// What the balancer reports for every proxied request: one definition, the balancer's.
export type { RequestOutcome } from '../balancer/types';
