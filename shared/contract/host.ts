import { Envelope, type EnvelopeOf } from './envelope.js';
import {
  commands,
  events,
  isCommandName,
  isEventName,
  type CommandName,
  type CommandParams,
  type CommandResult,
  type EventName,
  type EventPayload,
  type ParsedParams,
} from './commands.js';
import { ContractError, fieldPath, fromZodError, parseOrThrow, toErrorBody } from './errors.js';
import type { Transport, Unsubscribe } from './transport.js';

/**
 * What the engine does for each command. A handler gets its params as the command's schema parsed them
 * (defaults filled in; `fault.inject`'s a FaultSpec), never raw input: it and what it calls parse nothing again.
 */
export type CommandHandlers = {
  [K in CommandName]: (params: ParsedParams<K>) => Promise<CommandResult<K>> | CommandResult<K>;
};

/** What one connection may hold, so that no client can grow the engine's memory or work without bound. */
export interface ConnectionLimits {
  maxSubscriptions: number;
  /** Requests being handled at once; past it a request is refused at once (limit-exceeded). */
  maxInFlight: number;
  /** Bytes queued for a client that is not reading (the transport's backlog) past which high-frequency events are dropped for it. */
  dropEventsAboveBytes: number;
  /** Past this many bytes queued the client is closed (WebSocket code 1008). */
  closeAboveBytes: number;
}

export const DEFAULT_CONNECTION_LIMITS: Readonly<ConnectionLimits> = {
  maxSubscriptions: 64,
  maxInFlight: 64,
  dropEventsAboveBytes: 1 << 20,
  closeAboveBytes: 8 << 20,
};

/** Events sent several times a second: what a client that falls behind loses first. */
const DROPPABLE_EVENTS: ReadonlySet<EventName> = new Set<EventName>(['metrics.tick', 'log.batch']);

/** Where the host hears the engine's events from. */
export type EventSource = (listener: <K extends EventName>(name: K, payload: EventPayload<K>) => void) => Unsubscribe;

/**
 * The engine's side of the contract: validates every incoming message, runs the command's handler,
 * and forwards subscribed events. An invalid message never reaches a handler.
 */
/** A command a handler carried out: its name, its parsed params, and when it was asked (the host's clock). */
export type CommandDone = { [K in CommandName]: { name: K; params: ParsedParams<K>; at: number } }[CommandName];

export interface ContractHostOptions {
  /** The clock `CommandDone.at` is read from (default `Date.now`): the engine's, so it compares with its timeline. */
  now?: () => number;
}

export class ContractHost {
  private readonly connections = new Set<() => void>();
  private readonly done = new Set<(done: CommandDone) => void>();

  constructor(
    private readonly handlers: CommandHandlers,
    private readonly eventSource: EventSource,
    private readonly options: ContractHostOptions = {},
  ) {}

  /**
   * Runs one command from untrusted input, whoever sends it (a transport, the CLI, a drill, the Toxiproxy API):
   * its params are parsed here, once (parseParams); throws a ContractError naming the bad field.
   */
  async call(name: string, rawParams: unknown): Promise<unknown> {
    if (!isCommandName(name)) {
      throw new ContractError({ code: 'unknown-command', message: `unknown command "${name}"`, field: 'name' });
    }
    const handler = this.handlers[name] as (params: unknown) => Promise<unknown> | unknown;
    const params = parseParams(name, rawParams);
    const at = (this.options.now ?? Date.now)();
    const result = await handler(params);
    if (this.done.size > 0) this.tell({ name, params, at } as CommandDone);
    return result;
  }

  /**
   * Told of every command a handler carried out, whoever asked (a window, the CLI, a drill): what a
   * drill watches to see the act its prompt asks for. A listener's exception never reaches the caller.
   */
  onCommand(listener: (done: CommandDone) => void): Unsubscribe {
    this.done.add(listener);
    return () => void this.done.delete(listener);
  }

  private tell(done: CommandDone): void {
    for (const listener of [...this.done]) {
      try {
        listener(done);
      } catch (error) {
        console.error('command listener failed:', error);
      }
    }
  }

  /** `call` for the engine's own clients (a drill, the Toxiproxy API): the same validation, typed at both ends. */
  request<K extends CommandName>(name: K, params: CommandParams<K>): Promise<CommandResult<K>> {
    return this.call(name, params) as Promise<CommandResult<K>>;
  }

  /** Serves one connection until it closes, within `limits`; returns a function that ends it. */
  connect(transport: Transport, limits: Partial<ConnectionLimits> = {}): Unsubscribe {
    const limit: ConnectionLimits = { ...DEFAULT_CONNECTION_LIMITS, ...limits };
    const subscriptions = new Map<string, string>(); // subscription id -> event name or '*'
    let seq = 0;
    let open = true;
    let inFlight = 0;
    let lagging = false;
    const backlog = (): number => transport.backlog?.() ?? 0;

    /** Sends unless the client is too far behind to take more; then it is closed and false returned. */
    const send = (message: Envelope): boolean => {
      if (!open) return false;
      const queued = backlog();
      if (queued > limit.closeAboveBytes) {
        end();
        transport.close(1008, `not reading: ${queued} bytes queued`);
        return false;
      }
      transport.send(message);
      return true;
    };

    /** A client that lags loses high-frequency events first (their seqs are skipped, so it sees the gap); it is told once each time it falls behind. */
    const lags = (subscription: string): boolean => {
      const queued = backlog();
      if (queued <= (lagging ? limit.dropEventsAboveBytes / 2 : limit.dropEventsAboveBytes)) {
        lagging = false;
        return false;
      }
      if (!lagging) {
        lagging = true;
        const message = `${queued} bytes are waiting for you to read them: ${[...DROPPABLE_EVENTS].join(' and ')} events are dropped until you catch up`;
        send({ kind: 'error', id: subscription, error: { code: 'limit-exceeded', message, field: 'events' } });
      }
      return true;
    };

    const stopEvents = this.eventSource((name, payload) => {
      if (subscriptions.size === 0) return;
      const droppable = DROPPABLE_EVENTS.has(name);
      for (const [id, wanted] of subscriptions) {
        if (wanted !== '*' && wanted !== name) continue;
        seq++;
        // Checked before each copy, not once per event: 64 subscriptions to one big batch would overshoot the line 64 times.
        if (droppable && lags(id)) continue;
        if (!send({ kind: 'event', id, name, payload, seq })) return;
      }
    });

    const refuse = (id: string, error: ContractError): void => void send({ kind: 'error', id, error: error.toBody() });

    const onEnvelope = async (message: EnvelopeOf<'request' | 'subscribe' | 'unsubscribe'>): Promise<void> => {
      switch (message.kind) {
        case 'request': {
          if (inFlight >= limit.maxInFlight) {
            return refuse(message.id, new ContractError({ code: 'limit-exceeded', message: `at most ${limit.maxInFlight} requests in flight per connection: wait for an answer first`, field: 'id' }));
          }
          inFlight++;
          try {
            const result = await this.call(message.name, message.params);
            send({ kind: 'response', id: message.id, result });
          } catch (error) {
            send({ kind: 'error', id: message.id, error: toErrorBody(error) });
          } finally {
            inFlight--;
          }
          return;
        }
        case 'subscribe': {
          if (message.name !== '*' && !isEventName(message.name)) {
            return refuse(message.id, new ContractError({ code: 'unknown-event', message: `unknown event "${message.name}"`, field: 'name' }));
          }
          if (!subscriptions.has(message.id) && subscriptions.size >= limit.maxSubscriptions) {
            return refuse(message.id, new ContractError({ code: 'limit-exceeded', message: `at most ${limit.maxSubscriptions} subscriptions per connection: unsubscribe one first`, field: 'subscriptions' }));
          }
          subscriptions.set(message.id, message.name);
          send({ kind: 'response', id: message.id, result: { subscribed: message.name } });
          return;
        }
        case 'unsubscribe': {
          subscriptions.delete(message.id);
          send({ kind: 'response', id: message.id, result: { unsubscribed: true } });
          return;
        }
      }
    };

    const stopMessages = transport.onMessage((raw) => {
      const parsed = Envelope.safeParse(raw);
      if (!parsed.success) {
        const error = fromZodError(parsed.error, 'invalid-envelope');
        const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : 'unknown';
        return refuse(id.slice(0, 64) || 'unknown', error);
      }
      const message = parsed.data;
      if (message.kind === 'response' || message.kind === 'error' || message.kind === 'event') {
        return refuse(message.id, new ContractError({ code: 'invalid-envelope', message: `a client may not send "${message.kind}"`, field: 'kind' }));
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

/**
 * The one place a command's params are validated: `raw` (absent reads as {}) parsed with the command's schema
 * into what its handler takes; throws a ContractError (invalid-params) naming the bad field (`params.…`).
 */
export function parseParams<K extends CommandName>(name: K, raw: unknown): ParsedParams<K> {
  const shapeError = unsafeShape(raw);
  if (shapeError) throw shapeError;
  return parseOrThrow(commands[name].params, raw ?? {}, 'invalid-params', 'params') as ParsedParams<K>;
}

/** Deeper than any command's params go; past it input is refused before a schema (or a recursive JSON.stringify) walks it. */
const MAX_PARAMS_DEPTH = 32;

/**
 * Params no schema should see: nested past MAX_PARAMS_DEPTH, or with a `__proto__` key anywhere (JSON.parse makes it an
 * own key, and a record schema copying it sets the copy's prototype, smuggling fields past a strict schema).
 * Walked without recursion, so a million-deep array cannot overflow the stack.
 */
function unsafeShape(raw: unknown): ContractError | undefined {
  type Node = { value: unknown; key: string | number; parent: Node | null; depth: number };
  const pathOf = (node: Node): Array<string | number> => {
    const path: Array<string | number> = [];
    for (let n: Node | null = node; n !== null; n = n.parent) path.unshift(n.key);
    return path;
  };
  const stack: Node[] = [{ value: raw, key: 'params', parent: null, depth: 0 }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const value = node.value;
    if (typeof value !== 'object' || value === null) continue;
    if (node.depth >= MAX_PARAMS_DEPTH) {
      return new ContractError({ code: 'invalid-params', message: `${fieldPath(pathOf(node))}: nested deeper than ${MAX_PARAMS_DEPTH} levels`, field: fieldPath(pathOf(node)) });
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) stack.push({ value: value[i], key: i, parent: node, depth: node.depth + 1 });
      continue;
    }
    for (const key of Object.keys(value)) {
      const child: Node = { value: (value as Record<string, unknown>)[key], key, parent: node, depth: node.depth + 1 };
      if (key === '__proto__') {
        return new ContractError({ code: 'invalid-params', message: `${fieldPath(pathOf(child))}: a key named __proto__ is not allowed`, field: fieldPath(pathOf(child)) });
      }
      stack.push(child);
    }
  }
  return undefined;
}

/** Validates an event payload before it is sent, so the engine cannot emit what the contract does not allow. */
export function checkEvent<K extends EventName>(name: K, payload: unknown): EventPayload<K> {
  const parsed = events[name].safeParse(payload);
  if (!parsed.success) throw fromZodError(parsed.error, 'internal', `event ${name}`);
  return parsed.data as EventPayload<K>;
}
