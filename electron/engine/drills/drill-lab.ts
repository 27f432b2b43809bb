// The lab as a drill sees it: its contract, its events, and the few things a run needs beside them.
import type { CommandName, CommandParams, CommandResult, EventName, EventPayload, Unsubscribe } from '../../../shared/contract/index.js';
import type { CommandDone } from '../../../shared/contract/host.js';
import type { TrafficStats } from '../../../shared/contract/model.js';

export type AnyEvent = { [K in EventName]: [K, EventPayload<K>] }[EventName];

export interface DrillLab {
  call<K extends CommandName>(name: K, params: CommandParams<K>): Promise<CommandResult<K>>;
  onEvent(listener: (...event: AnyEvent) => void): Unsubscribe;
  /** Every command carried out, whoever asked (the learner's window, the CLI, the drill itself). */
  onCommand(listener: (done: CommandDone) => void): Unsubscribe;
  /** Reseeds the lab's random stream (toxicity rolls, http fault shares, checkpoint damage). */
  reseed(seed: number): void;
  /** Traffic stats since the current traffic began, or null. */
  trafficStats(): TrafficStats | null;
  /** Puts an event on the lab's timeline (the run's own word after it ended: what it put back). */
  note?(kind: string, detail: Record<string, unknown>): void;
}
