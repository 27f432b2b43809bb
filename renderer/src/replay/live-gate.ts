// While a replay shows another instant, live events must not reach the store: the connection
// asks this gate first. Metrics ticks are held apart (the newest few minutes), so that going back
// to live refills the charts with what really happened meanwhile, in order.
import type { CommandName } from '../../../shared/contract/commands.js';
import type { MetricsTick } from '../../../shared/contract/model.js';

/** Three minutes at 10 Hz, the metrics ring's own capacity. */
const HELD_TICKS_CAP = 1_800;

/** Commands that act on the live lab: refused in replay, whose view is not the live lab. HALT stays: it is the emergency stop. */
export const LAB_CHANGING_COMMANDS: ReadonlySet<CommandName> = new Set<CommandName>([
  'fleet.start',
  'fleet.stop',
  'node.start',
  'node.stop',
  'node.restart',
  'node.promote',
  'topology.set',
  'balancer.set',
  'traffic.start',
  'traffic.stop',
  'traffic.set',
  'fault.inject',
  'fault.revert',
  'ledger.check',
  'drill.run',
]);

class LiveGate {
  /** Lab events (nodes, balancer, incidents, faults, timeline, traffic) are dropped: `lab.state` is read again on the way back. */
  held = false;
  /** Metrics ticks are kept here instead of drawn. */
  ticksHeld = false;
  private ticks: MetricsTick[] = [];

  holdTick(tick: MetricsTick): void {
    this.ticks.push(tick);
    if (this.ticks.length > HELD_TICKS_CAP * 1.5) this.ticks.splice(0, this.ticks.length - HELD_TICKS_CAP);
  }

  /** The ticks held so far (at most the newest HELD_TICKS_CAP), emptying the hold. */
  takeTicks(): MetricsTick[] {
    const ticks = this.ticks.length > HELD_TICKS_CAP ? this.ticks.slice(-HELD_TICKS_CAP) : this.ticks;
    this.ticks = [];
    return ticks;
  }

  close(): void {
    this.held = true;
    this.ticksHeld = true;
  }
}

export const liveGate = new LiveGate();
