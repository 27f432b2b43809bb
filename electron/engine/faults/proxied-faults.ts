// Network toxics and HTTP faults are applied by other parts of the lab (the fault proxy in front of
// each node; the balancer's hop to it) through small ports. They die with their proxy or balancer,
// so after an engine crash there is nothing to undo; they are journaled only so the next start can
// say so.
import { faultKindOf, type FaultType } from '../../../shared/contract/model';
import type { FaultUnit } from './fault-unit';

export function proxiedFault(type: FaultType): FaultUnit {
  const kind = faultKindOf(type);
  return {
    type,
    plan(context) {
      const port = kind === 'http' ? context.http : context.network;
      return {
        journal: { via: kind === 'http' ? 'balancer' : 'fault-proxy' },
        async apply(handle) {
          await port.apply(handle.id, context.node.id, { ...context.spec, name: context.spec.name ?? handle.id });
          return {
            effect: {
              via: kind === 'http' ? 'balancer' : 'fault-proxy',
              stream: context.spec.stream,
              toxicity: context.spec.toxicity,
              ...(kind === 'network' ? { links: context.spec.links } : {}),
            },
            async revert() {
              await port.revert(handle.id);
            },
          };
        },
      };
    },
  };
}
