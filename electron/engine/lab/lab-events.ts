import { Listeners, checkEvent, type EventName, type EventPayload, type Unsubscribe } from '../../../shared/contract/index.js';

/** One event of the contract as a tuple: `[name, payload]`. */
export type AnyEvent = { [K in EventName]: [K, EventPayload<K>] }[EventName];

/** The lab's one event stream: what the contract host carries, and what in-process listeners see. */
export class LabEvents {
  private readonly listeners = new Listeners<AnyEvent>();

  add(listener: (...event: AnyEvent) => void): Unsubscribe {
    return this.listeners.add(listener);
  }

  emit<K extends EventName>(name: K, payload: EventPayload<K>): void {
    // In tests every event is checked against the contract, so the engine cannot drift from it.
    const checked = process.env.FIREDRILL_CHECK_EVENTS === '1' ? checkEvent(name, payload) : payload;
    this.listeners.emit(...([name, checked] as AnyEvent));
  }

  /** Drops every listener (the last step of the lab's teardown). */
  dispose(): void {
    this.listeners.clear();
  }
}
