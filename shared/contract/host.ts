import { Envelope, type EnvelopeOf } from './envelope.js';
import {
  commands,
  events,
  isCommandName,
  isEventName,
  type CommandName,
  type CommandResult,
  type EventName,
  type EventPayload,
  type ParsedParams,
} from './commands.js';
import { ContractError, fromZodError, toErrorBody } from './errors.js';
import type { Transport, Unsubscribe } from './transport.js';

export type CommandHandlers = {
  [K in CommandName]: (params: ParsedParams<K>) => Promise<CommandResult<K>> | CommandResult<K>;
};

/** Where the host hears the engine's events from. */
export type EventSource = (listener: <K extends EventName>(name: K, payload: EventPayload<K>) => void) => Unsubscribe;

/**
 * The engine's side of the contract: validates every incoming message, runs the command's handler,
 * and forwards subscribed events. An invalid message never reaches a handler.
 */
export class ContractHost {
  private readonly connections = new Set<() => void>();

  constructor(
    private readonly handlers: CommandHandlers,
    private readonly eventSource: EventSource,
  ) {}

  /** Runs one command from untrusted input; throws a ContractError naming the bad field. */
  async call(name: string, rawParams: unknown): Promise<unknown> {
    if (!isCommandName(name)) {
      throw new ContractError({ code: 'unknown-command', message: `unknown command "${name}"`, field: 'name' });
    }
    const parsed = commands[name].params.safeParse(rawParams ?? {});
    if (!parsed.success) throw fromZodError(parsed.error, 'invalid-params', 'params');
    const handler = this.handlers[name] as (params: unknown) => Promise<unknown> | unknown;
    return await handler(parsed.data);
  }

  /** Serves one connection until it closes; returns a function that ends it. */
  connect(transport: Transport): Unsubscribe {
    const subscriptions = new Map<string, string>(); // subscription id -> event name or '*'
    let seq = 0;
    let open = true;

    const stopEvents = this.eventSource((name, payload) => {
      for (const [id, wanted] of subscriptions) {
        if (wanted === '*' || wanted === name) transport.send({ kind: 'event', id, name, payload, seq: ++seq });
      }
    });

    const onEnvelope = async (message: EnvelopeOf<'request' | 'subscribe' | 'unsubscribe'>): Promise<void> => {
      switch (message.kind) {
        case 'request': {
          try {
            const result = await this.call(message.name, message.params);
            if (open) transport.send({ kind: 'response', id: message.id, result });
          } catch (error) {
            if (open) transport.send({ kind: 'error', id: message.id, error: toErrorBody(error) });
          }
          return;
        }
        case 'subscribe': {
          if (message.name !== '*' && !isEventName(message.name)) {
            const error = new ContractError({ code: 'unknown-event', message: `unknown event "${message.name}"`, field: 'name' });
            transport.send({ kind: 'error', id: message.id, error: error.toBody() });
            return;
          }
          subscriptions.set(message.id, message.name);
          transport.send({ kind: 'response', id: message.id, result: { subscribed: message.name } });
          return;
        }
        case 'unsubscribe': {
          subscriptions.delete(message.id);
          transport.send({ kind: 'response', id: message.id, result: { unsubscribed: true } });
          return;
        }
      }
    };

    const stopMessages = transport.onMessage((raw) => {
      const parsed = Envelope.safeParse(raw);
      if (!parsed.success) {
        const error = fromZodError(parsed.error, 'invalid-envelope');
        const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : 'unknown';
        transport.send({ kind: 'error', id: id.slice(0, 64) || 'unknown', error: error.toBody() });
        return;
      }
      const message = parsed.data;
      if (message.kind === 'response' || message.kind === 'error' || message.kind === 'event') {
        const error = new ContractError({ code: 'invalid-envelope', message: `a client may not send "${message.kind}"`, field: 'kind' });
        transport.send({ kind: 'error', id: message.id, error: error.toBody() });
        return;
      }
      void onEnvelope(message);
    });

    const end = (): void => {
      if (!open) return;
      open = false;
      subscriptions.clear();
      stopEvents();
      stopMessages();
      stopClose();
      this.connections.delete(end);
    };
    const stopClose = transport.onClose(end);
    this.connections.add(end);
    return end;
  }

  /** Ends every connection (the transports themselves are closed by their owners). */
  dispose(): void {
    for (const end of [...this.connections]) end();
  }
}

/** Validates an event payload before it is sent, so the engine cannot emit what the contract does not allow. */
export function checkEvent<K extends EventName>(name: K, payload: unknown): EventPayload<K> {
  const parsed = events[name].safeParse(payload);
  if (!parsed.success) throw fromZodError(parsed.error, 'internal', `event ${name}`);
  return parsed.data as EventPayload<K>;
}
