// The command table, the request path: balancer.set, traffic.*, ledger.check.
import type { BalancerState, CommandHandlers } from '../../../../shared/contract/index.js';
import type { PlaneClient } from '../../data-plane/index.js';
import type { RecordTimeline } from '../timeline.js';
import type { TrafficSession } from '../traffic-session.js';

export interface TrafficCommandsDeps {
  traffic: TrafficSession;
  balancer: Pick<PlaneClient, 'setSettings' | 'settled'>;
  balancerState: () => BalancerState;
  record: RecordTimeline;
}

/** The request path: the balancer's settings, the lab's traffic through it, and the ledger of its writes. */
export function trafficCommands({ traffic, balancer, balancerState, record }: TrafficCommandsDeps): Pick<
  CommandHandlers,
  'balancer.set' | 'traffic.start' | 'traffic.stop' | 'traffic.set' | 'ledger.check'
> {
  return {
    'balancer.set': async (patch) => {
      const settings = balancer.setSettings(patch);
      record('balancer.changed', { strategy: settings.strategy, changed: Object.keys(patch) });
      // Answered once the data plane's thread has them: the next request is routed by them.
      await balancer.settled();
      return balancerState();
    },
    'traffic.start': (patch) => traffic.start(patch),
    'traffic.stop': async () => {
      await traffic.stop();
      return traffic.state();
    },
    'traffic.set': (patch) => traffic.set(patch),
    'ledger.check': () => traffic.checkLedger(),
  };
}
