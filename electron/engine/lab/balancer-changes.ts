// `balancer.changed`: the balancer's state (settings and upstreams), sent when it changes, not per tick.
import type { BalancerState } from '../../../shared/contract/index.js';
import type { LabEvents } from './lab-events.js';

/**
 * Sends `balancer.changed` when an upstream's state or the settings differ from the last one sent.
 * Asked after each balancer event, each `balancer.set` and each metrics tick (which catches what no
 * balancer event reports: a node going down while already out, a fleet rebuilt).
 */
export class BalancerChanges {
  private last = '';

  constructor(
    private readonly state: () => BalancerState,
    private readonly events: Pick<LabEvents, 'emit'>,
  ) {}

  emitIfChanged(): void {
    const state = this.state();
    const key = JSON.stringify([state.settings, state.upstreams.map((u) => [u.id, u.state])]);
    if (key === this.last) return;
    this.last = key;
    this.events.emit('balancer.changed', state);
  }
}
