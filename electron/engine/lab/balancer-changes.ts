// `balancer.changed`: the balancer's state (settings and upstreams), sent when it changes, not per tick.
import type { BalancerState } from '../../../shared/contract/index.js';
import type { LabEvents } from './lab-events.js';

/**
 * Sends `balancer.changed` when an upstream's state or the settings differ from the last one sent.
 * Asked after each balancer event (`emitSoon`), each `balancer.set` and each metrics tick (which
 * catches what no balancer event reports: a node going down while already out, a fleet rebuilt).
 */
export class BalancerChanges {
  private last = '';
  private soon: NodeJS.Immediate | null = null;

  constructor(
    private readonly state: () => BalancerState,
    private readonly events: Pick<LabEvents, 'emit'>,
  ) {}

  /**
   * After one of the balancer's events: the data plane sends the states that event moved just after
   * it (a microtask later), so they are read once the current turn is done; several events, one look.
   */
  emitSoon(): void {
    if (this.soon !== null) return;
    this.soon = setImmediate(() => {
      this.soon = null;
      this.emitIfChanged();
    });
    // A look at states is for observers; it must not keep the process alive by itself.
    this.soon.unref();
  }

  emitIfChanged(): void {
    const state = this.state();
    const key = JSON.stringify([state.settings, state.upstreams.map((u) => [u.id, u.state])]);
    if (key === this.last) return;
    this.last = key;
    this.events.emit('balancer.changed', state);
  }
}
